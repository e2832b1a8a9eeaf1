// SPDX-License-Identifier: GPL-2.0
// The descriptor: deterministic output, the validator's verdict on every field, dumps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "fixtures.hpp"
#include "lib/cell_validate.hpp"

using cellc_test::cell_blob;
using cellc_test::CellText;
using cellc_test::test_board;
using cellc_test::test_root;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

moat_cell_desc compiled(const cellc::Blob &overlay)
{
    auto r = cellc::compile_cell(test_board(), {overlay});
    EXPECT_TRUE(r.diags.empty()) << (r.diags.empty() ? "" : r.diags[0].str());
    moat_cell_desc d{};
    if (r.descriptor.size() == sizeof(d))
        std::memcpy(&d, r.descriptor.data(), sizeof(d));
    return d;
}

CellText cell_with_rtc()
{
    CellText a;
    a.devices = "&rtc";
    return a;
}

// Applies `mutate` to a valid descriptor, fixes the checksum up, and returns the validator's message.
std::string verdict(moat_cell_desc d, const std::function<void(moat_cell_desc &)> &mutate)
{
    mutate(d);
    d.checksum = moat::cell_checksum(&d, sizeof(d));
    char err[256];
    return moat::cell_validate(&d, sizeof(d), err, sizeof(err)) ? "valid" : err;
}

}  // namespace

TEST(CellcDescriptor, SameInputSameBytes)
{
    auto overlay = cell_blob(cell_with_rtc());
    auto first = cellc::compile_cell(test_board(), {overlay});
    auto second = cellc::compile_cell(test_board(), {cell_blob(cell_with_rtc())});
    ASSERT_TRUE(first.diags.empty());
    EXPECT_EQ(first.descriptor, second.descriptor);
}

TEST(CellcDescriptor, ContextOverlaysDoNotChangeTheCell)
{
    CellText b;
    b.name = "b";
    b.cpus = "&cpu2";
    b.ram_reg = "0x0 0x4d000000 0x0 0x1000000";
    auto alone = cellc::compile_cell(test_board(), {cell_blob(cell_with_rtc())});
    auto with_context = cellc::compile_cell(test_board(), {cell_blob(b), test_root(), cell_blob(cell_with_rtc())});
    ASSERT_TRUE(with_context.diags.empty());
    EXPECT_EQ(alone.descriptor, with_context.descriptor);
}

TEST(CellcDescriptor, CellFieldsComeFromTheTree)
{
    moat_cell_desc d = compiled(cell_blob(cell_with_rtc()));
    EXPECT_STREQ(d.name, "a");
    EXPECT_EQ(d.flags, 0u);
    ASSERT_EQ(d.num_cpus, 1u);
    EXPECT_EQ(d.cpu_mpidr[0], 1u);  // cpu1's reg
    EXPECT_EQ(d.entry, 0x40100000u);
    EXPECT_EQ(d.console.type, unsigned(MOAT_CELL_CONSOLE_HYPERCALL));
    ASSERT_EQ(d.num_mem_regions, 2u);
    EXPECT_EQ(d.mem_regions[0].phys_start, 0x4c000000u);
    EXPECT_EQ(d.mem_regions[0].virt_start, 0x40000000u);
    EXPECT_EQ(d.mem_regions[0].size, 0x1000000u);
    EXPECT_EQ(d.mem_regions[0].flags, unsigned(MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_EXEC |
                                               MOAT_CELL_MEM_LOADABLE));
    EXPECT_EQ(d.mem_regions[1].phys_start, 0x9010000u);  // the rtc, 1:1
    EXPECT_EQ(d.mem_regions[1].flags, unsigned(MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_IO));
    EXPECT_EQ(d.irq_bitmap[34 / 32], 1u << (34 % 32));  // rtc: SPI 2
}

TEST(CellcDescriptor, RootCellIsDerivedFromTheBoard)
{
    auto r = cellc::compile_cell(test_board(), {test_root()});
    ASSERT_TRUE(r.diags.empty());
    moat_cell_desc d;
    std::memcpy(&d, r.descriptor.data(), sizeof(d));
    const moat_cell_platform &p = d.platform;
    EXPECT_EQ(d.flags, unsigned(MOAT_CELL_FLAG_ROOT));
    EXPECT_EQ(d.num_cpus, 4u);
    EXPECT_EQ(d.cpu_mpidr[3], 0x100u);
    EXPECT_EQ(p.gic_version, 3u);
    EXPECT_EQ(p.psci_method, unsigned(MOAT_CELL_PSCI_HVC));
    EXPECT_EQ(p.maint_irq, 25u);
    EXPECT_EQ(p.timer_phys_irq, 30u);
    EXPECT_EQ(p.timer_virt_irq, 27u);
    EXPECT_EQ(p.gicr_stride, MOAT_CELL_GICR_STRIDE_V3);
    EXPECT_EQ(p.debug_uart.base, 0x9000000u);
    int pools = 0;
    for (u_int32_t i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        SCOPED_TRACE(i);
        EXPECT_FALSE(m.phys_start < p.hv_base + p.hv_size && p.hv_base < m.phys_start + m.size) << "hypervisor";
        EXPECT_FALSE(m.phys_start < p.gicd_base + p.gicd_size && p.gicd_base < m.phys_start + m.size) << "GICD";
        if (m.flags & MOAT_CELL_MEM_CELL_POOL) {
            // The pool is declared to the hypervisor, not mapped: exactly the board's pool.
            EXPECT_EQ(m.phys_start, 0x4c000000u);
            EXPECT_EQ(m.virt_start, 0x4c000000u);
            EXPECT_EQ(m.size, 0x3c00000u);
            EXPECT_EQ(m.flags, unsigned(MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_CELL_POOL));
            pools++;
            continue;
        }
        EXPECT_FALSE(m.phys_start < 0x4c000000 + 0x3c00000 && 0x4c000000 < m.phys_start + m.size) << "cell pool";
    }
    EXPECT_EQ(pools, 1);
    EXPECT_EQ(d.mem_regions[0].phys_start, 0x40000000u);
    EXPECT_EQ(d.mem_regions[0].size, 0x0c000000u);  // RAM up to the pool
}

TEST(CellcDescriptor, DumpRoundTrips)
{
    auto r = cellc::compile_cell(test_board(), {cell_blob(cell_with_rtc())});
    moat_cell_desc d = cellc::decode_descriptor("a.cell", r.descriptor);
    EXPECT_EQ(cellc::descriptor_bytes(d), r.descriptor);
    EXPECT_EQ(cellc::dump_text(d), cellc::dump_text(cellc::decode_descriptor("b.cell", cellc::descriptor_bytes(d))));
    std::string text = cellc::dump_text(d);
    EXPECT_THAT(text, HasSubstr("cell \"a\""));
    EXPECT_THAT(text, HasSubstr("phys 0x4c000000 ipa 0x40000000 size 0x1000000 (16 MiB) read write exec loadable"));
    EXPECT_THAT(text, HasSubstr("irqs (INTID) 34"));
    std::string json = cellc::dump_json(d);
    EXPECT_THAT(json, StartsWith("{\"name\": \"a\", "));
    EXPECT_THAT(json, HasSubstr("\"phys_start\": " + std::to_string(d.mem_regions[0].phys_start)));
    EXPECT_THAT(json, HasSubstr("\"irqs\": [34]"));
    EXPECT_THAT(json, HasSubstr("\"checksum\": " + std::to_string(d.checksum)));
}

TEST(CellcDescriptor, DecodeNamesTheFileAndField)
{
    auto r = cellc::compile_cell(test_board(), {cell_blob({})});
    std::vector<char> bytes = r.descriptor;
    bytes[100] ^= 1;
    try {
        cellc::decode_descriptor("x.cell", bytes);
        FAIL() << "accepted a corrupted descriptor";
    } catch (const cellc::Error &e) {
        EXPECT_THAT(e.what(), StartsWith("x.cell: invalid cell descriptor: checksum: "));
    }
}

TEST(CellValidate, EnvelopeFields)
{
    moat_cell_desc d = compiled(cell_blob({}));
    char err[256];
    ASSERT_TRUE(moat::cell_validate(&d, sizeof(d), err, sizeof(err))) << err;
    EXPECT_THAT(verdict(d, [](auto &x) { x.magic = 1; }), StartsWith("magic: 0x1 is not MOAT_CELL_MAGIC"));
    EXPECT_THAT(verdict(d, [](auto &x) { x.abi_version = 4u << 16; }), StartsWith("abi_version: 4.0, this build understands 3.0 to 3.3"));
    // 2.x descriptors end before the link endpoints (2480 bytes): recompiled, not misread.
    EXPECT_THAT(verdict(d, [](auto &x) { x.abi_version = (2u << 16) | 1; }), StartsWith("abi_version: 2.1, this build understands 3.0"));
    EXPECT_EQ(verdict(d, [](auto &x) { x.total_size = 2480; }), "total_size: 2480, expected 3736");
    EXPECT_EQ(moat::cell_validate(&d, sizeof(d) - 8, err, sizeof(err)), false);
    EXPECT_STREQ(err, "total_size: 3736, but the buffer holds 3728 bytes (truncated or padded)");
    moat_cell_desc corrupt = d;
    corrupt.entry ^= 0x1000;
    EXPECT_FALSE(moat::cell_validate(&corrupt, sizeof(corrupt), err, sizeof(err)));
    EXPECT_THAT(err, StartsWith("checksum: "));
    EXPECT_FALSE(moat::cell_validate(reinterpret_cast<const char *>(&d) + 1, sizeof(d), err, sizeof(err)));
    EXPECT_STREQ(err, "descriptor: buffer is not 8-byte aligned");
    EXPECT_FALSE(moat::cell_validate(&d, 3, err, sizeof(err)));
    EXPECT_STREQ(err, "descriptor: 3 bytes is shorter than the header (24 bytes)");
}

TEST(CellValidate, CellFields)
{
    moat_cell_desc d = compiled(cell_blob(cell_with_rtc()));
    EXPECT_EQ(verdict(d, [](auto &x) { x.flags = 6; }), "flags: unknown bits 0x4");
    EXPECT_EQ(verdict(d, [](auto &x) { x.name[0] = 0; }), "name: empty; every cell needs a name");
    EXPECT_EQ(verdict(d, [](auto &x) { x.name[0] = ' '; }), "name: character 0 (0x20) is not one of [A-Za-z0-9._-]");
    EXPECT_EQ(verdict(d, [](auto &x) { std::memset(x.name, 'a', sizeof(x.name)); }), "name: not NUL-terminated within 32 bytes");
    EXPECT_EQ(verdict(d, [](auto &x) { x.num_cpus = 0; }), "num_cpus: 0; a cell needs at least one CPU");
    EXPECT_EQ(verdict(d, [](auto &x) { x.num_cpus = 9; }), "num_cpus: 9 is more than MOAT_CELL_MAX_CPUS (8)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.num_cpus = 2; x.cpu_mpidr[1] = x.cpu_mpidr[0]; }),
              "cpu_mpidr[1]: 0x1 is listed twice (also cpu_mpidr[0])");
    EXPECT_EQ(verdict(d, [](auto &x) { x.cpu_mpidr[0] = 1ull << 60; }),
              "cpu_mpidr[0]: 0x1000000000000000 has bits outside the affinity fields");
    EXPECT_EQ(verdict(d, [](auto &x) { x.num_mem_regions = 65; }), "num_mem_regions: 65 is more than MOAT_CELL_MAX_MEM_REGIONS (64)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[0].size = 0; }), "mem_regions[0].size: zero");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[0].phys_start += 8; }),
              "mem_regions[0]: phys 0x4c000008 virt 0x40000000 size 0x1000000 is not 4 KiB aligned");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[0].phys_start = ~0xfffull; }),
              "mem_regions[0]: phys 0xfffffffffffff000 + size 0x1000000 wraps past 2^64");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[1].flags |= MOAT_CELL_MEM_EXEC; }),
              "mem_regions[1].flags: 0x17: IO regions cannot be EXEC, DMA, LOADABLE or SHARED");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[1].flags = 1u << 9; }), "mem_regions[1].flags: unknown bits 0x200");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[1].virt_start = 0x40800000; }),
              "mem_regions[1]: virt 0x40800000..0x40800fff overlaps mem_regions[0]");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[5].size = 0x1000; }), "mem_regions[5]: unused entry is not zero");
    EXPECT_EQ(verdict(d, [](auto &x) { x.irq_bitmap[0] = 1u << 5; }),
              "irq_bitmap: INTID 5 is an SGI or PPI; only SPIs (32..1019) belong to a cell");
    EXPECT_EQ(verdict(d, [](auto &x) { x.irq_bitmap[31] = 1u << 31; }), "irq_bitmap: INTID 1023 is above the last SPI (1019)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.entry = 0x9010000; }),
              "entry: 0x9010000 is not inside an executable RAM region of the cell");
    EXPECT_EQ(verdict(d, [](auto &x) { x.console.type = 7; }), "console.type: unknown console type 7");
    EXPECT_EQ(verdict(d, [](auto &x) { x.console = {MOAT_CELL_CONSOLE_PL011, 0, 0x40000000}; }),
              "console.base: 0x40000000 is not inside one of the cell's IO regions");
    // A console ring: a page of its own, outside every region of the cell.
    EXPECT_EQ(verdict(d, [](auto &x) { x.console = {MOAT_CELL_CONSOLE_RING, 0, 0x41000000}; }), "valid");
    EXPECT_EQ(verdict(d, [](auto &x) { x.console = {MOAT_CELL_CONSOLE_RING, 0, 0x40fff000}; }),
              "console.base: the console ring at IPA 0x40fff000 overlaps mem_regions[0]; move console-ring to a page "
              "no region of the cell covers");
    EXPECT_EQ(verdict(d, [](auto &x) { x.console = {MOAT_CELL_CONSOLE_RING, 0, 0x41000800}; }),
              "console.base: 0x41000800 is not a page-aligned IPA for the console ring (console-ring in the overlay)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.console = {MOAT_CELL_CONSOLE_RING, 0, 0}; }),
              "console.base: 0x0 is not a page-aligned IPA for the console ring (console-ring in the overlay)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.console = {MOAT_CELL_CONSOLE_RING, 0, 0xfffffffffffff000ull}; }),
              "console.base: 0xfffffffffffff000 is not a page-aligned IPA for the console ring (console-ring in the overlay)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.platform.gic_version = 3; }),
              "platform: must be all zero in a cell that is not the root cell");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[0].flags = MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE; }),
              "entry: 0x40100000 is not inside an executable RAM region of the cell");
}

TEST(CellValidate, RootPlatformFields)
{
    auto r = cellc::compile_cell(test_board(), {test_root()});
    ASSERT_TRUE(r.diags.empty());
    moat_cell_desc d;
    std::memcpy(&d, r.descriptor.data(), sizeof(d));
    EXPECT_EQ(verdict(d, [](auto &x) { x.platform.gic_version = 4; }), "platform.gic_version: 4 is neither 2 nor 3");
    EXPECT_EQ(verdict(d, [](auto &x) { x.platform.maint_irq = 40; }), "platform.maint_irq: INTID 40 is not a PPI (16..31)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.platform.psci_method = 0; }), "platform.psci_method: 0 is neither SMC (1) nor HVC (2)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.platform.gicr_stride = 0x10000; }),
              "platform.gicr_stride: 0x10000 is neither 0x20000 nor 0x40000");
    EXPECT_EQ(verdict(d, [](auto &x) { x.platform.hv_base = x.mem_regions[0].phys_start; }),
              "mem_regions[0]: phys 0x40000000..0x4bffffff overlaps the hypervisor's memory (platform.hv)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.entry = 0x40000000; }),
              "entry: 0x40000000, must be 0 for the root cell (Linux keeps running)");
    EXPECT_EQ(verdict(d, [](auto &x) { x.mem_regions[0].flags |= MOAT_CELL_MEM_ROOT_SHARED; }),
              "mem_regions[0].flags: ROOT_SHARED in the root cell's own descriptor");
}

TEST(CellcDescriptor, JsonDumpPacksBackToTheSameBytes)
{
    for (const cellc::Blob &overlay : {cell_blob(cell_with_rtc()), test_root()}) {
        auto r = cellc::compile_cell(test_board(), {overlay});
        ASSERT_TRUE(r.diags.empty());
        moat_cell_desc d = cellc::decode_descriptor("a.cell", r.descriptor);
        moat_cell_desc packed = cellc::descriptor_from_json("a.json", cellc::dump_json(d), true);
        EXPECT_EQ(cellc::descriptor_bytes(packed), r.descriptor) << overlay.file;
    }
}

TEST(CellcDescriptor, PackNamesTheBadMember)
{
    auto r = cellc::compile_cell(test_board(), {cell_blob({})});
    std::string json = cellc::dump_json(cellc::decode_descriptor("a.cell", r.descriptor));
    auto error = [](const std::string &text, bool validate = true) -> std::string {
        try {
            cellc::descriptor_from_json("a.json", text, validate);
        } catch (const cellc::Error &e) {
            return e.what();
        }
        return "accepted";
    };
    std::string no_cpus = json;
    no_cpus.replace(no_cpus.find("\"cpus\": [1]"), 11, "\"cpus\": []");
    EXPECT_EQ(error(no_cpus), "a.json: the described descriptor is invalid: num_cpus: 0; a cell needs at least one CPU");
    EXPECT_EQ(error(no_cpus, false), "accepted");
    std::string bad_size = json;
    bad_size.replace(bad_size.find("\"size\": "), 8, "\"size\": \"x\", \"old\": ");
    EXPECT_EQ(error(bad_size), "a.json: mem_regions[0].size: missing or not a number");
    EXPECT_EQ(error("{\"name\": \"a\""), "a.json: JSON at byte 12: expected '}'");
    EXPECT_EQ(error("[1, 2]"), "a.json: is not an object");
}

// moat,irq-delivery: absent or "trapped" leaves the flag clear, "direct" sets it, anything else
// is refused naming the property.
TEST(CellcDescriptor, IrqDeliveryModeBecomesAFlag)
{
    EXPECT_EQ(compiled(cell_blob(cell_with_rtc())).flags, 0u);
    CellText trapped = cell_with_rtc();
    trapped.cell_extra = "moat,irq-delivery = \"trapped\";";
    EXPECT_EQ(compiled(cell_blob(trapped)).flags, 0u);
    CellText direct = cell_with_rtc();
    direct.cell_extra = "moat,irq-delivery = \"direct\";";
    moat_cell_desc d = compiled(cell_blob(direct));
    EXPECT_EQ(d.flags, unsigned(MOAT_CELL_FLAG_DIRECT_IRQ));
    EXPECT_THAT(cellc::dump_text(d), HasSubstr("irq delivery direct"));
    EXPECT_THAT(cellc::dump_json(d), HasSubstr("\"irq_delivery\": \"direct\""));
    EXPECT_EQ(cellc::descriptor_from_json("a.json", cellc::dump_json(d), true).flags, unsigned(MOAT_CELL_FLAG_DIRECT_IRQ));
    char err[256];
    EXPECT_TRUE(moat::cell_validate(&d, sizeof(d), err, sizeof(err))) << err;

    CellText bad = cell_with_rtc();
    bad.cell_extra = "moat,irq-delivery = \"fast\";";
    auto r = cellc::compile_cell(test_board(), {cell_blob(bad)});
    ASSERT_EQ(r.diags.size(), 1u);
    EXPECT_THAT(r.diags[0].str(), HasSubstr("moat,irq-delivery"));
    EXPECT_THAT(r.diags[0].str(), HasSubstr("\"fast\" is not one of \"trapped\", \"direct\""));
}

TEST(CellValidate, DirectIrqOnlyForCells)
{
    CellText direct = cell_with_rtc();
    direct.cell_extra = "moat,irq-delivery = \"direct\";";
    moat_cell_desc d = compiled(cell_blob(direct));
    EXPECT_EQ(verdict(d, [](auto &) {}), "valid");
    EXPECT_TRUE(d.flags & MOAT_CELL_FLAG_DIRECT_IRQ);

    auto r = cellc::compile_cell(test_board(), {test_root()});
    ASSERT_TRUE(r.diags.empty());
    moat_cell_desc root;
    std::memcpy(&root, r.descriptor.data(), sizeof(root));
    EXPECT_THAT(verdict(root, [](auto &x) { x.flags |= MOAT_CELL_FLAG_DIRECT_IRQ; }),
                StartsWith("flags: direct interrupt delivery (MOAT_CELL_FLAG_DIRECT_IRQ) is for cells, not the root cell"));
}
