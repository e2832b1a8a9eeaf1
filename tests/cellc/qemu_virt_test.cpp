// SPDX-License-Identifier: GPL-2.0
// The committed QEMU virt cells (cells/qemu-virt) against the committed board tree and moat
// fragment (dts/), compiled here with dtc so the test does not depend on build outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "fixtures.hpp"

using cellc_test::compile_dts_file;
using cellc_test::messages;
using ::testing::IsEmpty;

namespace {

const std::string SRC = MOAT_SOURCE_DIR;

struct QemuVirt {
    cellc::Blob board;
    std::vector<cellc::Blob> overlays;  // the moat fragment, then every cells/qemu-virt/*.dtso
};

QemuVirt qemu_virt(const char *gic)
{
    QemuVirt q{compile_dts_file(std::string(gic) + ".dtb", SRC + "/dts/" + gic + ".dts"), {}};
    q.overlays.push_back(compile_dts_file("qemu-virt-moat.dtbo", SRC + "/dts/qemu-virt-moat.dtso"));
    std::vector<std::string> cells;
    for (const auto &e : std::filesystem::directory_iterator(SRC + "/cells/qemu-virt"))
        if (e.path().extension() == ".dtso")
            cells.push_back(e.path().string());
    std::sort(cells.begin(), cells.end());
    for (const std::string &c : cells)
        q.overlays.push_back(compile_dts_file(std::filesystem::path(c).stem().string() + ".dtbo", c));
    return q;
}

// The overlays with `name`.dtbo moved to the end: the cell to compile.
std::vector<cellc::Blob> with_last(std::vector<cellc::Blob> overlays, const std::string &name)
{
    auto it = std::find_if(overlays.begin(), overlays.end(), [&](const cellc::Blob &b) { return b.file == name + ".dtbo"; });
    std::rotate(it, it + 1, overlays.end());
    return overlays;
}

moat_cell_desc compile(const QemuVirt &q, const std::string &name)
{
    auto r = cellc::compile_cell(q.board, with_last(q.overlays, name));
    EXPECT_THAT(messages(r.diags), IsEmpty());
    moat_cell_desc d{};
    if (r.descriptor.size() == sizeof(d))
        std::memcpy(&d, r.descriptor.data(), sizeof(d));
    return d;
}

}  // namespace

TEST(CellcQemuVirt, WholeSystemChecksOnBothGics)
{
    for (const char *gic : {"qemu-virt-gicv3", "qemu-virt-gicv2"}) {
        QemuVirt q = qemu_virt(gic);
        EXPECT_THAT(messages(cellc::check_system(q.board, q.overlays)), IsEmpty()) << gic;
    }
}

TEST(CellcQemuVirt, OverlayOrderDoesNotMatter)
{
    QemuVirt q = qemu_virt("qemu-virt-gicv3");
    std::vector<cellc::Blob> reversed(q.overlays.rbegin(), q.overlays.rend());
    for (const char *cell : {"root", "ctl-loop", "hello"})
        EXPECT_EQ(cellc::compile_cell(q.board, with_last(q.overlays, cell)).descriptor,
                  cellc::compile_cell(q.board, with_last(reversed, cell)).descriptor) << cell;
}

TEST(CellcQemuVirt, BareMetalCellsFollowTheDemoConvention)
{
    QemuVirt q = qemu_virt("qemu-virt-gicv3");
    for (const char *cell : {"ctl-loop", "hello"}) {
        SCOPED_TRACE(cell);
        moat_cell_desc d = compile(q, cell);
        EXPECT_STREQ(d.name, cell);
        EXPECT_EQ(d.entry, 0x40100000u);
        const moat_cell_mem_region &ram = d.mem_regions[0];
        EXPECT_EQ(ram.virt_start, 0x40000000u);
        EXPECT_EQ(ram.size, 16u << 20);
        EXPECT_TRUE(ram.flags & MOAT_CELL_MEM_LOADABLE);
        EXPECT_EQ(d.num_cpus, 1u);
    }
    EXPECT_EQ(compile(q, "ctl-loop").cpu_mpidr[0], 3u);
    EXPECT_EQ(compile(q, "hello").cpu_mpidr[0], 2u);
}

TEST(CellcQemuVirt, RootCellPlatformOnGicv2)
{
    QemuVirt q = qemu_virt("qemu-virt-gicv2");
    moat_cell_desc d = compile(q, "root");
    EXPECT_EQ(d.platform.gic_version, 2u);
    EXPECT_NE(d.platform.gich_base, 0u);
    // Linux's GICC accesses land on the virtual CPU interface.
    bool gicc_backed_by_gicv = false;
    for (unsigned i = 0; i < d.num_mem_regions; i++)
        gicc_backed_by_gicv |= d.mem_regions[i].virt_start == d.platform.gicc_base &&
                               d.mem_regions[i].phys_start == d.platform.gicv_base;
    EXPECT_TRUE(gicc_backed_by_gicv);
}
