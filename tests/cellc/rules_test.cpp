// SPDX-License-Identifier: GPL-2.0
// Every rule of `moat-cellc check`/`compile`, each triggered by the smallest overlay that breaks
// it, with the exact message the user sees.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <moat/cell.h>

#include <string>

#include "fixtures.hpp"

using cellc_test::cell_blob;
using cellc_test::CellText;
using cellc_test::cell_dtso;
using cellc_test::compile_dts;
using cellc_test::messages;
using cellc_test::test_board;
using cellc_test::test_root;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

std::vector<std::string> check(std::vector<cellc::Blob> overlays)
{
    overlays.insert(overlays.begin(), test_root());
    return messages(cellc::check_system(test_board(), overlays));
}

std::vector<std::string> compile(const cellc::Blob &cell)
{
    return messages(cellc::compile_cell(test_board(), {cell}).diags);
}

CellText second_cell()
{
    CellText b;
    b.name = "b";
    b.cpus = "&cpu2";
    b.ram_reg = "0x0 0x4d000000 0x0 0x1000000";
    return b;
}

}  // namespace

TEST(CellcRules, ValidSystemHasNoFindings)
{
    EXPECT_THAT(check({cell_blob({}), cell_blob(second_cell())}), IsEmpty());
}

TEST(CellcRules, OverlappingMemoryBetweenCells)
{
    CellText b = second_cell();
    b.ram_reg = "0x0 0x4c800000 0x0 0x1000000";
    EXPECT_THAT(check({cell_blob({}), cell_blob(b)}),
                ElementsAre("b.dtbo: /cell-b/ram: memory-region: 0x4c800000..0x4d7fffff overlaps memory of cell "
                            "\"a\" (a.dtbo) (/cell-a/ram); give each cell its own moat,cell-memory region, or use "
                            "one moat,shared-memory region"));
}

TEST(CellcRules, MemoryOutsideRam)
{
    CellText a;
    a.ram_reg = "0x0 0x60000000 0x0 0x100000";
    a.ram_extra = "";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /reserved-memory/a-ram: reg: 0x60000000..0x600fffff is outside the board's "
                            "RAM; place it inside /memory"));
}

TEST(CellcRules, LoadableRegionNotInRam)
{
    CellText a;
    a.ram_reg = "0x0 0x60000000 0x0 0x100000";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /reserved-memory/a-ram: reg: 0x60000000..0x600fffff is loadable but not in "
                            "RAM; images can only be loaded into RAM: move it into /memory or drop loadable"));
}

TEST(CellcRules, MemoryOutsideTheCellPool)
{
    CellText a;
    a.ram_reg = "0x0 0x41000000 0x0 0x100000";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /reserved-memory/a-ram: reg: 0x41000000..0x410fffff is not inside a "
                            "moat,cell-pool region, so Linux would use it too; move it into the pool "
                            "(/reserved-memory/cells@...)"));
}

TEST(CellcRules, CpuGivenToTwoCells)
{
    CellText b = second_cell();
    b.cpus = "&cpu1";
    EXPECT_THAT(check({cell_blob({}), cell_blob(b)}),
                ElementsAre("b.dtbo: /cell-b: cpus: /cpus/cpu@1 is also given to cell \"a\" (a.dtbo); give each "
                            "CPU to one cell"));
}

TEST(CellcRules, CpuListedTwiceInOneCell)
{
    CellText a;
    a.cpus = "&cpu1 &cpu1";
    EXPECT_THAT(compile(cell_blob(a)), ElementsAre("a.dtbo: /cell-a: cpus: /cpus/cpu@1 is listed twice; list it once"));
}

TEST(CellcRules, CpuThatDoesNotExist)
{
    CellText a;
    a.cpus = "&cpu7";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: cpus: references &cpu7, which neither the board tree nor any other "
                            "overlay defines; the board has &cpu0, &cpu1, &cpu2, &cpu3"));
}

TEST(CellcRules, BootCpuStaysWithTheRoot)
{
    CellText a;
    a.cpus = "&cpu0";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: cpus: /cpus/cpu@0 (MPIDR 0x0) is the boot CPU, which stays with the "
                            "root cell; pick another CPU"));
}

TEST(CellcRules, CpuPhandleToANonCpuNode)
{
    CellText a;
    a.cpus = "&rtc";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: cpus: points at /pl031@9010000, which is not a CPU node under /cpus; "
                            "list CPUs as <&cpu1 &cpu2>"));
}

TEST(CellcRules, IrqGivenToTwoCells)
{
    CellText a;
    a.devices = "&sensor_a";
    CellText b = second_cell();
    b.devices = "&sensor_b";
    EXPECT_THAT(check({cell_blob(a), cell_blob(b)}),
                ElementsAre("b.dtbo: /cell-b: devices: /sensor@9060000 raises INTID 52, which /sensor@9050000 of "
                            "cell \"a\" (a.dtbo) raises too; an IRQ can go to one cell only"));
}

TEST(CellcRules, DeviceGivenToTwoCells)
{
    CellText a;
    a.devices = "&rtc";
    CellText b = second_cell();
    b.devices = "&rtc";
    EXPECT_THAT(check({cell_blob(a), cell_blob(b)}),
                ElementsAre("b.dtbo: /cell-b: devices: /pl031@9010000 is also given to cell \"a\" (a.dtbo); give "
                            "each device to one cell"));
}

TEST(CellcRules, IrqOutsideTheGicRange)
{
    CellText a;
    a.devices = "&bad_irq";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: devices: /sensor@9070000 raises INTID 1032, outside the GIC's SPI "
                            "range (32..1019); fix its interrupts"));
}

TEST(CellcRules, IrqNotRoutedToTheGic)
{
    CellText a;
    a.devices = "&button";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: devices: /button@9090000: its interrupts go to /gpio@9080000, not to "
                            "the GIC; moat routes only GIC SPIs"));
}

TEST(CellcRules, MmioNotPageAligned)
{
    CellText a;
    a.devices = "&virtio0";
    a.cell_extra = "moat,dma-unconfined;";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: devices: /virtio_mmio@a000000 registers 0xa000000..0xa0001ff are not "
                            "page aligned: the cell would also reach /virtio_mmio@a000200 in the same 4 KiB page; add "
                            "it to devices as well, or choose a page-aligned device"));
}

TEST(CellcRules, SubPageDevicesTogetherAreFine)
{
    CellText a;
    a.devices = "&virtio0 &virtio1";
    a.cell_extra = "moat,dma-unconfined;";
    auto r = cellc::compile_cell(test_board(), {cell_blob(a)});
    EXPECT_THAT(messages(r.diags), IsEmpty());
    ASSERT_EQ(r.descriptor.size(), sizeof(moat_cell_desc));
}

// A DMA master (no SMMU confines it) goes to a cell only with the cell's explicit acknowledgement.
TEST(CellcRules, DmaMasterNeedsAcknowledgement)
{
    CellText a;
    a.devices = "&virtio0 &virtio1";
    std::string why = " is a DMA master (compatible \"virtio,mmio\"): with no SMMU in front of it, whoever drives "
                      "it can make it read and write any physical memory, the root's and the hypervisor's included. "
                      "If the cell is trusted with that, add moat,dma-unconfined; to the cell node (docs/binding.md); "
                      "otherwise leave the device with the root";
    EXPECT_THAT(compile(cell_blob(a)), ElementsAre("a.dtbo: /cell-a: devices: /virtio_mmio@a000000" + why,
                                                   "a.dtbo: /cell-a: devices: /virtio_mmio@a000200" + why));
}

TEST(CellcRules, DmaMasterByDmaCoherentProperty)
{
    CellText a;
    a.devices = "&rtc";
    std::string overlay = cell_dtso(a) + "&rtc { dma-coherent; };\n";
    EXPECT_THAT(compile(compile_dts("a.dtbo", overlay)),
                ElementsAre(::testing::HasSubstr("is a DMA master (it has dma-coherent)")));
    a.cell_extra = "moat,dma-unconfined;";
    overlay = cell_dtso(a) + "&rtc { dma-coherent; };\n";
    EXPECT_THAT(compile(compile_dts("a.dtbo", overlay)), IsEmpty());
}

// Controllers that move their own data without saying so in the board tree (the Raspberry Pi 4's
// GENET and EMMC2 have neither dma-coherent nor iommus), and PCI host bridges (found by an attack
// review: moat-cellc let them through).
TEST(CellcRules, DmaMasterByKindOfController)
{
    CellText a;
    a.devices = "&rtc";
    for (const char *compat : {"brcm,bcm2711-genet-v5", "brcm,bcm2711-emmc2", "snps,dwc2", "generic-xhci", "cdns,gem"}) {
        SCOPED_TRACE(compat);
        std::string overlay = cell_dtso(a) + "&rtc { compatible = \"" + compat + "\"; };\n";
        EXPECT_THAT(compile(compile_dts("a.dtbo", overlay)),
                    ElementsAre(::testing::HasSubstr(std::string("is a DMA master (compatible \"") + compat + "\": a ")));
    }
    std::string pci = cell_dtso(a) + "&rtc { device_type = \"pci\"; };\n";
    EXPECT_THAT(compile(compile_dts("a.dtbo", pci)),
                ElementsAre(::testing::HasSubstr("is a DMA master (a PCI host bridge: the devices behind it master the bus)")));
    // Words inside other words are not kinds: "arm,pl031" (the RTC itself) and a made-up
    // "acme,gemstone-timer" stay plain devices.
    EXPECT_THAT(compile(cell_blob(a)), IsEmpty());
    std::string other = cell_dtso(a) + "&rtc { compatible = \"acme,gemstone-timer\"; };\n";
    EXPECT_THAT(compile(compile_dts("a.dtbo", other)), IsEmpty());
    a.cell_extra = "moat,dma-unconfined;";
    pci = cell_dtso(a) + "&rtc { device_type = \"pci\"; };\n";
    EXPECT_THAT(compile(compile_dts("a.dtbo", pci)), IsEmpty());
}

TEST(CellcRules, DmaUnconfinedTakesNoValueAndNotOnTheRoot)
{
    CellText a;
    a.devices = "&virtio0 &virtio1";
    a.cell_extra = "moat,dma-unconfined = \"yes\";";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: moat,dma-unconfined: takes no value; write it as moat,dma-unconfined;"));
    cellc::Blob root = compile_dts("r.dtbo", "/dts-v1/;\n/plugin/;\n&{/} {\n\tmoat-root-cell {\n\t\tcompatible = "
                                             "\"moat,root-cell\";\n\t\tcell-name = \"r\";\n\t\tmoat,dma-unconfined;\n\t};\n};\n");
    EXPECT_THAT(messages(cellc::check_system(test_board(), {root})),
                ::testing::Contains("r.dtbo: /moat-root-cell: moat,dma-unconfined: the root cell owns all memory "
                                    "and every device already; remove moat,dma-unconfined"));
}

TEST(CellcRules, HypervisorMemoryTouched)
{
    CellText a;
    a.ram_reg = "0x0 0x4fb00000 0x0 0x200000";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /reserved-memory/a-ram: reg: 0x4fb00000..0x4fcfffff touches the hypervisor's "
                            "reserved memory /reserved-memory/hypervisor@4fc00000 (0x4fc00000..0x4fffffff); move the "
                            "region out of it"));
}

TEST(CellcRules, CellWithoutCpus)
{
    CellText a;
    a.cpus = "";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: cpus: the cell has no CPUs; give it at least one, e.g. cpus = <&cpu3>;"));
}

TEST(CellcRules, CellWithoutRam)
{
    CellText a;
    a.with_ram = false;
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: memory-region: the cell has no RAM; add a child node with "
                            "memory-region = <&a moat,cell-memory region>;"));
}

TEST(CellcRules, DevicePhandleToANonDeviceNode)
{
    CellText a;
    a.devices = "&memory";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: devices: points at /memory@40000000, which is not a memory-mapped "
                            "device (no reg that translates to a physical address); list device nodes such as <&rtc>"));
}

TEST(CellcRules, TheGicIsNotADevice)
{
    CellText a;
    a.devices = "&gic";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: devices: points at the GIC /intc@8000000, which the hypervisor owns; "
                            "remove it (cells get their interrupts through the devices that raise them)"));
}

TEST(CellcRules, ZeroSizedRegion)
{
    CellText a;
    a.ram_reg = "0x0 0x4c000000 0x0 0x0";
    auto msgs = compile(cell_blob(a));
    ASSERT_FALSE(msgs.empty());
    EXPECT_EQ(msgs[0], "a.dtbo: /reserved-memory/a-ram: reg: size is zero; give the region a size of at least 4 KiB");
}

TEST(CellcRules, RegionWrappingPast64Bits)
{
    CellText a;
    a.ram_reg = "0xffffffff 0xfff00000 0x0 0x200000";
    auto msgs = compile(cell_blob(a));
    ASSERT_FALSE(msgs.empty());
    EXPECT_EQ(msgs[0], "a.dtbo: /reserved-memory/a-ram: reg: 0xfffffffffff00000 + size 0x200000 wraps past 2^64; "
                       "fix base or size");
}

TEST(CellcRules, HugeRegion)
{
    CellText a;
    a.ram_reg = "0x0 0x4c000000 0xffff0000 0x0";
    auto msgs = compile(cell_blob(a));
    ASSERT_FALSE(msgs.empty());
    EXPECT_EQ(msgs[0], "a.dtbo: /reserved-memory/a-ram: reg: 0x4c000000..0xffff00004bffffff touches the "
                       "hypervisor's reserved memory /reserved-memory/hypervisor@4fc00000 (0x4fc00000..0x4fffffff); "
                       "move the region out of it");
}

TEST(CellcRules, IpaWrappingPast64Bits)
{
    CellText a;
    a.ram_ipa = "0xffffffff 0xfff00000";
    auto msgs = compile(cell_blob(a));
    ASSERT_FALSE(msgs.empty());
    EXPECT_EQ(msgs[0], "a.dtbo: /cell-a/ram: ipa: 0xfffffffffff00000 + size 0x1000000 wraps past 2^64; lower ipa");
}

TEST(CellcRules, UnalignedRegion)
{
    CellText a;
    a.ram_reg = "0x0 0x4c000800 0x0 0x1000";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /reserved-memory/a-ram: reg: 0x4c000800..0x4c0017ff is not 4 KiB aligned; "
                            "align base and size to 0x1000"));
}

TEST(CellcRules, TooManyRegions)
{
    CellText a;
    a.ram_reg = "0x0 0x4c000000 0x0 0x200000";
    std::string regions, maps;
    // One RAM region plus MOAT_CELL_MAX_MEM_REGIONS mappings of reserved memory: one too many.
    for (int i = 0; i < MOAT_CELL_MAX_MEM_REGIONS; i++) {
        char buf[512];
        std::snprintf(buf, sizeof(buf), "\tr%d: r%d@%x { compatible = \"moat,cell-memory\"; reg = <0x0 0x%x 0x0 0x1000>; };\n",
                      i, i, 0x4d000000 + i * 0x1000, 0x4d000000 + i * 0x1000);
        regions += buf;
        std::snprintf(buf, sizeof(buf), "\t\tm%d { memory-region = <&r%d>; ipa = <0x0 0x%x>; };\n", i, i, 0x50000000 + i * 0x1000);
        maps += buf;
    }
    a.cell_extra = maps;
    std::string text = cellc_test::cell_dtso(a) + "&{/reserved-memory} {\n" + regions + "};\n";
    EXPECT_THAT(compile(compile_dts("a.dtbo", text)),
                ElementsAre("a.dtbo: /cell-a: devices: the cell needs " + std::to_string(MOAT_CELL_MAX_MEM_REGIONS + 1) +
                            " memory regions, at most " + std::to_string(MOAT_CELL_MAX_MEM_REGIONS) +
                            " fit in a descriptor; give it fewer devices or memory mappings"));
}

TEST(CellcRules, OverlayTargetingAMissingNode)
{
    auto blob = compile_dts("a.dtbo", "/dts-v1/;\n/plugin/;\n&{/no-such-bus} { x { y = <1>; }; };\n");
    EXPECT_THAT(compile(blob), ElementsAre("a.dtbo: /fragment@0: target-path: targets /no-such-bus, which the board "
                                           "tree does not have; target an existing node, e.g. &{/}"));
}

TEST(CellcRules, OverlayWithoutACell)
{
    auto blob = compile_dts("a.dtbo", "/dts-v1/;\n/plugin/;\n&{/} { x { y = <1>; }; };\n");
    EXPECT_THAT(compile(blob), ElementsAre("a.dtbo: defines no cell (no node with compatible \"moat,cell\" or "
                                           "\"moat,root-cell\"); pass the cell's overlay last"));
}

TEST(CellcRules, MissingEntry)
{
    CellText a;
    a.entry = "";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a: entry: must be a 64-bit address in one or two cells, e.g. "
                            "entry = <0x0 0x40100000>;"));
}

TEST(CellcRules, SystemWithoutRootCell)
{
    EXPECT_THAT(messages(cellc::check_system(test_board(), {cell_blob({})})),
                ElementsAre("no root cell among the overlays; add the board's root.dtbo (compatible \"moat,root-cell\")"));
}

TEST(CellcRules, DuplicateCellNames)
{
    CellText b = second_cell();
    std::string text = cellc_test::cell_dtso(b);
    // Same cell-name "a" as the first cell, everything else distinct.
    text.replace(text.find("cell-name = \"b\""), std::string("cell-name = \"b\"").size(), "cell-name = \"a\"");
    EXPECT_THAT(check({cell_blob({}), compile_dts("b.dtbo", text)}),
                ElementsAre("b.dtbo: /cell-b: cell-name: \"a\" is also the name of the cell in a.dtbo; names must be "
                            "unique"));
}

TEST(CellcRules, SharedMemoryMayBeMappedByTwoCells)
{
    const char *shm = "/dts-v1/;\n/plugin/;\n&{/reserved-memory} { shm: shm@4e000000 { compatible = "
                      "\"moat,shared-memory\"; reg = <0x0 0x4e000000 0x0 0x100000>; }; };\n";
    CellText a;
    a.cell_extra = "\t\tshm { memory-region = <&shm>; ipa = <0x0 0x50000000>; };";
    CellText b = second_cell();
    b.cell_extra = a.cell_extra;
    EXPECT_THAT(check({cell_blob(a), cell_blob(b), compile_dts("shm.dtbo", shm)}), IsEmpty());
}

TEST(CellcRules, LabelOfAnOverlayThatWasNotGiven)
{
    CellText a;
    a.cell_extra = "\t\tshm { memory-region = <&shm>; };";
    EXPECT_THAT(compile(cell_blob(a)),
                ElementsAre("a.dtbo: /cell-a/shm: memory-region: references &shm, which neither the board tree nor "
                            "any other overlay defines; pass the overlay that defines it, or use a label of the board "
                            "tree"));
}
