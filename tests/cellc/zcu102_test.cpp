// SPDX-License-Identifier: GPL-2.0
// The committed ZCU102 cells (cells/zcu102) against the committed board tree and moat fragment
// (dts/zcu102.dts, dts/zcu102-moat.dtso), compiled here with dtc so the test does not depend on
// build outputs. The root cell is the reason MOAT_CELL_MAX_MEM_REGIONS is 64: Linux keeps every
// device, and the ZynqMP's peripherals sit in 64 KiB slots that do not touch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include "fixtures.hpp"
#include "lib/cell_validate.hpp"

using cellc_test::BoardSystem;
using cellc_test::messages;
using ::testing::IsEmpty;

namespace {

// The committed tree, moat's fragment, and the root and ctl-loop cells.
BoardSystem zcu102() { return cellc_test::board_system("zcu102", "zcu102-moat", "zcu102"); }

moat_cell_desc compile(const BoardSystem &z, const std::string &name) { return cellc_test::compile_system_cell(z, name); }

const moat_cell_mem_region *region_at_ipa(const moat_cell_desc &d, moat_u64 ipa)
{
    for (unsigned i = 0; i < d.num_mem_regions; i++)
        if (d.mem_regions[i].virt_start == ipa)
            return &d.mem_regions[i];
    return nullptr;
}

}  // namespace

TEST(CellcZcu102, WholeSystemChecks)
{
    BoardSystem z = zcu102();
    EXPECT_THAT(messages(cellc::check_system(z.board, z.overlays)), IsEmpty());
}

TEST(CellcZcu102, RootCellNeedsMoreThan32Regions)
{
    moat_cell_desc d = compile(zcu102(), "root");
    ASSERT_TRUE(d.flags & MOAT_CELL_FLAG_ROOT);
    char err[256];
    EXPECT_TRUE(moat::cell_validate(&d, sizeof(d), err, sizeof(err))) << err;
    // What the old 32-entry descriptor could not hold; still within the current one.
    EXPECT_GT(d.num_mem_regions, 32u);
    EXPECT_LE(d.num_mem_regions, unsigned(MOAT_CELL_MAX_MEM_REGIONS));
    EXPECT_EQ(d.num_cpus, 4u);
}

TEST(CellcZcu102, RootCellPlatformIsAGic400)
{
    moat_cell_desc d = compile(zcu102(), "root");
    const moat_cell_platform &p = d.platform;
    EXPECT_EQ(p.gic_version, 2u);
    EXPECT_EQ(p.psci_method, unsigned(MOAT_CELL_PSCI_SMC));
    // The ZynqMP repeats each 4 KiB GIC page every 64 KiB and Linux uses the CPU interface at
    // its 64 KiB alias: the GICV window backing the guest's GICC must be as large as GICC.
    EXPECT_GT(p.gicc_size, 0x10000u);
    EXPECT_EQ(p.gicv_size, p.gicc_size);
    const moat_cell_mem_region *gicc = region_at_ipa(d, p.gicc_base);
    ASSERT_NE(gicc, nullptr);
    EXPECT_EQ(gicc->phys_start, p.gicv_base);
    EXPECT_EQ(gicc->size, p.gicc_size);
    // stdout-path names a Cadence UART: no PL011, so the hypervisor console is its ring only.
    EXPECT_EQ(d.platform.debug_uart.type, unsigned(MOAT_CELL_CONSOLE_NONE));
    // Neither the distributor nor the virtual interface control is the root's to touch.
    EXPECT_EQ(region_at_ipa(d, p.gicd_base), nullptr);
    EXPECT_EQ(region_at_ipa(d, p.gich_base), nullptr);
}

TEST(CellcZcu102, CtlLoopOwnsUart1)
{
    BoardSystem z = zcu102();
    moat_cell_desc root = compile(z, "root");
    moat_cell_desc d = compile(z, "ctl-loop");
    EXPECT_EQ(d.num_cpus, 1u);
    EXPECT_EQ(d.cpu_mpidr[0], 3u);
    // Its IO region is one the root cell has too (the root gives it up while the cell runs).
    unsigned io = 0;
    for (unsigned i = 0; i < d.num_mem_regions; i++) {
        if (!(d.mem_regions[i].flags & MOAT_CELL_MEM_IO))
            continue;
        io++;
        EXPECT_NE(region_at_ipa(root, d.mem_regions[i].phys_start), nullptr);
    }
    EXPECT_EQ(io, 1u);
}
