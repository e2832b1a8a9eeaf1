// SPDX-License-Identifier: GPL-2.0
#include "arch/inject.hpp"

#include "arch/pstate.hpp"
#include "arch/sysreg.h"
#include "hv/sysreg_policy.hpp"

namespace moat::arm64 {

namespace {
bool trapped_from_el1() { return (read_sysreg(spsr_el2) & SPSR_M_MASK) != 0; }  // else EL0

// Deliver a synchronous exception to EL1 the way the hardware would have.
void inject_sync(u64 esr, u64 far)
{
    u64 spsr = read_sysreg(spsr_el2);
    write_sysreg(esr_el1, esr);
    write_sysreg(far_el1, far);
    write_sysreg(elr_el1, read_sysreg(elr_el2));
    write_sysreg(spsr_el1, spsr);
    // An AArch32 process's exception goes to the lower-EL AArch32 vector, or its kernel takes it
    // for a 64-bit one's and misreads the saved state.
    u64 vector = read_sysreg(vbar_el1) + el1_sync_vector_offset(spsr);
    // Enter EL1h as the hardware would: every exception masked, PAN, SSBS, TCO as the CPU
    // and the cell's SCTLR_EL1 have them.
    u64 pfr1 = read_sysreg(id_aa64pfr1_el1), mmfr1 = read_sysreg(id_aa64mmfr1_el1);
    EntryFeatures f{((mmfr1 >> ID_AA64MMFR1_PAN_SHIFT) & ID_FIELD_MASK) != 0,
                    ((pfr1 >> ID_AA64PFR1_SSBS_SHIFT) & ID_FIELD_MASK) != 0,
                    ((pfr1 >> ID_AA64PFR1_MTE_SHIFT) & ID_FIELD_MASK) != 0};
    write_sysreg(elr_el2, vector);
    write_sysreg(spsr_el2, el1_entry_pstate(spsr, read_sysreg(sctlr_el1), f));
}
}  // namespace

void inject_external_abort(TrapFrame &, bool instruction, u64 far)
{
    bool from_el1 = trapped_from_el1();
    u64 ec;
    if (instruction)
        ec = from_el1 ? ESR_EC_IABT_CUR : ESR_EC_IABT_LOW;
    else
        ec = from_el1 ? ESR_EC_DABT_CUR : ESR_EC_DABT_LOW;
    u64 esr = (ec << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_EXTABT;
    if (!instruction)
        esr |= read_sysreg(esr_el2) & ESR_DABT_WNR;
    inject_sync(esr, far);
}

void inject_undefined(TrapFrame &)
{
    inject_sync((u64{ESR_EC_UNKNOWN} << ESR_EC_SHIFT) | ESR_IL, 0);
}

}  // namespace moat::arm64
