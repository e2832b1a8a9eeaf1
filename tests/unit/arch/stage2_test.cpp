// SPDX-License-Identifier: GPL-2.0
// Stage-2 set-up of arch/arm64/stage2.cpp against the Arm ARM (DDI 0487):
//  - ID_AA64MMFR0_EL1.PARange [3:0]: 0 32 bits, 1 36, 2 40, 3 42, 4 44, 5 48, 6 52;
//  - VTCR_EL2: T0SZ [5:0], SL0 [7:6] (4 KiB granule: 0 = level 2, 1 = level 1, 2 = level 0),
//    IRGN0 [9:8] and ORGN0 [11:10] (1 = write-back write-allocate), SH0 [13:12] (3 = inner
//    shareable), TG0 [15:14] (0 = 4 KiB), PS [18:16] (PARange encoding), VS [19], bit 31 RES1;
//  - a level-1 start with the 4 KiB granule resolves 31..43-bit input addresses, concatenating
//    2^(ia - 39) tables above 39 bits (AArch64.S2InconsistentSL, D8.2 "concatenated tables");
//  - stage-2 leaf attributes: MemAttr [5:2] (0b1111 Normal write-back), S2AP [7:6] (bit 6 read,
//    bit 7 write), SH [9:8], AF [10], XN [54:53].
#include <gtest/gtest.h>

#include <cstdlib>

#include "arena.hpp"
#include "arch/stage2.hpp"

using namespace moat;
using namespace moat::arm64;
using moat::test::Arena;

namespace {
constexpr u64 GiB = u64{1} << 30, MiB = u64{1} << 20;

u64 field(u64 v, unsigned lo, unsigned width) { return (v >> lo) & ((u64{1} << width) - 1); }

// Physical-address bits of a PARange value (Arm ARM, ID_AA64MMFR0_EL1).
unsigned pa_bits_of(u64 parange)
{
    switch (parange) {
    case 0: return 32;
    case 1: return 36;
    case 2: return 40;
    case 3: return 42;
    case 4: return 44;
    case 5: return 48;
    case 6: return 52;
    default: return 0;
    }
}

// QEMU virt's hypervisor region (dts/qemu-virt-moat.dtso).
constexpr u64 HV_BASE = 0x7fc00000, HV_SIZE = 4 * MiB;
constexpr u64 RAM_ATTRS = 0x7fc;  // AF | SH 0b11 | S2AP 0b11 | MemAttr 0b1111
}  // namespace

TEST(Stage2IaBits, FollowsParangeUpTo40Bits)
{
    EXPECT_EQ(stage2_ia_bits(0), 32u);
    EXPECT_EQ(stage2_ia_bits(1), 36u);
    EXPECT_EQ(stage2_ia_bits(2), 40u);
    EXPECT_EQ(stage2_ia_bits(3), 40u);  // 42-bit PA, capped
    EXPECT_EQ(stage2_ia_bits(4), 40u);  // 44 (Cortex-A57, QEMU's cortex-a57)
    EXPECT_EQ(stage2_ia_bits(5), 40u);  // 48
    EXPECT_EQ(stage2_ia_bits(6), 40u);  // 52
}

TEST(Stage2IaBits, ReservedParangeIsCapped)
{
    for (u64 parange = 7; parange < 16; parange++)
        EXPECT_EQ(stage2_ia_bits(parange), 40u) << parange;
}

TEST(Stage2IaBits, IgnoresOtherMmfr0Fields)
{
    // ASIDBits, BigEnd, TGran* and the rest live above bit 3.
    EXPECT_EQ(stage2_ia_bits(0x00001120), 32u);
    EXPECT_EQ(stage2_ia_bits(0x00001121), 36u);
    EXPECT_EQ(stage2_ia_bits(0xfffffffffffffff0ull), 32u);
    EXPECT_EQ(stage2_ia_bits(0xfffffffffffffff1ull), 36u);
}

TEST(Stage2Vtcr, FieldsFor40BitInput)
{
    u64 v = stage2_vtcr(40, 2);
    EXPECT_EQ(field(v, 0, 6), 24u);   // T0SZ = 64 - 40
    EXPECT_EQ(field(v, 6, 2), 1u);    // SL0: start at level 1
    EXPECT_EQ(field(v, 8, 2), 1u);    // IRGN0 WBWA
    EXPECT_EQ(field(v, 10, 2), 1u);   // ORGN0 WBWA
    EXPECT_EQ(field(v, 12, 2), 3u);   // SH0 inner shareable
    EXPECT_EQ(field(v, 14, 2), 0u);   // TG0 4 KiB
    EXPECT_EQ(field(v, 16, 3), 2u);   // PS 40 bits
    EXPECT_EQ(field(v, 19, 1), 0u);   // VS: 8-bit VMID
    EXPECT_EQ(field(v, 31, 1), 1u);   // RES1
    EXPECT_EQ(v, 0x80023558u);
}

TEST(Stage2Vtcr, QemuCortexA57)
{
    // ID_AA64MMFR0_EL1 of Cortex-A57 (TRM): 0x00001124, PARange 0b0100 = 44 bits.
    constexpr u64 MMFR0 = 0x00001124;
    unsigned ia = stage2_ia_bits(MMFR0);
    EXPECT_EQ(ia, 40u);
    EXPECT_EQ(stage2_vtcr(ia, MMFR0), 0x80043558u);  // PS = 0b100
}

TEST(Stage2Vtcr, SmallestInput)
{
    u64 v = stage2_vtcr(32, 0);
    EXPECT_EQ(field(v, 0, 6), 32u);
    EXPECT_EQ(field(v, 16, 3), 0u);
    EXPECT_EQ(v, 0x80003560u);
}

TEST(Stage2Vtcr, PsClampedTo48Bits)
{
    // 52-bit PS needs FEAT_LPA/LPA2 descriptors; the 4 KiB tables here are 48-bit.
    EXPECT_EQ(field(stage2_vtcr(40, 6), 16, 3), 5u);
    for (u64 parange = 7; parange < 16; parange++)
        EXPECT_EQ(field(stage2_vtcr(40, parange), 16, 3), 5u) << parange;
    EXPECT_EQ(field(stage2_vtcr(40, 5), 16, 3), 5u);
    EXPECT_EQ(field(stage2_vtcr(40, 3), 16, 3), 3u);
    // Only PARange counts, and only PS changes with it.
    EXPECT_EQ(stage2_vtcr(40, 0x1126) & ~(u64{7} << 16), stage2_vtcr(40, 2) & ~(u64{7} << 16));
    EXPECT_EQ(stage2_vtcr(40, 0xfffffffffffffff4ull), stage2_vtcr(40, 4));
}

TEST(Stage2Vtcr, EveryParangeGivesAConsistentWalk)
{
    for (u64 parange = 0; parange < 16; parange++) {
        u64 mmfr0 = parange;
        unsigned ia = stage2_ia_bits(mmfr0);
        u64 v = stage2_vtcr(ia, mmfr0);
        unsigned t0sz = static_cast<unsigned>(field(v, 0, 6));
        unsigned in_bits = 64 - t0sz;
        EXPECT_EQ(in_bits, ia) << parange;
        EXPECT_EQ(field(v, 6, 2), 1u) << parange;
        // Level-1 start, 4 KiB granule: 31..43 input bits, else a stage-2 translation fault on
        // every access (AArch64.S2InconsistentSL).
        EXPECT_GE(in_bits, 31u) << parange;
        EXPECT_LE(in_bits, 43u) << parange;
        // The input range never exceeds the output size PS programs (nor the CPU's PA size).
        unsigned ps_bits = pa_bits_of(field(v, 16, 3));
        EXPECT_LE(in_bits, ps_bits) << parange;
        if (parange <= 6) {
            EXPECT_LE(ps_bits, pa_bits_of(parange)) << parange;
        }
    }
}

// What the page-table code is asked for when a root cell maps all of its input space but the
// hypervisor's memory (the layout of QEMU virt's root cell, in one call): one identity mapping,
// then a hole. Blocks where aligned, tables split where the hole cuts them.
static PtError stage2_build_root(Stage2 &s2, PagePool &pool, unsigned ia_bits, u64 hv_base, u64 hv_size)
{
    PtError err = s2.table.init(pool, ia_bits, STAGE2_START_LEVEL);
    if (err != PtError::OK)
        return err;
    err = s2.table.map(0, 0, u64{1} << ia_bits, RAM_ATTRS);
    if (err != PtError::OK)
        return err;
    return s2.table.unmap(hv_base, hv_size);
}

TEST(Stage2Root, MapsEverythingButTheHypervisor)
{
    Arena arena(16);
    Stage2 s2{};
    ASSERT_EQ(stage2_build_root(s2, arena.pool, 40, HV_BASE, HV_SIZE), PtError::OK);
    EXPECT_EQ(s2.table.ia_bits(), 40u);
    EXPECT_EQ(s2.table.start_level(), 1u);
    EXPECT_EQ(s2.table.root_pages(), 2u);  // 2^(40 - 39) concatenated level-1 tables
    EXPECT_EQ(s2.table.root() % (2 * PAGE_SIZE), 0u);  // aligned to its size
    // Two root pages and one level-2 table for the GiB that holds the hole.
    EXPECT_EQ(arena.pool.used_pages(), 3u);

    u64 pa = 0, attrs = 0;
    unsigned level = 0;
    const u64 identity_blocks[] = {
        0x0,            // flash
        0x08000000,     // GICD
        0x09000000,     // PL011
        0x0a000000,     // virtio-mmio
        0x10000000,     // PCIe 32-bit window
        0x4010000000,   // PCIe ECAM
        0x8000000000,   // PCIe 64-bit window, second root table
        0xfffffff000,   // last page of the 40-bit space
    };
    for (u64 ia : identity_blocks) {
        ASSERT_TRUE(s2.table.translate(ia + 0x123, &pa, &attrs, &level)) << std::hex << ia;
        EXPECT_EQ(pa, ia + 0x123) << std::hex << ia;
        EXPECT_EQ(level, 1u) << std::hex << ia;
        EXPECT_EQ(attrs, RAM_ATTRS) << std::hex << ia;
    }
    // The GiB of RAM around the hypervisor is made of 2 MiB blocks, identity.
    for (u64 ia : {u64{0x40000000}, u64{0x7fa00000}, u64{0x7fbff000}}) {
        ASSERT_TRUE(s2.table.translate(ia, &pa, &attrs, &level)) << std::hex << ia;
        EXPECT_EQ(pa, ia);
        EXPECT_EQ(level, 2u);
        EXPECT_EQ(attrs, RAM_ATTRS);
    }
    // The hypervisor's 4 MiB are not there, first byte to last.
    for (u64 ia = HV_BASE; ia < HV_BASE + HV_SIZE; ia += PAGE_SIZE)
        ASSERT_FALSE(s2.table.translate(ia, &pa)) << std::hex << ia;
    EXPECT_FALSE(s2.table.translate(HV_BASE + HV_SIZE - 1, &pa));
    ASSERT_TRUE(s2.table.translate(HV_BASE - 1, &pa));
    EXPECT_EQ(pa, HV_BASE - 1);
    ASSERT_TRUE(s2.table.translate(HV_BASE + HV_SIZE, &pa, nullptr, &level));
    EXPECT_EQ(pa, HV_BASE + HV_SIZE);
    EXPECT_EQ(level, 1u);  // 0x80000000 starts the next GiB
    // Nothing beyond the input range.
    EXPECT_FALSE(s2.table.translate(u64{1} << 40, &pa));
}

TEST(Stage2Root, UnalignedHoleUsesPages)
{
    Arena arena(16);
    Stage2 s2{};
    constexpr u64 base = 0x40081000, size = 0x5000;
    ASSERT_EQ(stage2_build_root(s2, arena.pool, 40, base, size), PtError::OK);
    EXPECT_EQ(arena.pool.used_pages(), 4u);  // 2 roots, 1 level-2, 1 level-3 table
    u64 pa = 0;
    unsigned level = 0;
    ASSERT_TRUE(s2.table.translate(base - 1, &pa, nullptr, &level));
    EXPECT_EQ(pa, base - 1);
    EXPECT_EQ(level, 3u);
    for (u64 ia = base; ia < base + size; ia += PAGE_SIZE)
        EXPECT_FALSE(s2.table.translate(ia, &pa)) << std::hex << ia;
    ASSERT_TRUE(s2.table.translate(base + size, &pa, nullptr, &level));
    EXPECT_EQ(pa, base + size);
    EXPECT_EQ(level, 3u);
    ASSERT_TRUE(s2.table.translate(0x40200000, &pa, nullptr, &level));
    EXPECT_EQ(level, 2u);
    ASSERT_TRUE(s2.table.translate(0x3ffff000, &pa, nullptr, &level));
    EXPECT_EQ(level, 1u);
}

TEST(Stage2Root, ThirtyTwoBitInputUsesOneRootTable)
{
    Arena arena(16);
    Stage2 s2{};
    ASSERT_EQ(stage2_build_root(s2, arena.pool, 32, HV_BASE, HV_SIZE), PtError::OK);
    EXPECT_EQ(s2.table.root_pages(), 1u);
    EXPECT_EQ(arena.pool.used_pages(), 2u);
    u64 pa = 0;
    unsigned level = 0;
    ASSERT_TRUE(s2.table.translate(0xfffff000, &pa, nullptr, &level));
    EXPECT_EQ(pa, 0xfffff000u);
    EXPECT_EQ(level, 1u);
    EXPECT_FALSE(s2.table.translate(HV_BASE, &pa));
    EXPECT_FALSE(s2.table.translate(0x100000000, &pa));
}

TEST(Stage2Root, HoleInTheSecondRootTable)
{
    Arena arena(16);
    Stage2 s2{};
    constexpr u64 base = 0x8000200000;  // above 2^39: root table 1
    ASSERT_EQ(stage2_build_root(s2, arena.pool, 40, base, 2 * MiB), PtError::OK);
    u64 pa = 0;
    unsigned level = 0;
    EXPECT_FALSE(s2.table.translate(base, &pa));
    EXPECT_FALSE(s2.table.translate(base + 2 * MiB - 1, &pa));
    ASSERT_TRUE(s2.table.translate(0x8000000000, &pa, nullptr, &level));
    EXPECT_EQ(level, 2u);
    // The same offset in root table 0 is untouched.
    ASSERT_TRUE(s2.table.translate(base - (u64{1} << 39), &pa, nullptr, &level));
    EXPECT_EQ(pa, base - (u64{1} << 39));
    EXPECT_EQ(level, 1u);
}

TEST(Stage2Root, RefusesBadHypervisorRegion)
{
    {
        Arena arena(16);
        Stage2 s2{};
        EXPECT_EQ(stage2_build_root(s2, arena.pool, 40, HV_BASE + 0x10, HV_SIZE),
                  PtError::BAD_ALIGNMENT);
    }
    {
        Arena arena(16);
        Stage2 s2{};
        EXPECT_EQ(stage2_build_root(s2, arena.pool, 40, HV_BASE, 0), PtError::OUT_OF_RANGE);
    }
    {
        Arena arena(16);
        Stage2 s2{};
        EXPECT_EQ(stage2_build_root(s2, arena.pool, 32, 0xfff00000, 2 * MiB), PtError::OUT_OF_RANGE);
    }
}

TEST(Stage2Root, RefusesInputSizesTheTableCannotStartAtLevel1)
{
    Arena arena(16);
    Stage2 s2{};
    // Level 1 covers 39 bits; 16 concatenated tables reach 43, 44 would need 32.
    EXPECT_EQ(stage2_build_root(s2, arena.pool, 44, HV_BASE, HV_SIZE), PtError::OUT_OF_RANGE);
    EXPECT_EQ(arena.pool.used_pages(), 0u);
}

TEST(Stage2Root, ReportsAnExhaustedPool)
{
    {
        Arena arena(2);  // one bitmap page, one page: not even the two root tables
        Stage2 s2{};
        EXPECT_EQ(stage2_build_root(s2, arena.pool, 40, HV_BASE, HV_SIZE), PtError::NO_MEMORY);
    }
    {
        // Room for the roots but not for the level-2 table the hole needs: one bitmap page at
        // an odd page, then two pages forming an aligned pair.
        Arena arena(3, 1);
        Stage2 s2{};
        EXPECT_EQ(stage2_build_root(s2, arena.pool, 40, HV_BASE, HV_SIZE), PtError::NO_MEMORY);
    }
}

// A forced stop of a cell with direct interrupt delivery takes its stage-2 root entries away:
// afterwards nothing of the cell translates (its next fetch faults to EL2); restored, everything
// translates as before, and the tables free completely (none lost while the root was empty).
TEST(Stage2Revoke, NothingTranslatesUntilRestored)
{
    Arena arena(64);
    const size_t all = arena.pool.free_pages();
    PageTable t;
    ASSERT_EQ(t.init(arena.pool, 40, STAGE2_START_LEVEL), PtError::OK);
    ASSERT_EQ(t.map(0x40000000, 0x7c000000, 16 * MiB, RAM_ATTRS), PtError::OK);  // RAM
    ASSERT_EQ(t.map(0x50000000, 0x7e000000, 0x1000, RAM_ATTRS), PtError::OK);    // shared page
    ASSERT_EQ(t.map(0x9010000, 0x9010000, 0x1000, RAM_ATTRS), PtError::OK);      // a device
    EXPECT_EQ(stage2_live_root_entries(t), 2u);  // the first and the second GiB
    Stage2Revoked r{};
    ASSERT_TRUE(stage2_revoke_root(t, r));
    EXPECT_TRUE(r.active);
    EXPECT_EQ(r.count, 2u);
    EXPECT_EQ(stage2_live_root_entries(t), 0u);
    u64 pa = 0;
    for (u64 ipa : {u64{0x40000000}, u64{0x40fff000}, u64{0x50000000}, u64{0x9010000}})
        EXPECT_FALSE(t.translate(ipa, &pa)) << std::hex << ipa;
    ASSERT_TRUE(stage2_revoke_root(t, r));  // a second stop request: nothing more to take
    EXPECT_EQ(r.count, 2u);
    stage2_restore_root(t, r);
    EXPECT_FALSE(r.active);
    ASSERT_TRUE(t.translate(0x40123000, &pa));
    EXPECT_EQ(pa, 0x7c123000u);
    ASSERT_TRUE(t.translate(0x50000000, &pa));
    EXPECT_EQ(pa, 0x7e000000u);
    ASSERT_TRUE(t.translate(0x9010000, &pa));
    EXPECT_EQ(pa, 0x9010000u);
    stage2_restore_root(t, r);  // twice: no harm
    t.destroy();
    EXPECT_EQ(arena.pool.free_pages(), all);
}

// More live root entries than the save area holds: refused, nothing changed (cell create refuses
// such a cell with direct delivery beforehand).
TEST(Stage2Revoke, RefusedBeyondTheSaveArea)
{
    Arena arena(2 * (STAGE2_REVOKE_MAX + 1) + 8);
    PageTable t;
    ASSERT_EQ(t.init(arena.pool, 40, STAGE2_START_LEVEL), PtError::OK);
    for (u64 i = 0; i <= STAGE2_REVOKE_MAX; i++)
        ASSERT_EQ(t.map(i * GiB, 0x40000000, 0x1000, RAM_ATTRS), PtError::OK) << i;
    EXPECT_EQ(stage2_live_root_entries(t), STAGE2_REVOKE_MAX + 1);
    Stage2Revoked r{};
    EXPECT_FALSE(stage2_revoke_root(t, r));
    EXPECT_FALSE(r.active);
    EXPECT_EQ(stage2_live_root_entries(t), STAGE2_REVOKE_MAX + 1);
    u64 pa = 0;
    EXPECT_TRUE(t.translate(STAGE2_REVOKE_MAX * GiB, &pa));
    t.destroy();
}
