// SPDX-License-Identifier: GPL-2.0
// The translation-table builder, walked back with translate() the way the MMU would.
#include <gtest/gtest.h>

#include <cstdlib>

#include "arena.hpp"
#include "arch/paging.hpp"

using namespace moat;
using namespace moat::arm64;
using moat::test::Arena;

namespace {
constexpr u64 GiB = u64{1} << 30, MiB = u64{1} << 20, KiB = 1024;

constexpr u64 ATTRS = pte::AF | pte::S2_MEMATTR_NORMAL_WB | pte::S2_AP_R | pte::S2_AP_W;
}  // namespace

TEST(Paging, UsesBlocksWhereAligned)
{
    Arena a(64);
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 40, 1), PtError::OK);
    EXPECT_EQ(t.root_pages(), 2u);  // 40-bit IPA from level 1 concatenates two tables
    // 1 GiB + 2 MiB + 4 KiB: one 1 GiB block, one 2 MiB block, one page.
    ASSERT_EQ(t.map(0x40000000, 0x40000000, GiB + 2 * MiB + 4 * KiB, ATTRS), PtError::OK);
    u64 pa, attrs;
    unsigned level;
    ASSERT_TRUE(t.translate(0x40001234, &pa, &attrs, &level));
    EXPECT_EQ(pa, 0x40001234u);
    EXPECT_EQ(level, 1u);
    EXPECT_EQ(attrs & ATTRS, ATTRS);
    ASSERT_TRUE(t.translate(0x80000000 + MiB, &pa, nullptr, &level));
    EXPECT_EQ(level, 2u);
    ASSERT_TRUE(t.translate(0x80200000 + 100, &pa, nullptr, &level));
    EXPECT_EQ(level, 3u);
    EXPECT_EQ(pa, 0x80200000u + 100);
    EXPECT_FALSE(t.translate(0x80201000, &pa));
    EXPECT_FALSE(t.translate(0x3ffff000, &pa));
}

TEST(Paging, MapsOffsetTranslation)
{
    Arena a(64);
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 48, 0), PtError::OK);
    ASSERT_EQ(t.map(0x1000000, 0x7fc00000, 3 * MiB, ATTRS), PtError::OK);
    u64 pa;
    unsigned level;
    ASSERT_TRUE(t.translate(0x1000000 + 8, &pa, nullptr, &level));
    EXPECT_EQ(pa, 0x7fc00000u + 8);
    EXPECT_EQ(level, 2u);  // both addresses 2 MiB aligned: a block
    ASSERT_TRUE(t.translate(0x1000000 + 2 * MiB + 8, &pa, nullptr, &level));
    EXPECT_EQ(pa, 0x7fc00000u + 2 * MiB + 8);
    EXPECT_EQ(level, 3u);  // the last MiB: pages
    EXPECT_FALSE(t.translate(0x1000000 + 3 * MiB, &pa));
}

TEST(Paging, UnalignedOutputForcesPages)
{
    Arena a(64);
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 48, 0), PtError::OK);
    ASSERT_EQ(t.map(0x200000, 0x201000, 2 * MiB, ATTRS), PtError::OK);
    u64 pa;
    unsigned level;
    ASSERT_TRUE(t.translate(0x200000, &pa, nullptr, &level));
    EXPECT_EQ(level, 3u);
    EXPECT_EQ(pa, 0x201000u);
}

TEST(Paging, UnmapSplitsBlocks)
{
    Arena a(64);
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 39, 1), PtError::OK);
    ASSERT_EQ(t.map(0, 0, GiB, ATTRS), PtError::OK);
    u64 before = a.pool.used_pages();
    // Punch a 4 KiB hole in the middle of the 1 GiB block.
    ASSERT_EQ(t.unmap(0x12345000, PAGE_SIZE), PtError::OK);
    EXPECT_EQ(a.pool.used_pages(), before + 2);  // one level-2 and one level-3 table
    u64 pa, attrs;
    EXPECT_FALSE(t.translate(0x12345000, &pa));
    ASSERT_TRUE(t.translate(0x12344fff, &pa, &attrs));
    EXPECT_EQ(pa, 0x12344fffu);
    EXPECT_EQ(attrs & ATTRS, ATTRS);
    ASSERT_TRUE(t.translate(0x12346000, &pa));
    ASSERT_TRUE(t.translate(0x3ffff000, &pa));
    // Remapping the whole range collapses it back into a block and frees the tables.
    ASSERT_EQ(t.map(0, 0, GiB, ATTRS), PtError::OK);
    EXPECT_EQ(a.pool.used_pages(), before);
}

TEST(Paging, RejectsBadArguments)
{
    Arena a(16);
    PageTable t;
    EXPECT_EQ(t.map(0, 0, PAGE_SIZE, ATTRS), PtError::OUT_OF_RANGE);  // not initialised
    ASSERT_EQ(t.init(a.pool, 39, 1), PtError::OK);
    EXPECT_EQ(t.map(0x1001, 0, PAGE_SIZE, ATTRS), PtError::BAD_ALIGNMENT);
    EXPECT_EQ(t.map(0, 0, 0, ATTRS), PtError::OUT_OF_RANGE);
    EXPECT_EQ(t.map(u64{1} << 39, 0, PAGE_SIZE, ATTRS), PtError::OUT_OF_RANGE);
    EXPECT_EQ(t.map(~u64{0} - PAGE_SIZE + 1, 0, 2 * PAGE_SIZE, ATTRS), PtError::OUT_OF_RANGE);
    EXPECT_EQ(t.init(a.pool, 52, 0), PtError::OUT_OF_RANGE);
}

TEST(Paging, RunsOutOfPoolCleanly)
{
    Arena a(4);  // 1 bitmap page, 3 table pages
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 48, 0), PtError::OK);
    // Scattered pages need a table per level per region: the pool runs dry.
    PtError err = PtError::OK;
    for (u64 i = 0; i < 8 && err == PtError::OK; i++)
        err = t.map(i << 39, i << 39, PAGE_SIZE, ATTRS);
    EXPECT_EQ(err, PtError::NO_MEMORY);
}

TEST(Paging, DestroyReturnsEveryPage)
{
    Arena a(64);
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 40, 1), PtError::OK);
    ASSERT_EQ(t.map(0x40000000, 0x40000000, 5 * MiB + 12 * KiB, ATTRS), PtError::OK);
    EXPECT_GT(a.pool.used_pages(), 2u);
    t.destroy();
    EXPECT_EQ(a.pool.used_pages(), 0u);
}

TEST(PagePool, AllocatesZeroedAlignedRuns)
{
    Arena a(40);
    u64 p = a.pool.alloc(1);
    ASSERT_NE(p, 0u);
    *reinterpret_cast<u64 *>(p) = 0xdead;
    a.pool.free(p);
    u64 q = a.pool.alloc(1);
    EXPECT_EQ(q, p);
    EXPECT_EQ(*reinterpret_cast<u64 *>(q), 0u);
    u64 run = a.pool.alloc(4);
    ASSERT_NE(run, 0u);
    EXPECT_EQ(run % (4 * PAGE_SIZE), 0u);
    EXPECT_EQ(a.pool.alloc(0), 0u);
    EXPECT_EQ(a.pool.alloc(3), 0u);   // not a power of two
    EXPECT_EQ(a.pool.alloc(32), 0u);  // too large a run
    EXPECT_EQ(a.pool.used_pages(), 5u);
}

TEST(Paging, UnmapFreesEmptiedTables)
{
    Arena a(64);
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 48, 0), PtError::OK);
    u64 base = a.pool.used_pages();
    // Scattered single pages, as temporary windows are: each needs its own chain of tables.
    for (u64 round = 0; round < 20; round++) {
        u64 ia = (round % 5) * (u64{1} << 39) + round * PAGE_SIZE;
        ASSERT_EQ(t.map(ia, ia, PAGE_SIZE, ATTRS), PtError::OK);
        EXPECT_GT(a.pool.used_pages(), base);
        ASSERT_EQ(t.unmap(ia, PAGE_SIZE), PtError::OK);
        EXPECT_EQ(a.pool.used_pages(), base) << "round " << round;
    }
}

TEST(PagePool, ReserveKeepsPagesForLater)
{
    Arena a(8);  // one bitmap page, seven usable
    u64 total = a.pool.total_pages();
    EXPECT_EQ(a.pool.free_pages(), total);
    EXPECT_FALSE(a.pool.reserve(total + 1));
    ASSERT_TRUE(a.pool.reserve(3));
    EXPECT_EQ(a.pool.free_pages(), total - 3);
    for (u64 i = 0; i < total - 3; i++)
        EXPECT_NE(a.pool.alloc(), 0u);
    EXPECT_EQ(a.pool.alloc(), 0u) << "the reserve is not handed out";
    a.pool.release(3);
    EXPECT_NE(a.pool.alloc(), 0u) << "released, it is";
}

TEST(Paging, LeafTableIsMadeOnceAndRefusesBlocks)
{
    Arena a(32);
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 48, 0), PtError::OK);
    u64 *l3 = t.leaf_table(0xffffc0000000ull);
    ASSERT_NE(l3, nullptr);
    EXPECT_EQ(t.leaf_table(0xffffc0000000ull + 511 * PAGE_SIZE), l3);
    EXPECT_NE(t.leaf_table(0xffffc0200000ull), l3);
    l3[5] = 0x5000 | ATTRS | pte::VALID | pte::TABLE;  // what an EL2 window writes
    u64 pa;
    ASSERT_TRUE(t.translate(0xffffc0005000ull, &pa));
    EXPECT_EQ(pa, 0x5000u);
    ASSERT_EQ(t.map(0x40000000, 0x40000000, 2 * MiB, ATTRS), PtError::OK);
    EXPECT_EQ(t.leaf_table(0x40000000), nullptr) << "a block maps it";
}

namespace {
std::vector<u64> breaks;
void record_break(u64 ia) { breaks.push_back(ia); }
}  // namespace

TEST(Paging, SplittingALiveBlockBreaksBeforeMaking)
{
    Arena a(64);
    PageTable t;
    ASSERT_EQ(t.init(a.pool, 40, 1), PtError::OK);
    ASSERT_EQ(t.map(0, 0, GiB, ATTRS), PtError::OK);
    breaks.clear();
    ASSERT_EQ(t.unmap(0x12345000, PAGE_SIZE), PtError::OK);
    EXPECT_TRUE(breaks.empty()) << "no hook set: a table nobody walks yet";
    ASSERT_EQ(t.map(0, 0, GiB, ATTRS), PtError::OK);
    t.set_break_hook(record_break);
    ASSERT_EQ(t.unmap(0x12345000, PAGE_SIZE), PtError::OK);
    // The 1 GiB block, then the 2 MiB block around the page, each broken before its table went in.
    ASSERT_EQ(breaks.size(), 2u);
    EXPECT_EQ(breaks[0], 0u);
    EXPECT_EQ(breaks[1], 0x12200000u);
    breaks.clear();
    ASSERT_EQ(t.map(0, 0, GiB, ATTRS), PtError::OK);  // the table goes, the block comes back
    ASSERT_EQ(breaks.size(), 1u);
    EXPECT_EQ(breaks[0], 0u);
    breaks.clear();
    ASSERT_EQ(t.map(0, 0, GiB, ATTRS), PtError::OK);
    EXPECT_TRUE(breaks.empty()) << "the same entry again needs no break";
}

TEST(Paging, OneRangeNeedsAtMostMaxTablesPerRange)
{
    // Root-cell-like table (level 1, identity): any unmap and the map giving it back stay
    // within MAX_TABLES_PER_RANGE, which cell create reserves per region.
    u64 starts[] = {0, 0x1000, 0x1ff000, 0x3ffff000, 0x40000000 - 0x200000, 0x12345000};
    u64 sizes[] = {0x1000, 0x200000, 0x201000, 0x40001000, 0x3ff000, 0x7f000000};
    for (u64 s : starts)
        for (u64 n : sizes) {
            Arena a(64);
            PageTable t;
            ASSERT_EQ(t.init(a.pool, 40, 1), PtError::OK);
            ASSERT_EQ(t.map(0, 0, 4 * GiB, ATTRS), PtError::OK);
            u64 before = a.pool.used_pages();
            ASSERT_EQ(t.unmap(s, n), PtError::OK);
            EXPECT_LE(a.pool.used_pages(), before + MAX_TABLES_PER_RANGE) << std::hex << s << "+" << n;
            u64 after_unmap = a.pool.used_pages();
            ASSERT_EQ(t.map(s, s, n, ATTRS), PtError::OK);
            EXPECT_LE(a.pool.used_pages(), after_unmap + MAX_TABLES_PER_RANGE) << std::hex << s << "+" << n;
        }
}
