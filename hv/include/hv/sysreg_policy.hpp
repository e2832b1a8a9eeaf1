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

}  // namespace moat
