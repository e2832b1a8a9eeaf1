// SPDX-License-Identifier: GPL-2.0
// gic_cell_owns (arch/arm64/include/arch/gic_owner.hpp): which interrupts taken at EL2 the cell a
// CPU runs may be given (docs/security.md, invariant 2). gic_owner_has at EL2 answers the private
// INTIDs inline and asks this for the rest, once per interrupt taken and once per waiting copy
// offered again (gic_retry_pending).
#include <gtest/gtest.h>

#include "arch/gic_owner.hpp"

using namespace moat;
using moat::arm64::gic_cell_owns;

namespace {
Cell cell_owning(u32 id, std::initializer_list<u32> spis)
{
    Cell c{};
    c.id = id;
    for (u32 i : spis)
        c.irqs[i / 32] |= 1u << (i % 32);
    return c;
}
}  // namespace

TEST(GicCellOwns, SgisAndPpisAreAlwaysTheCpusOwners)
{
    Cell cell = cell_owning(3, {});
    for (u32 i = 0; i < GIC_PRIVATE_COUNT; i++) {
        EXPECT_TRUE(gic_cell_owns(&cell, i)) << i;
        EXPECT_TRUE(gic_cell_owns(nullptr, i)) << i;
    }
}

TEST(GicCellOwns, SpisOnlyByTheCellsMap)
{
    Cell cell = cell_owning(3, {48, 63, 64, 1019});
    Cell root = cell_owning(ROOT_CELL, {33});
    for (u32 i = GIC_SPI_FIRST; i < GIC_SPI_END; i++) {
        bool mine = i == 48 || i == 63 || i == 64 || i == 1019;
        EXPECT_EQ(gic_cell_owns(&cell, i), mine) << i;
        EXPECT_EQ(gic_cell_owns(&root, i), i == 33) << "the root too owns only what its map says: " << i;
        EXPECT_FALSE(gic_cell_owns(nullptr, i)) << "no owner, no SPI: " << i;
    }
}

TEST(GicCellOwns, LpisAreTheRootsOnly)
{
    Cell cell = cell_owning(3, {48});
    Cell root = cell_owning(ROOT_CELL, {});
    for (u32 i : {GIC_LPI_FIRST, GIC_LPI_FIRST + 1, 65535u, 0xffffffu}) {
        EXPECT_FALSE(gic_cell_owns(&cell, i)) << i;
        EXPECT_TRUE(gic_cell_owns(&root, i)) << i;
        EXPECT_TRUE(gic_cell_owns(nullptr, i)) << "a CPU between owners is the root's: " << i;
    }
}

TEST(GicCellOwns, SpecialIntidsAreNotRefusedExtendedRangesAreTheRoots)
{
    // 1020..1023 are never acknowledged as interrupts. GICv3.1's extended PPIs (1056..1119) and
    // SPIs (4096..5119), and whatever else lies below the LPIs, are the root's, as LPIs are.
    Cell cell = cell_owning(3, {});
    for (u32 i : {GIC_SPI_END, 1023u})
        EXPECT_TRUE(gic_cell_owns(&cell, i)) << i;
    Cell root = cell_owning(ROOT_CELL, {});
    for (u32 i : {1024u, 1056u, 1119u, 4096u, 5119u, GIC_LPI_FIRST - 1}) {
        EXPECT_FALSE(gic_cell_owns(&cell, i)) << i;
        EXPECT_TRUE(gic_cell_owns(&root, i)) << i;
        EXPECT_TRUE(gic_cell_owns(nullptr, i)) << i;
    }
}
