// SPDX-License-Identifier: GPL-2.0
#include "hv/sysreg_policy.hpp"

namespace moat {

namespace {
// op0 2: the debug registers (MDCR_EL2.TDA, TDOSA, TDRA).
bool debug_register(u32 op0) { return op0 == 2; }

// The PMU registers MDCR_EL2.TPM and TPMCR trap.
bool pmu_register(u32 op0, u32 op1, u32 crn, u32 crm, u32 op2)
{
    if (op0 != 3)
        return false;
    if (op1 == 3 && crn == 9 && crm >= 12 && crm <= 14)
        return true;  // PMCR, PMCNTEN*, PMOVS*, PMSWINC, PMSELR, PMCEID*, PMCCNTR, PMXEV*, PMUSERENR
    if (op1 == 3 && crn == 14 && crm >= 8)
        return true;  // PMEVCNTR<n>, PMEVTYPER<n>, PMCCFILTR
    return op1 == 0 && crn == 9 && crm == 14 && (op2 == 1 || op2 == 2 || op2 == 6);  // PMINTEN*, PMMIR
}
}  // namespace

SysregAction cell_sysreg_action(bool linux_cell, u32 op0, u32 op1, u32 crn, u32 crm, u32 op2)
{
    if (linux_cell && (debug_register(op0) || pmu_register(op0, op1, crn, crm, op2)))
        return SysregAction::RAZ_WI;
    return SysregAction::DENY;
}

bool aarch32_el0_coproc_undefined(bool linux_cell, u64 ec, u64 spsr)
{
    bool coproc = ec == ESR_EC_CP15_32 || ec == ESR_EC_CP15_64 || ec == ESR_EC_CP14_MR || ec == ESR_EC_CP14_LS ||
                  ec == ESR_EC_CP14_64;
    bool aarch32_el0 = (spsr & 0x1f) == 0x10;  // M[4] AArch32, M[3:0] User
    return linux_cell && coproc && aarch32_el0;
}

}  // namespace moat
