// SPDX-License-Identifier: GPL-2.0
// moat-cellc linux-dt: the tree a Linux cell boots with, generated from the committed QEMU virt
// board and cells/qemu-virt-linux (docs/linux-cell.md), read back with libfdt; and the moat tool's
// boot layout and /chosen editor (tools/common/linux_boot.cpp) on it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libfdt.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fixtures.hpp"
#include "linux_boot.hpp"
#include "linux_dt.hpp"

using namespace cellc_test;

namespace {

std::vector<char> virt_linux_dt(const char *board)
{
    BoardSystem s = board_system(board, "qemu-virt-moat", "qemu-virt-linux");
    cellc::LinuxDtResult r = cellc::linux_dt(s.board, with_last(s.overlays, "linux"), "console=ttyAMA0");
    EXPECT_TRUE(r.diags.empty()) << (r.diags.empty() ? "" : r.diags[0].str());
    return r.dtb;
}

std::string str(const void *fdt, const char *path, const char *prop)
{
    int node = fdt_path_offset(fdt, path);
    const char *v = node >= 0 ? static_cast<const char *>(fdt_getprop(fdt, node, prop, nullptr)) : nullptr;
    return v ? v : "<missing>";
}

std::vector<uint32_t> cells(const void *fdt, const char *path, const char *prop)
{
    int node = fdt_path_offset(fdt, path), len = 0;
    const fdt32_t *v = node >= 0 ? static_cast<const fdt32_t *>(fdt_getprop(fdt, node, prop, &len)) : nullptr;
    std::vector<uint32_t> out;
    for (int i = 0; v && i < len / 4; i++)
        out.push_back(fdt32_to_cpu(v[i]));
    return out;
}

}  // namespace

TEST(LinuxDt, QemuVirtGicv3Nodes)
{
    std::vector<char> dtb = virt_linux_dt("qemu-virt-gicv3");
    ASSERT_FALSE(dtb.empty());
    const void *fdt = dtb.data();
    ASSERT_EQ(fdt_check_full(fdt, dtb.size()), 0);
    // The cell's RAM, the 256 MiB Linux pool at IPA = PA (DMA addresses are physical ones).
    EXPECT_EQ(cells(fdt, "/memory@6c000000", "reg"), (std::vector<uint32_t>{0, 0x6c000000, 0, 0x10000000}));
    EXPECT_EQ(str(fdt, "/memory@6c000000", "device_type"), "memory");
    // Its two CPUs (cpu2 and cpu3, MPIDR 2 and 3), started through PSCI, which moat answers for SMC.
    EXPECT_EQ(cells(fdt, "/cpus/cpu@2", "reg"), (std::vector<uint32_t>{0, 2}));
    EXPECT_EQ(cells(fdt, "/cpus/cpu@3", "reg"), (std::vector<uint32_t>{0, 3}));
    EXPECT_EQ(str(fdt, "/cpus/cpu@2", "enable-method"), "psci");
    EXPECT_EQ(str(fdt, "/cpus/cpu@3", "enable-method"), "psci");
    EXPECT_LT(fdt_path_offset(fdt, "/cpus/cpu@0"), 0) << "the root's CPUs are not the cell's";
    EXPECT_LT(fdt_path_offset(fdt, "/cpus/cpu@1"), 0) << "the root's CPUs are not the cell's";
    EXPECT_EQ(str(fdt, "/psci", "method"), "smc");
    // The GIC: distributor and redistributors, no ITS (no LPIs for cells).
    EXPECT_EQ(str(fdt, "/intc@8000000", "compatible"), "arm,gic-v3");
    EXPECT_EQ(cells(fdt, "/intc@8000000", "reg"),
              (std::vector<uint32_t>{0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000}));
    EXPECT_LT(fdt_path_offset(fdt, "/intc@8000000/its@8080000"), 0);
    EXPECT_EQ(cells(fdt, "/", "interrupt-parent"), cells(fdt, "/intc@8000000", "phandle"));
    EXPECT_EQ(cells(fdt, "/timer", "interrupts").size(), 12u);
    // uart1 and its clock, and nothing else of the board's devices.
    EXPECT_EQ(cells(fdt, "/pl011@9040000", "interrupts"), (std::vector<uint32_t>{0, 8, 4}));
    EXPECT_EQ(cells(fdt, "/apb-pclk", "phandle"), std::vector<uint32_t>{cells(fdt, "/pl011@9040000", "clocks")[0]});
    EXPECT_LT(fdt_path_offset(fdt, "/pl011@9000000"), 0) << "the root's console";
    EXPECT_LT(fdt_path_offset(fdt, "/pmu"), 0) << "the PMU is trapped: no node";
    EXPECT_LT(fdt_path_offset(fdt, "/virtio_mmio@a000000"), 0);
    EXPECT_EQ(str(fdt, "/chosen", "stdout-path"), "/pl011@9040000");
    EXPECT_EQ(str(fdt, "/chosen", "bootargs"), "console=ttyAMA0");
}

TEST(LinuxDt, QemuVirtGicv2Nodes)
{
    std::vector<char> dtb = virt_linux_dt("qemu-virt-gicv2");
    ASSERT_FALSE(dtb.empty());
    const void *fdt = dtb.data();
    ASSERT_EQ(fdt_check_full(fdt, dtb.size()), 0);
    EXPECT_EQ(cells(fdt, "/memory@6c000000", "reg"), (std::vector<uint32_t>{0, 0x6c000000, 0, 0x10000000}));
    EXPECT_EQ(cells(fdt, "/cpus/cpu@3", "reg"), (std::vector<uint32_t>{0, 3}));
    // GICv2: the distributor (trapped and filtered) and the CPU interface at the GICC address,
    // which the cell's stage 2 backs with the virtual CPU interface; no GICv2m (no MSIs).
    EXPECT_EQ(str(fdt, "/intc@8000000", "compatible"), "arm,cortex-a15-gic");
    EXPECT_EQ(cells(fdt, "/intc@8000000", "reg"), (std::vector<uint32_t>{0, 0x8000000, 0, 0x10000, 0, 0x8010000, 0, 0x10000}));
    EXPECT_LT(fdt_path_offset(fdt, "/intc@8000000/v2m@8020000"), 0);
    EXPECT_EQ(cells(fdt, "/", "interrupt-parent"), cells(fdt, "/intc@8000000", "phandle"));
    EXPECT_EQ(cells(fdt, "/pl011@9040000", "interrupts"), (std::vector<uint32_t>{0, 8, 4}));
}

// The cell's disk (docs/linux-cell.md, Devices): the eight virtio-mmio transports of the page at
// 0xa001000 as the board has them (reg, SPI 16 + n edge-triggered, dma-coherent), on both GICs;
// the other pages' transports stay the root's.
TEST(LinuxDt, QemuVirtVirtioTransports)
{
    for (const char *board : {"qemu-virt-gicv3", "qemu-virt-gicv2"}) {
        SCOPED_TRACE(board);
        std::vector<char> dtb = virt_linux_dt(board);
        ASSERT_FALSE(dtb.empty());
        const void *fdt = dtb.data();
        for (uint32_t n = 8; n < 16; n++) {
            char path[32];
            std::snprintf(path, sizeof(path), "/virtio_mmio@%x", 0xa000000 + n * 0x200);
            SCOPED_TRACE(path);
            EXPECT_EQ(str(fdt, path, "compatible"), "virtio,mmio");
            EXPECT_EQ(cells(fdt, path, "reg"), (std::vector<uint32_t>{0, 0xa000000 + n * 0x200, 0, 0x200}));
            EXPECT_EQ(cells(fdt, path, "interrupts"), (std::vector<uint32_t>{0, 16 + n, 1}));
            int node = fdt_path_offset(fdt, path);
            EXPECT_NE(node >= 0 ? fdt_getprop(fdt, node, "dma-coherent", nullptr) : nullptr, nullptr);
        }
        EXPECT_LT(fdt_path_offset(fdt, "/virtio_mmio@a000e00"), 0) << "transport 7: the root's";
        EXPECT_LT(fdt_path_offset(fdt, "/virtio_mmio@a002000"), 0) << "transport 16: the root's";
        EXPECT_LT(fdt_path_offset(fdt, "/virtio_mmio@a003e00"), 0) << "transport 31: the root's scratch disk";
    }
}

// moat cell linux refuses a tree whose DMA master a root driver holds: the tree's DMA masters by
// their Linux device names, then a sysfs with a driver bound to one of them.
TEST(LinuxDt, BoundDmaMasterIsNamed)
{
    std::vector<char> dtb = virt_linux_dt("qemu-virt-gicv3");
    ASSERT_FALSE(dtb.empty());
    std::vector<std::uint8_t> tree(dtb.begin(), dtb.end());
    std::vector<std::string> dma;
    std::string err;
    ASSERT_TRUE(moat::tools::fdt_dma_devices(tree, dma, err)) << err;
    EXPECT_EQ(dma, (std::vector<std::string>{"a001000.virtio_mmio", "a001200.virtio_mmio", "a001400.virtio_mmio",
                                             "a001600.virtio_mmio", "a001800.virtio_mmio", "a001a00.virtio_mmio",
                                             "a001c00.virtio_mmio", "a001e00.virtio_mmio"}))
        << "the eight transports, not the UART";
    char tmpl[] = "/tmp/moat-sysfs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::string sys = tmpl;
    EXPECT_EQ(moat::tools::bound_dma_device(dma, sys), "") << "no driver bound: allowed";
    std::string dev = sys + "/bus/platform/devices/a001000.virtio_mmio";
    ASSERT_EQ(std::system(("mkdir -p " + dev + " " + sys + "/bus/platform/drivers/virtio-mmio").c_str()), 0);
    ASSERT_EQ(symlink("../../../../bus/platform/drivers/virtio-mmio", (dev + "/driver").c_str()), 0);
    EXPECT_EQ(moat::tools::bound_dma_device(dma, sys),
              "a001000.virtio_mmio is a DMA master the root's Linux drives (driver virtio-mmio): the cell's Linux "
              "would reset it under that driver, whose queues are in the root's memory; unbind it first: echo "
              "a001000.virtio_mmio > /sys/bus/platform/drivers/virtio-mmio/unbind");
    std::system(("rm -rf " + sys).c_str());
    tree[0] ^= 1;
    EXPECT_FALSE(moat::tools::fdt_dma_devices(tree, dma, err));
}

// What moat.ko in the cell reads (docs/linux-cell.md, "Links and the console"): the node that
// says it runs in a moat cell, its end of link "talk" and its console ring, from its descriptor.
TEST(LinuxDt, MoatCellLinkAndConsoleRingNodes)
{
    for (const char *board : {"qemu-virt-gicv3", "qemu-virt-gicv2"}) {
        SCOPED_TRACE(board);
        std::vector<char> dtb = virt_linux_dt(board);
        ASSERT_FALSE(dtb.empty());
        const void *fdt = dtb.data();
        ASSERT_EQ(fdt_check_full(fdt, dtb.size()), 0);
        EXPECT_EQ(str(fdt, "/moat-cell", "compatible"), "moat,cell-info");
        EXPECT_EQ(str(fdt, "/moat-cell", "cell-name"), "linux1");
        const char *ep = "/moat-link-talk@90010000";
        EXPECT_EQ(str(fdt, ep, "compatible"), "moat,link-endpoint");
        EXPECT_EQ(str(fdt, ep, "link-name"), "talk");
        // The register and state pages right after the 64 KiB section, then the section at its IPA.
        EXPECT_EQ(cells(fdt, ep, "reg"), (std::vector<uint32_t>{0, 0x90010000, 0, 0x2000, 0, 0x90000000, 0, 0x10000}));
        // linux1's doorbell, SPI 241 - 32, edge.
        EXPECT_EQ(cells(fdt, ep, "interrupts"), (std::vector<uint32_t>{0, 209, 1}));
        EXPECT_EQ(cells(fdt, ep, "moat,self"), std::vector<uint32_t>{1});
        EXPECT_EQ(cells(fdt, ep, "moat,section-owners"), std::vector<uint32_t>{0xffffffffu});
        int node = fdt_path_offset(fdt, ep), len = 0;
        const char *peers = static_cast<const char *>(fdt_getprop(fdt, node, "moat,peers", &len));
        ASSERT_NE(peers, nullptr);
        EXPECT_EQ(std::string(peers, len), std::string("linux\0linux1\0", 13));
        EXPECT_EQ(str(fdt, "/moat-console-ring@90100000", "compatible"), "moat,console-ring");
        EXPECT_EQ(cells(fdt, "/moat-console-ring@90100000", "reg"), (std::vector<uint32_t>{0, 0x90100000, 0, 0x1000}));
        // console = "ring": Linux's first lines still go to uart1, the cell's PL011.
        EXPECT_EQ(str(fdt, "/chosen", "stdout-path"), "/pl011@9040000");
    }
}

// A cell with no link and no ring gets only the moat,cell-info node; a console = "pl011" cell keeps
// that UART as stdout-path.
TEST(LinuxDt, NoLinkNoRingOnlyCellInfo)
{
    BoardSystem s = board_system("qemu-virt-gicv3", "qemu-virt-moat", "qemu-virt-linux");
    std::vector<cellc::Blob> overlays;
    for (const cellc::Blob &b : s.overlays)
        if (b.file != "talk-link.dtbo" && b.file != "linux.dtbo" && b.file != "root.dtbo")
            overlays.push_back(b);
    overlays.push_back(compile_dts("plain.dtbo", R"(/dts-v1/; /plugin/;
&{/reserved-memory} { r: linux1@6c000000 { compatible = "moat,cell-memory"; reg = <0x0 0x6c000000 0x0 0x10000000>; }; };
&{/} { moat-cell-linux1 { compatible = "moat,cell"; cell-name = "linux1"; cpus = <&cpu2>; devices = <&uart1>;
  console = "pl011"; console-device = <&uart1>; moat,os = "linux"; entry = <0x0 0x6c000000>;
  ram { memory-region = <&r>; ipa = <0x0 0x6c000000>; loadable; }; }; };)"));
    cellc::LinuxDtResult r = cellc::linux_dt(s.board, overlays, "console=ttyAMA0");
    ASSERT_TRUE(r.diags.empty()) << r.diags[0].str();
    const void *fdt = r.dtb.data();
    EXPECT_EQ(str(fdt, "/moat-cell", "compatible"), "moat,cell-info");
    EXPECT_EQ(fdt_node_offset_by_compatible(fdt, -1, "moat,link-endpoint"), -FDT_ERR_NOTFOUND);
    EXPECT_EQ(fdt_node_offset_by_compatible(fdt, -1, "moat,console-ring"), -FDT_ERR_NOTFOUND);
    EXPECT_EQ(str(fdt, "/chosen", "stdout-path"), "/pl011@9040000");
}

TEST(LinuxDt, ChosenEditorSetsInitrdAndBootargs)
{
    std::vector<char> dtb = virt_linux_dt("qemu-virt-gicv3");
    ASSERT_FALSE(dtb.empty());
    std::vector<uint8_t> tree(dtb.begin(), dtb.end());
    std::string err;
    ASSERT_TRUE(moat::tools::fdt_set_chosen(tree,
                                            {{"bootargs", moat::tools::fdt_string("quiet console=ttyAMA0")},
                                             {"linux,initrd-start", moat::tools::fdt_u64(0x42401000)},
                                             {"linux,initrd-end", moat::tools::fdt_u64(0x424f2000)}},
                                            err))
        << err;
    const void *fdt = tree.data();
    ASSERT_EQ(fdt_check_full(fdt, tree.size()), 0);
    EXPECT_EQ(str(fdt, "/chosen", "bootargs"), "quiet console=ttyAMA0");
    EXPECT_EQ(cells(fdt, "/chosen", "linux,initrd-start"), (std::vector<uint32_t>{0, 0x42401000}));
    EXPECT_EQ(cells(fdt, "/chosen", "linux,initrd-end"), (std::vector<uint32_t>{0, 0x424f2000}));
    EXPECT_EQ(str(fdt, "/chosen", "stdout-path"), "/pl011@9040000") << "other properties kept";
    EXPECT_EQ(cells(fdt, "/memory@6c000000", "reg").size(), 4u) << "other nodes kept";
    tree[0] ^= 1;
    EXPECT_FALSE(moat::tools::fdt_set_chosen(tree, {}, err));
    EXPECT_NE(err.find("no FDT magic"), std::string::npos);
}

TEST(LinuxBoot, LayoutAndImageHeader)
{
    std::vector<uint8_t> image(64, 0);
    moat::tools::KernelImage k;
    std::string err;
    EXPECT_FALSE(moat::tools::parse_kernel_image(image, k, err));
    const uint8_t magic[] = {'A', 'R', 'M', 0x64};
    std::memcpy(image.data() + 56, magic, 4);
    image[18] = 0x01;  // image_size 0x10000
    image[17] = 0x00;
    ASSERT_TRUE(moat::tools::parse_kernel_image(image, k, err)) << err;
    k.image_size = 0x2010000;  // Debian 6.1's
    moat::tools::LinuxLayout at;
    ASSERT_TRUE(moat::tools::plan_linux_layout(0x40000000, 0x8000000, 0x40000000, k, 1522, 987870, at, err)) << err;
    EXPECT_EQ(at.stub, 0x40000000u);
    EXPECT_EQ(at.kernel, 0x40200000u);  // 2 MiB aligned, text_offset 0
    EXPECT_EQ(at.dtb, 0x42400000u);     // 2 MiB aligned after image_size
    EXPECT_EQ(at.initrd, 0x42401000u);
    EXPECT_FALSE(moat::tools::plan_linux_layout(0x40000000, 0x2000000, 0x40000000, k, 1522, 987870, at, err));
    EXPECT_NE(err.find("give the cell more RAM"), std::string::npos) << err;
    std::vector<uint8_t> stub = moat::tools::linux_boot_stub(0x42400000, 0x40200000);
    ASSERT_EQ(stub.size(), 40u);
    EXPECT_EQ(stub[0] | stub[1] << 8 | stub[2] << 16 | uint32_t(stub[3]) << 24, 0x580000c0u);  // ldr x0, dtb
    EXPECT_EQ(stub[24] | stub[25] << 8 | stub[26] << 16 | uint32_t(stub[27]) << 24, 0x42400000u);
}

namespace {

// The ZCU102's Linux cell (cells/zcu102-linux), with linux.dtso's text changed by `edit` if given.
cellc::LinuxDtResult zcu102_linux_dt(std::string (*edit)(std::string) = nullptr)
{
    BoardSystem s = board_system("zcu102", "zcu102-moat", "zcu102-linux");
    std::vector<cellc::Blob> overlays = with_last(s.overlays, "linux");
    if (edit)
        overlays.back() = compile_dts("linux.dtbo", edit(read_text(std::string(MOAT_SOURCE_DIR) +
                                                                   "/cells/zcu102-linux/linux.dtso")));
    return cellc::linux_dt(s.board, overlays, "console=ttyPS0 earlycon");
}

std::string without_line(std::string text, const std::string &needle)
{
    size_t at = text.find(needle);
    if (at == std::string::npos)
        return text;
    size_t begin = text.rfind('\n', at), end = text.find('\n', at);
    return text.erase(begin, end - begin);
}

}  // namespace

// The ZynqMP's uart1 sits on /axi (empty ranges) and takes its clocks, power domain and pins from
// the platform-management firmware: in the cell's tree it is at the root with its reg as it is,
// its clocks are fixed clocks of linux-clock-rates, and nothing names the firmware.
TEST(LinuxDt, Zcu102UartOnAxiWithFixedClocks)
{
    cellc::LinuxDtResult r = zcu102_linux_dt();
    ASSERT_TRUE(r.diags.empty()) << r.diags[0].str();
    const void *fdt = r.dtb.data();
    ASSERT_EQ(fdt_check_full(fdt, r.dtb.size()), 0);
    EXPECT_EQ(cells(fdt, "/memory@6c000000", "reg"), (std::vector<uint32_t>{0, 0x6c000000, 0, 0x10000000}));
    EXPECT_EQ(cells(fdt, "/cpus/cpu@2", "reg"), (std::vector<uint32_t>{0, 2}));
    EXPECT_EQ(cells(fdt, "/cpus/cpu@3", "reg"), (std::vector<uint32_t>{0, 3}));
    EXPECT_LT(fdt_path_offset(fdt, "/cpus/cpu@0"), 0);
    // The GIC-400 (under /axi on the board): distributor and CPU interface only.
    EXPECT_EQ(str(fdt, "/interrupt-controller@f9010000", "compatible"), "arm,cortex-a15-gic");
    EXPECT_EQ(cells(fdt, "/interrupt-controller@f9010000", "reg"),
              (std::vector<uint32_t>{0, 0xf9010000, 0, 0x10000, 0, 0xf9020000, 0, 0x20000}));
    EXPECT_EQ(cells(fdt, "/", "interrupt-parent"), cells(fdt, "/interrupt-controller@f9010000", "phandle"));
    // uart1 at the root, its address and SPI (22: INTID 54) as the board's.
    EXPECT_EQ(cells(fdt, "/serial@ff010000", "reg"), (std::vector<uint32_t>{0, 0xff010000, 0, 0x1000}));
    EXPECT_EQ(cells(fdt, "/serial@ff010000", "interrupts"), (std::vector<uint32_t>{0, 0x16, 4}));
    int uart = fdt_path_offset(fdt, "/serial@ff010000");
    for (const char *p : {"power-domains", "pinctrl-0", "pinctrl-names", "status"})
        EXPECT_EQ(fdt_getprop(fdt, uart, p, nullptr), nullptr) << p << " names what the cell does not get";
    std::vector<uint32_t> clk = cells(fdt, "/serial@ff010000", "clocks");
    ASSERT_EQ(clk.size(), 2u) << "uart_clk and pclk, one fixed clock each (#clock-cells 0)";
    for (uint32_t ph : clk) {
        int n = fdt_node_offset_by_phandle(fdt, ph);
        ASSERT_GE(n, 0);
        EXPECT_STREQ(static_cast<const char *>(fdt_getprop(fdt, n, "compatible", nullptr)), "fixed-clock");
        const fdt32_t *hz = static_cast<const fdt32_t *>(fdt_getprop(fdt, n, "clock-frequency", nullptr));
        ASSERT_NE(hz, nullptr);
        EXPECT_EQ(fdt32_to_cpu(*hz), 100000000u);
    }
    EXPECT_NE(clk[0], clk[1]);
    EXPECT_LT(fdt_path_offset(fdt, "/firmware"), 0) << "the platform-management firmware is the root's";
    EXPECT_LT(fdt_path_offset(fdt, "/serial@ff000000"), 0) << "the root's console";
    EXPECT_LT(fdt_path_offset(fdt, "/axi"), 0);
    // The console: console-device with console = "none" (no Cadence driver in the hypervisor);
    // serial0, so the cell's Linux calls it ttyPS0.
    EXPECT_EQ(str(fdt, "/chosen", "stdout-path"), "/serial@ff010000");
    EXPECT_EQ(str(fdt, "/aliases", "serial0"), "/serial@ff010000");
    EXPECT_EQ(str(fdt, "/chosen", "bootargs"), "console=ttyPS0 earlycon");
}

// Without linux-clock-rates the UART's firmware clocks have no rate: refused, naming them.
TEST(LinuxDt, Zcu102FirmwareClocksNeedRates)
{
    cellc::LinuxDtResult r = zcu102_linux_dt([](std::string t) { return without_line(t, "linux-clock-rates ="); });
    ASSERT_EQ(r.diags.size(), 1u);
    EXPECT_TRUE(r.dtb.empty());
    std::string m = r.diags[0].str();
    EXPECT_NE(m.find("serial@ff010000 uart_clk"), std::string::npos) << m;
    EXPECT_NE(m.find("serial@ff010000 pclk"), std::string::npos) << m;
    EXPECT_NE(m.find("linux-clock-rates gives 0"), std::string::npos) << m;
}

// One rate for two clocks: refused too (a rate must not silently go to the wrong clock).
TEST(LinuxDt, Zcu102ClockRatesCountMustMatch)
{
    cellc::LinuxDtResult r = zcu102_linux_dt([](std::string t) {
        size_t at = t.find("<100000000 100000000>");
        return at == std::string::npos ? t : t.replace(at, 21, "<100000000>");
    });
    ASSERT_EQ(r.diags.size(), 1u);
    EXPECT_NE(r.diags[0].str().find("2 clock(s)"), std::string::npos) << r.diags[0].str();
    EXPECT_NE(r.diags[0].str().find("linux-clock-rates gives 1"), std::string::npos) << r.diags[0].str();
}

// console-device with console = "hypercall" is for a Linux cell's tree only.
TEST(LinuxDt, ConsoleDeviceWithoutPl011OnlyForLinux)
{
    cellc::LinuxDtResult r = zcu102_linux_dt([](std::string t) { return without_line(t, "moat,os ="); });
    ASSERT_FALSE(r.diags.empty());
    EXPECT_NE(r.diags[0].str().find("takes no console-device"), std::string::npos) << r.diags[0].str();
}

// moat cell linux finds the DMA masters by moat-cellc's rule (tools/common/dma_master.hpp): the
// properties, the kinds of controller, a PCI host; a UART is none (found by an attack review:
// it knew only virtio-mmio and dma-coherent, and looked under the platform bus only).
TEST(LinuxDt, DmaMastersByMoatCellcsRule)
{
    cellc::Blob b = compile_dts("dma-rule.dtb", R"(/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>;
  ethernet@ff0e0000 { compatible = "cdns,zynqmp-gem", "cdns,gem"; reg = <0 0xff0e0000 0 0x1000>; };
  mmc@ff170000 { compatible = "acme,card-reader"; iommus = <1 2>; reg = <0 0xff170000 0 0x1000>; };
  dma-controller@fd500000 { compatible = "acme,mover"; #dma-cells = <1>; reg = <0 0xfd500000 0 0x1000>; };
  pcie@fd0e0000 { compatible = "acme,bridge"; device_type = "pci"; reg = <0 0xfd0e0000 0 0x1000>; };
  serial@ff010000 { compatible = "cdns,uart-r1p12"; reg = <0 0xff010000 0 0x1000>; };
};)");
    std::vector<std::uint8_t> tree(b.bytes.begin(), b.bytes.end());
    std::vector<std::string> dma;
    std::string err;
    ASSERT_TRUE(moat::tools::fdt_dma_devices(tree, dma, err)) << err;
    EXPECT_EQ(dma, (std::vector<std::string>{"ff0e0000.ethernet", "ff170000.mmc", "fd500000.dma-controller",
                                             "fd0e0000.pcie"}));
    char tmpl[] = "/tmp/moat-sysfs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::string sys = tmpl, dev = sys + "/bus/amba/devices/fd500000.dma-controller";
    ASSERT_EQ(std::system(("mkdir -p " + dev + " " + sys + "/bus/amba/drivers/dma-pl330").c_str()), 0);
    ASSERT_EQ(symlink("../../../../bus/amba/drivers/dma-pl330", (dev + "/driver").c_str()), 0);
    EXPECT_THAT(moat::tools::bound_dma_device(dma, sys),
                ::testing::HasSubstr("unbind it first: echo fd500000.dma-controller > /sys/bus/amba/drivers/dma-pl330/unbind"));
    std::system(("rm -rf " + sys).c_str());
}
