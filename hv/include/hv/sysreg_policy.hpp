// SPDX-License-Identifier: GPL-2.0
// What a cell sees of the system registers MDCR_EL2 traps (debug, OS lock, PMU): docs/linux-cell.md.
#pragma once

#include "lib/types.hpp"

namespace moat {

enum class SysregAction {
    DENY,    // the cell fails (bare-metal cells: anything trapped; Linux cells: the rest)
    RAZ_WI,  // reads as zero, writes ignored
};

// A trapped MSR/MRS (op0, op1, CRn, CRm, op2) of an isolated cell; `linux_cell`: MOAT_CELL_FLAG_LINUX.
// A Linux cell's debug registers (op0 2: MDSCR_EL1, the breakpoint and watchpoint registers,
// OSLAR/OSLSR/OSDLR/DBGPRCR, the debug ROM address) and PMU registers (PMCR_EL0 and the rest of
// op0 3, op1 3, CRn 9, CRm 12-14; the event counters and types at CRn 14, CRm 8-15; PMINTEN
// and PMMIR at op1 0, CRn 9, CRm 14) read as zero and ignore writes: its kernel resets them at
// boot and finds no PMU (its tree has none) and no self-hosted debug it can use. Everything
// else stays denied.
SysregAction cell_sysreg_action(bool linux_cell, u32 op0, u32 op1, u32 crn, u32 crm, u32 op2);

// Exception classes of AArch32 coprocessor accesses (MRC/MCR/MRRC/MCRR/LDC/STC to CP14 or CP15)
// that MDCR_EL2's debug and PMU traps send to EL2.
constexpr u64 ESR_EC_CP15_32 = 0x03, ESR_EC_CP15_64 = 0x04, ESR_EC_CP14_MR = 0x05, ESR_EC_CP14_LS = 0x06,
              ESR_EC_CP14_64 = 0x0c;

// A trap with exception class `ec` taken from a CPU whose SPSR_EL2 is `spsr`: is it an AArch32
// process of a Linux cell touching a debug or PMU register (DCC, DBGDSCRint, PMCR, ...)? Then
// the process gets an undefined instruction (its kernel sends it SIGILL, as a kernel that
// denies EL0 those registers would) and the cell runs on. A bare-metal cell, or any other
// trap, stays what it was (the cell fails).
bool aarch32_el0_coproc_undefined(bool linux_cell, u64 ec, u64 spsr);

// The offset from VBAR_EL1 of the synchronous vector an exception taken to EL1 from the state in
// `spsr` (SPSR_EL2 at the trap) goes to: current EL with SP_EL0 (EL1t, 0x000), current EL with
// SP_ELx (EL1h, 0x200), lower EL AArch64 (EL0, 0x400) or lower EL AArch32 (0x600).
constexpr u64 el1_sync_vector_offset(u64 spsr)
{
    if (spsr & 0x10)  // M[4]: AArch32 (only EL0 runs it under a 64-bit kernel)
        return 0x600;
    switch (spsr & 0xf) {
    case 0x0: return 0x400;  // EL0t
    case 0x4: return 0x000;  // EL1t
    default: return 0x200;   // EL1h
    }
}

}  // namespace moat
