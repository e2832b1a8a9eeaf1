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

}  // namespace moat
