// SPDX-License-Identifier: GPL-2.0
// PSTATE rules the hypervisor applies for a cell's EL1 when it emulates what the hardware would
// have done: the PSTATE an exception taken to EL1 enters with (inject.cpp), and whether a trapped
// AArch32 conditional instruction passes its condition (traps.cpp; one that fails is skipped).
// Facts from the Arm ARM (DDI 0487): AArch64.TakeException, ConditionHolds, ITAdvance, the ISS
// CV/COND fields of ESR_ELx and the AArch32 format of SPSR_ELx. Pure, host-tested
// (tests/unit/arch/pstate_test.cpp).
#pragma once

#include "arch/sysreg.h"
#include "lib/types.hpp"

namespace moat::arm64 {

// SPSR_ELx bits used here (same positions in the AArch64 and the AArch32 format unless noted).
constexpr u64 PSTATE_NZCV = u64{0xf} << 28;
constexpr u64 PSTATE_N = u64{1} << 31, PSTATE_Z = u64{1} << 30, PSTATE_C = u64{1} << 29, PSTATE_V = u64{1} << 28;
constexpr u64 PSTATE_TCO = u64{1} << 25;   // AArch64 format
constexpr u64 PSTATE_DIT = u64{1} << 24;   // both formats (AArch32 CPSR has it at 21; SPSR_ELx at 24)
constexpr u64 PSTATE_PAN = u64{1} << 22;
constexpr u64 PSTATE_SSBS = u64{1} << 12;  // AArch64 format (AArch32 format: bit 23)
constexpr u64 PSTATE_AARCH32 = u64{1} << 4;  // M[4]
constexpr u64 PSTATE_T = u64{1} << 5;      // AArch32 format: Thumb
// AArch32 format: ITSTATE[1:0] at 26:25, ITSTATE[7:2] at 15:10.
constexpr u64 PSTATE_IT_LO = u64{0x3} << 25, PSTATE_IT_HI = u64{0x3f} << 10;

constexpr u64 SCTLR_EL1_SPAN = u64{1} << 23;
constexpr u64 SCTLR_EL1_DSSBS = u64{1} << 44;

// What the CPU implements of what exception entry changes (from its ID registers).
struct EntryFeatures {
    bool pan;   // ID_AA64MMFR1_EL1.PAN != 0
    bool ssbs;  // ID_AA64PFR1_EL1.SSBS != 0
    bool mte;   // ID_AA64PFR1_EL1.MTE != 0
};

// The PSTATE (as SPSR_EL2 for the eret) of a synchronous exception taken to EL1h from the state
// in `spsr` (SPSR_EL2 at the trap, either format). As the hardware: D, A, I, F set; EL1 with
// SP_EL1; IL, SS, UAO, BTYPE, and from AArch32 IT and T, clear; NZCV and DIT kept (entry does
// not change them); PAN set if SCTLR_EL1.SPAN is 0, else kept; SSBS = SCTLR_EL1.DSSBS; TCO set.
// Each only where the CPU implements it. (Not modelled: FEAT_NMI's ALLINT, FEAT_GCS's EXLOCK,
// FEAT_EBEP's PM, FEAT_PAuth_LR's PACM; moat exposes none of them to cells.)
constexpr u64 el1_entry_pstate(u64 spsr, u64 sctlr_el1, EntryFeatures f)
{
    u64 p = SPSR_M_EL1H | SPSR_D | SPSR_A | SPSR_I | SPSR_F;
    p |= spsr & (PSTATE_NZCV | PSTATE_DIT);
    if (f.pan)
        p |= (sctlr_el1 & SCTLR_EL1_SPAN) ? (spsr & PSTATE_PAN) : PSTATE_PAN;
    if (f.ssbs && (sctlr_el1 & SCTLR_EL1_DSSBS))
        p |= PSTATE_SSBS;
    if (f.mte)
        p |= PSTATE_TCO;
    return p;
}

// ConditionHolds: does AArch32 condition `cond` (0-15) hold for the flags in `spsr`?
constexpr bool aarch32_condition_holds(u32 cond, u64 spsr)
{
    bool n = spsr & PSTATE_N, z = spsr & PSTATE_Z, c = spsr & PSTATE_C, v = spsr & PSTATE_V;
    bool r = true;
    switch ((cond >> 1) & 7) {
    case 0: r = z; break;              // EQ / NE
    case 1: r = c; break;              // CS / CC
    case 2: r = n; break;              // MI / PL
    case 3: r = v; break;              // VS / VC
    case 4: r = c && !z; break;        // HI / LS
    case 5: r = n == v; break;         // GE / LT
    case 6: r = n == v && !z; break;   // GT / LE
    default: return true;              // AL, and 1111 (unconditional)
    }
    return (cond & 1) ? !r : r;
}

constexpr u32 aarch32_itstate(u64 spsr)
{
    return static_cast<u32>(((spsr >> 10) & 0x3f) << 2 | ((spsr >> 25) & 0x3));
}

// ESR ISS CV (bit 24) and COND (bits 23:20), in the classes whose ISS has them: WFI/WFE (0x01),
// MCR/MRC and MCRR/MRRC to CP15 (0x03, 0x04) and CP14 (0x05, 0x0c), LDC/STC (0x06), SIMD/FP
// access (0x07), VMRS to an ID group register (0x08).
constexpr u64 ESR_CV = u64{1} << 24;
constexpr u32 ESR_COND_SHIFT = 20;
constexpr bool esr_iss_has_cond(u32 ec) { return ec == 0x01 || (ec >= 0x03 && ec <= 0x08) || ec == 0x0c; }

// A trapped AArch32 instruction (SPSR_EL2 `spsr`, syndrome `esr` of a class carrying CV/COND):
// did it fail its condition? Then the architecture has it do nothing. COND when CV is 1; with
// CV 0 (allowed for T32) the condition is the IT block's (ITSTATE[7:4], or none outside one).
constexpr bool aarch32_trap_condition_failed(u64 esr, u64 spsr)
{
    if (!(spsr & PSTATE_AARCH32) || !esr_iss_has_cond(static_cast<u32>((esr >> ESR_EC_SHIFT) & ESR_EC_MASK)))
        return false;
    u32 cond;
    if (esr & ESR_CV) {
        cond = static_cast<u32>((esr >> ESR_COND_SHIFT) & 0xf);
    } else {
        u32 it = aarch32_itstate(spsr);
        if (!(it & 0xf))
            return false;
        cond = it >> 4;
    }
    return !aarch32_condition_holds(cond, spsr);
}

// The SPSR after an AArch32 instruction completes (or is skipped): ITAdvance, the IT block moves
// on by one instruction (and ends after its last).
constexpr u64 aarch32_it_advance(u64 spsr)
{
    u32 it = aarch32_itstate(spsr);
    if (!it)
        return spsr;
    it = (it & 7) ? ((it & 0xe0) | ((it << 1) & 0x1f)) : 0;
    return (spsr & ~(PSTATE_IT_LO | PSTATE_IT_HI)) | (u64{it & 3} << 25) | (u64{it >> 2} << 10);
}

// Where a trapped instruction the hypervisor completed (an emulated access, a WFI, a system
// register, an HVC or SMC) leaves its caller: past it, by its length (ESR.IL: 4 bytes, or 2 for a
// 16-bit T32 one), and for AArch32 on in its IT block, as the instruction would have moved.
struct AfterSkip {
    u64 elr, spsr;
};
constexpr AfterSkip after_skip(u64 elr, u64 esr, u64 spsr)
{
    return {elr + ((esr & ESR_IL) ? 4 : 2), (spsr & PSTATE_AARCH32) ? aarch32_it_advance(spsr) : spsr};
}

}  // namespace moat::arm64
