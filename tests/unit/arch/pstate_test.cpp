// SPDX-License-Identifier: GPL-2.0
// arch/arm64/include/arch/pstate.hpp: the PSTATE of an exception moat injects into a cell's EL1,
// and the condition check of a trapped AArch32 instruction (docs/security.md, invariant 3).
#include <gtest/gtest.h>

#include "arch/pstate.hpp"

using namespace moat;
using namespace moat::arm64;

namespace {
constexpr EntryFeatures ALL{true, true, true}, NONE{false, false, false};
constexpr u64 DAIF = SPSR_D | SPSR_A | SPSR_I | SPSR_F;
constexpr u64 EL0T = 0x0, EL1H = 0x5, USR32 = 0x10;  // SPSR M fields
constexpr u64 SCTLR_LINUX = 0;                        // SPAN 0 (PAN on entry), DSSBS 0

// ESR of a trapped MRC/MCR (EC 0x03) with CV/COND.
constexpr u64 esr_cp15(bool cv, u32 cond)
{
    return (u64{0x03} << ESR_EC_SHIFT) | ESR_IL | (cv ? ESR_CV : 0) | (u64{cond} << ESR_COND_SHIFT);
}
constexpr u64 flags(bool n, bool z, bool c, bool v)
{
    return (n ? PSTATE_N : 0) | (z ? PSTATE_Z : 0) | (c ? PSTATE_C : 0) | (v ? PSTATE_V : 0);
}
// SPSR (AArch32 format) with ITSTATE `it`.
constexpr u64 with_it(u64 spsr, u32 it) { return spsr | (u64{it & 3} << 25) | (u64{it >> 2} << 10); }
}  // namespace

TEST(El1EntryPstate, El1hWithEveryExceptionMasked)
{
    for (u64 from : {EL0T, EL1H, USR32, USR32 | PSTATE_T}) {
        u64 p = el1_entry_pstate(from, SCTLR_LINUX, NONE);
        EXPECT_EQ(p & SPSR_M_MASK, SPSR_M_EL1H) << from;
        EXPECT_EQ(p & PSTATE_AARCH32, 0u) << "AArch64 at EL1: " << from;
        EXPECT_EQ(p & DAIF, DAIF) << from;
        EXPECT_EQ(p & PSTATE_T, 0u) << from;
    }
}

TEST(El1EntryPstate, PanSetWhenSpanIsZeroKeptOtherwise)
{
    // Linux clears SCTLR_EL1.SPAN and relies on entry setting PAN (its uaccess hardening).
    EXPECT_TRUE(el1_entry_pstate(USR32, SCTLR_LINUX, ALL) & PSTATE_PAN);
    EXPECT_TRUE(el1_entry_pstate(EL0T, SCTLR_LINUX, ALL) & PSTATE_PAN);
    EXPECT_TRUE(el1_entry_pstate(EL1H | PSTATE_PAN, SCTLR_EL1_SPAN, ALL) & PSTATE_PAN);
    EXPECT_FALSE(el1_entry_pstate(EL1H, SCTLR_EL1_SPAN, ALL) & PSTATE_PAN);
    EXPECT_FALSE(el1_entry_pstate(EL0T, SCTLR_LINUX, NONE) & PSTATE_PAN) << "no FEAT_PAN, no bit";
}

TEST(El1EntryPstate, SsbsFromDssbsTcoWithMte)
{
    EXPECT_TRUE(el1_entry_pstate(EL0T, SCTLR_EL1_DSSBS, ALL) & PSTATE_SSBS);
    EXPECT_FALSE(el1_entry_pstate(EL0T | PSTATE_SSBS, 0, ALL) & PSTATE_SSBS) << "not kept: DSSBS 0";
    EXPECT_FALSE(el1_entry_pstate(EL0T, SCTLR_EL1_DSSBS, NONE) & PSTATE_SSBS);
    EXPECT_TRUE(el1_entry_pstate(EL0T, 0, ALL) & PSTATE_TCO);
    EXPECT_FALSE(el1_entry_pstate(EL0T, 0, NONE) & PSTATE_TCO);
    // An AArch32 SPSR's bit 25 is ITSTATE[0], not TCO: not carried over.
    EXPECT_FALSE(el1_entry_pstate(with_it(USR32, 1), 0, NONE) & PSTATE_TCO);
}

TEST(El1EntryPstate, FlagsAndDitKeptTheRestCleared)
{
    u64 from = flags(true, false, true, true) | PSTATE_DIT | EL0T | (u64{1} << 21) /* SS */ |
               (u64{1} << 23) /* UAO */ | (u64{3} << 10) /* BTYPE */ | (u64{1} << 20) /* IL */;
    u64 p = el1_entry_pstate(from, SCTLR_LINUX, NONE);
    EXPECT_EQ(p, flags(true, false, true, true) | PSTATE_DIT | DAIF | SPSR_M_EL1H);
    // AArch32: ITSTATE, T, GE, Q, E not carried into an AArch64 PSTATE.
    u64 p32 = el1_entry_pstate(with_it(USR32 | PSTATE_T | (u64{0xf} << 16) | (u64{1} << 27) | (u64{1} << 9), 0xff),
                               SCTLR_LINUX, NONE);
    EXPECT_EQ(p32, DAIF | SPSR_M_EL1H);
}

TEST(Aarch32Condition, EveryConditionAgainstEveryFlagSet)
{
    for (u32 nzcv = 0; nzcv < 16; nzcv++) {
        bool n = nzcv & 8, z = nzcv & 4, c = nzcv & 2, v = nzcv & 1;
        u64 s = flags(n, z, c, v);
        const bool expect[16] = {z,      !z,      c,       !c,       n,           !n,          v,    !v,
                                 c && !z, !(c && !z), n == v, n != v, !z && n == v, !(!z && n == v), true, true};
        for (u32 cond = 0; cond < 16; cond++)
            EXPECT_EQ(aarch32_condition_holds(cond, s), expect[cond]) << "cond " << cond << " nzcv " << nzcv;
    }
}

TEST(Aarch32Condition, TrappedInstructionFailsOnlyWithAFailingValidCondition)
{
    u64 zero = USR32 | PSTATE_Z;
    EXPECT_TRUE(aarch32_trap_condition_failed(esr_cp15(true, 1), zero)) << "MRCNE with Z set";
    EXPECT_FALSE(aarch32_trap_condition_failed(esr_cp15(true, 0), zero)) << "MRCEQ with Z set";
    EXPECT_FALSE(aarch32_trap_condition_failed(esr_cp15(true, 14), zero)) << "unconditional";
    EXPECT_FALSE(aarch32_trap_condition_failed(esr_cp15(true, 1), EL0T | PSTATE_Z)) << "from AArch64: never";
    // CV 0 (T32): the IT block's condition, none outside one.
    EXPECT_FALSE(aarch32_trap_condition_failed(esr_cp15(false, 1), zero | PSTATE_T));
    u64 it_ne = with_it(zero | PSTATE_T, 0x18);  // ITSTATE: cond NE (0001), one instruction left
    EXPECT_TRUE(aarch32_trap_condition_failed(esr_cp15(false, 0), it_ne));
    u64 it_eq = with_it(zero | PSTATE_T, 0x08);  // cond EQ
    EXPECT_FALSE(aarch32_trap_condition_failed(esr_cp15(false, 0), it_eq));
}

TEST(Aarch32Condition, ItAdvanceMovesThroughTheBlockAndEndsIt)
{
    u64 base = USR32 | PSTATE_T | flags(false, true, false, false);
    EXPECT_EQ(aarch32_it_advance(base), base) << "outside an IT block nothing changes";
    // Three instructions left in an EQ block (ITSTATE 0000 0110): IT[4:0] moves left one bit per
    // instruction until IT[2:0] is 000, and the block ends after that one.
    u64 s = with_it(base, 0x06);
    s = aarch32_it_advance(s);
    EXPECT_EQ(aarch32_itstate(s), 0x0cu);
    s = aarch32_it_advance(s);
    EXPECT_EQ(aarch32_itstate(s), 0x18u);
    s = aarch32_it_advance(s);
    EXPECT_EQ(aarch32_itstate(s), 0u);
    EXPECT_EQ(s, base) << "only ITSTATE changed";
}

// An instruction the hypervisor completed: past it by ESR.IL, and on in the IT block (attack
// review: a 32-bit process's 16-bit Thumb store to a link's doorbell page skipped the next
// instruction, and the IT block stood still).
TEST(Aarch32Condition, AfterSkipStepsByLengthAndMovesTheItBlock)
{
    u64 a64 = 0x3c5;  // EL1h, AArch64
    AfterSkip a = after_skip(0x1000, ESR_IL, a64);
    EXPECT_EQ(a.elr, 0x1004u);
    EXPECT_EQ(a.spsr, a64);
    u64 t32 = with_it(USR32 | PSTATE_T, 0x06);  // three instructions left in an EQ block
    a = after_skip(0x8000, 0, t32);
    EXPECT_EQ(a.elr, 0x8002u) << "16-bit T32";
    EXPECT_EQ(aarch32_itstate(a.spsr), 0x0cu);
    a = after_skip(0x8000, ESR_IL, USR32);
    EXPECT_EQ(a.elr, 0x8004u) << "A32, or 32-bit T32";
    EXPECT_EQ(a.spsr, u64{USR32});
}
