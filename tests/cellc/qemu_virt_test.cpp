// SPDX-License-Identifier: GPL-2.0
// The committed QEMU virt cells (cells/qemu-virt) against the committed board tree and moat
// fragment (dts/), compiled here with dtc so the test does not depend on build outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include "fixtures.hpp"

using cellc_test::BoardSystem;
using cellc_test::messages;
using cellc_test::with_last;
using ::testing::IsEmpty;

namespace {

// The committed tree for `gic` (dts/qemu-virt-gicv3 or -gicv2), moat's fragment, every cell.
BoardSystem qemu_virt(const char *gic) { return cellc_test::board_system(gic, "qemu-virt-moat", "qemu-virt"); }

moat_cell_desc compile(const BoardSystem &q, const std::string &name) { return cellc_test::compile_system_cell(q, name); }

}  // namespace

TEST(CellcQemuVirt, WholeSystemChecksOnBothGics)
{
    for (const char *gic : {"qemu-virt-gicv3", "qemu-virt-gicv2"}) {
        BoardSystem q = qemu_virt(gic);
        EXPECT_THAT(messages(cellc::check_system(q.board, q.overlays)), IsEmpty()) << gic;
    }
}

TEST(CellcQemuVirt, OverlayOrderDoesNotMatter)
{
    BoardSystem q = qemu_virt("qemu-virt-gicv3");
    std::vector<cellc::Blob> reversed(q.overlays.rbegin(), q.overlays.rend());
    for (const char *cell : {"root", "ctl-loop", "hello"})
        EXPECT_EQ(cellc::compile_cell(q.board, with_last(q.overlays, cell)).descriptor,
                  cellc::compile_cell(q.board, with_last(reversed, cell)).descriptor) << cell;
}

TEST(CellcQemuVirt, BareMetalCellsFollowTheDemoConvention)
{
    BoardSystem q = qemu_virt("qemu-virt-gicv3");
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
    BoardSystem q = qemu_virt("qemu-virt-gicv2");
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
