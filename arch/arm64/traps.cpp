// SPDX-License-Identifier: GPL-2.0
// Synchronous exceptions taken to EL2: decode, dispatch, return.
#include <moat/abi.h>

#include "arch/cell.hpp"
#include "arch/cpu.hpp"
#include "arch/esr.hpp"
#include "arch/gic_regs.hpp"
#include "arch/mmio_decode.hpp"
#include "arch/inject.hpp"
#include "arch/psci.hpp"
#include "arch/pstate.hpp"
#include "arch/sgi_filter.hpp"
#include "arch/sysreg.h"
#include "hv/console.hpp"
#include "lib/format.hpp"
#include "hv/hypercall.hpp"
#include "hv/stats.hpp"
#include "hv/sysreg_policy.hpp"

namespace moat::arm64 {
u64 cpu_leave(TrapFrame &f, PerCpu &pc);
u32 cpu_current_el();
}  // namespace moat::arm64

using namespace moat;
using namespace moat::arm64;

namespace {
constexpr u64 HVC_IMM_MASK = 0xffff;
constexpr u64 SMCCC_FUNCTION_MASK = 0xffffffff;

// An isolated cell did something forbidden: it fails as a whole (its CPUs are parked, its
// state becomes "failed", the root sees that in the cell list and the console) and this CPU
// goes back to the firmware. The root cell is Linux: it gets the fault and carries on.
[[noreturn]] void fail_cell(PerCpu &pc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
[[noreturn]] void fail_cell(PerCpu &pc, const char *fmt, ...)
{
    char why[120];
    va_list ap;
    va_start(ap, fmt);
    format_v(why, sizeof(why), fmt, ap);
    va_end(ap);
    cell_fail(*pc.cell, pc.id, why);
    cpu_park(pc);
}

u64 handle_hvc(TrapFrame &f, PerCpu &pc, u64 esr)
{
    if ((esr & HVC_IMM_MASK) != 0) {
        f.x[0] = static_cast<u64>(MOAT_HC_NOT_SUPPORTED);
        return 0;
    }
    pc.hypercalls++;
    stats_count(pc.id, MOAT_EXIT_HYPERCALL);
    HypercallContext ctx{pc.id, cpu_current_el(), pc.hypercalls, pc.cell->is_root(), pc.cell->num_cpus, pc.cell};
    const u64 args[HYPERCALL_ARGS] = {f.x[1], f.x[2], f.x[3], f.x[4], f.x[5], f.x[6]};
    HypercallResult r = hypercall(ctx, f.x[0] & SMCCC_FUNCTION_MASK, args);
    f.x[0] = static_cast<u64>(r.status);
    f.x[1] = r.ret[0];
    f.x[2] = r.ret[1];
    f.x[3] = r.ret[2];
    if (pc.stop_request && !pc.cell->is_root())
        cpu_park(pc);  // the cell approved its own shutdown
    return r.leave ? cpu_leave(f, pc) : 0;
}

u64 faulting_ipa()
{
    u64 hpfar = read_sysreg(hpfar_el2);
    return ((hpfar & HPFAR_FIPA_MASK) >> HPFAR_FIPA_SHIFT) << 12 | (read_sysreg(far_el2) & 0xfff);
}

// An emulated device: perform the access for the cell and step over the instruction.
bool emulate_mmio(TrapFrame &f, PerCpu &pc, u64 esr, u64 ipa)
{
    DecodedAccess d = decode_data_abort(esr);
    if (!d.valid)
        return false;
    MmioAccess a{ipa, 0, d.size, d.write, 0};
    if (d.write)
        a.value = d.reg == 31 ? 0 : f.x[d.reg];
    if (cell_arch(*pc.cell).mmio.dispatch(a) != MmioResult::HANDLED)
        return false;
    if (!d.write && d.reg != 31)
        f.x[d.reg] = load_result(d, a.value);
    stats_count(pc.id, MOAT_EXIT_MMIO);
    skip_instruction();
    return true;
}

// A stage-2 fault: the cell touched an address it does not own, or a device the hypervisor
// emulates. Anything not emulated fails in the cell.
u64 handle_abort(TrapFrame &f, PerCpu &pc, u64 esr, bool instruction)
{
    // A cell with direct delivery being stopped: its stage 2 was taken away (arch_cpu_kick), and
    // this is its next instruction fetch or access.
    if (pc.stop_request && !pc.cell->is_root() && cell_arch(*pc.cell).revoked.active)
        cpu_park(pc);
    u64 ipa = faulting_ipa();
    if (!instruction && emulate_mmio(f, pc, esr, ipa))
        return 0;
    // A root access that met a block being split (break-before-make) saw a translation fault:
    // try again once the change is done. Any other fault (alignment, external abort) would only
    // come back, and the CPU would retry for ever.
    bool translation = (esr & ESR_FSC_TYPE_MASK) == ESR_FSC_TRANSLATION;
    if (pc.cell->is_root() && translation &&
        cell_root_maps(ipa, !instruction && (esr & ESR_DABT_WNR), instruction))
        return 0;
    stats_count(pc.id, MOAT_EXIT_ABORT_DENIED);
    const char *what = instruction ? "instruction fetch" : (esr & ESR_DABT_WNR) ? "write" : "read";
    u64 at = read_sysreg(elr_el2);
    if (!pc.cell->is_root())
        fail_cell(pc, "CPU %u: %s of %#lx at PC %#lx, which the cell does not own", pc.id, what,
                  static_cast<unsigned long>(ipa), static_cast<unsigned long>(at));
    log("CPU %u: access to %#lx denied (%s at PC %#lx): external abort injected", pc.id,
        static_cast<unsigned long>(ipa), what, static_cast<unsigned long>(at));
    inject_external_abort(f, instruction, read_sysreg(far_el2));
    return 0;
}

// A trap no handler claims: an isolated cell fails; the root cell (Linux) gets an undefined
// instruction, which its own handler reports against the code that did it.
u64 handle_unknown(TrapFrame &f, PerCpu &pc, u64 esr)
{
    stats_count(pc.id, MOAT_EXIT_OTHER);
    u64 ec = esr_ec(esr);
    u64 at = read_sysreg(elr_el2);
    u64 spsr = read_sysreg(spsr_el2);
    if (aarch32_trap_condition_failed(esr, spsr)) {
        // A conditional AArch32 instruction the core trapped although its condition failed:
        // it does nothing; step over it (2 or 4 bytes) and on in its IT block.
        skip_instruction();
        return 0;
    }
    if (!pc.cell->is_root() && aarch32_el0_coproc_undefined(pc.cell->linux_os(), ec, spsr)) {
        // A 32-bit process of a Linux cell at a debug or PMU register: SIGILL for it, not the
        // cell's end (docs/linux-cell.md).
        inject_undefined(f);
        return 0;
    }
    if (!pc.cell->is_root() && ec == ESR_EC_SYS64) {
        SysRegAccess s = decode_sysreg_access(esr);
        fail_cell(pc, "CPU %u: %s of system register S%u_%u_C%u_C%u_%u at PC %#lx, which cells may not use", pc.id,
                  s.read ? "read" : "write", s.op0, s.op1, s.crn, s.crm, s.op2, static_cast<unsigned long>(at));
    }
    if (!pc.cell->is_root())
        fail_cell(pc, "CPU %u: unhandled trap (EC %#lx, ESR %#lx) at PC %#lx", pc.id,
                  static_cast<unsigned long>(ec), static_cast<unsigned long>(esr), static_cast<unsigned long>(at));
    log("CPU %u: unhandled trap from the root cell (EC %#lx, ESR %#lx) at PC %#lx: undefined instruction injected",
        pc.id, static_cast<unsigned long>(ec), static_cast<unsigned long>(esr), static_cast<unsigned long>(at));
    inject_undefined(f);
    return 0;
}

// DC ISW/CSW/CISW trapped by HCR_EL2.TSW. An invalidate without clean could throw away another
// cell's dirty lines, so every set/way operation is done as clean-and-invalidate.
constexpr u32 SYS_DC_SETWAY_OP0 = 1, SYS_DC_SETWAY_OP1 = 0, SYS_DC_SETWAY_CRN = 7;
constexpr u32 SYS_DC_ISW_CRM = 6, SYS_DC_CSW_CRM = 10, SYS_DC_CISW_CRM = 14, SYS_DC_SETWAY_OP2 = 2;

// ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1: trapped while EL1 uses the virtual interface.
constexpr u32 SYS_ICC_OP0 = 3, SYS_ICC_OP1 = 0, SYS_ICC_CRN = 12, SYS_ICC_SGI_CRM = 11;
constexpr u32 SYS_ICC_SGI1R_OP2 = 5, SYS_ICC_ASGI1R_OP2 = 6, SYS_ICC_SGI0R_OP2 = 7;

u64 handle_sysreg(TrapFrame &f, PerCpu &pc, u64 esr)
{
    SysRegAccess s = decode_sysreg_access(esr);
    u64 value = s.rt == 31 ? 0 : f.x[s.rt];
    if (s.op0 == SYS_DC_SETWAY_OP0 && s.op1 == SYS_DC_SETWAY_OP1 && s.crn == SYS_DC_SETWAY_CRN &&
        s.op2 == SYS_DC_SETWAY_OP2 &&
        (s.crm == SYS_DC_ISW_CRM || s.crm == SYS_DC_CSW_CRM || s.crm == SYS_DC_CISW_CRM)) {
        asm volatile("dc cisw, %0" : : "r"(value) : "memory");
        stats_count(pc.id, MOAT_EXIT_CACHE_SETWAY);
        skip_instruction();
        return 0;
    }
    if (s.op0 == SYS_ICC_OP0 && s.op1 == SYS_ICC_OP1 && s.crn == SYS_ICC_CRN && s.crm == SYS_ICC_SGI_CRM &&
        s.op2 >= SYS_ICC_SGI1R_OP2 && !s.read && gic_enabled()) {
        // Only the sending cell's own CPUs receive it; "all but self" becomes a list of them.
        u64 requests[SGI_FILTER_MAX_OUT];
        u32 n = sgi1r_filter(value, pc.cell->cpu_mpidr, pc.cell->num_cpus, pc.mpidr, requests);
        for (u32 i = 0; i < n; i++)
            gic_send_sgi_sysreg(requests[i], s.op2 - SYS_ICC_SGI1R_OP2);
        stats_count(pc.id, MOAT_EXIT_SGI);
        skip_instruction();
        return 0;
    }
    // A Linux cell's debug and PMU registers (MDCR_EL2 traps them for every isolated cell).
    if (!pc.cell->is_root() &&
        cell_sysreg_action(pc.cell->linux_os(), s.op0, s.op1, s.crn, s.crm, s.op2) == SysregAction::RAZ_WI) {
        if (s.read && s.rt != 31)
            f.x[s.rt] = 0;
        stats_count(pc.id, MOAT_EXIT_OTHER);
        skip_instruction();
        return 0;
    }
    return handle_unknown(f, pc, esr);
}

// WFI of a cell with direct delivery (HCR_EL2.TWI, set for those cells only). A stop request
// reaches such a CPU as the management SGI at EL1, which its interface may not signal (group
// disabled, priority mask 0, a priority held active): sleeping then would never end, and the
// fault that stops it (its stage 2 taken away) would never come. So the hypervisor sleeps for
// it only where the SGI would wake it, and otherwise lets the WFI complete at once (the
// architecture allows a WFI to complete at any time). Cells that idle in WFI pay an exit per
// WFI; the control loop spins.
u64 handle_wfi(PerCpu &pc)
{
    stats_count(pc.id, MOAT_EXIT_OTHER);
    if (pc.stop_request)
        cpu_park(pc);
    if (gic_mgmt_sgi_can_signal())
        asm volatile("dsb sy\n wfi" ::: "memory");
    if (pc.stop_request)
        cpu_park(pc);
    skip_instruction();
    return 0;
}

[[noreturn]] void park()
{
    for (;;)
        asm volatile("wfe");
}
}  // namespace

extern "C" u64 hv_trap_sync(TrapFrame *f, u64 /*vector*/)
{
    PerCpu &pc = this_cpu();
    u64 esr = read_sysreg(esr_el2);
    switch (esr_ec(esr)) {
    case ESR_EC_HVC64:
        return handle_hvc(*f, pc, esr);
    case ESR_EC_SMC64:
        return handle_smc(*f, pc);
    case ESR_EC_DABT_LOW:
        return handle_abort(*f, pc, esr, false);
    case ESR_EC_IABT_LOW:
        return handle_abort(*f, pc, esr, true);
    case ESR_EC_SYS64:
        return handle_sysreg(*f, pc, esr);
    case ESR_EC_WFX:
        if (!pc.cell->is_root() && pc.cell->direct_irq())
            return handle_wfi(pc);
        return handle_unknown(*f, pc, esr);
    default:
        return handle_unknown(*f, pc, esr);
    }
}

extern "C" u64 hv_trap_irq(TrapFrame *, u64)
{
    PerCpu &pc = this_cpu();
    if (gic_handle_irq(pc.gic, pc.id) == GIC_MGMT_SGI && pc.stop_request)
        cpu_park(pc);
    return 0;
}

// A physical FIQ while an isolated cell runs (GICv3, HCR_EL2.FMO, set so that the cell's Group 0
// CPU interface registers are the virtual ones: a physical ICC_AP0R0_EL1 with a priority marked
// active would hold back every interrupt, the management SGI too). Nothing in moat uses Group 0
// and cells cannot move interrupts there: one that arrives anyway is acknowledged and dropped.
extern "C" u64 hv_trap_fiq(TrapFrame *, u64)
{
    u64 intid = read_sysreg(icc_iar0_el1) & ICC_IAR_INTID_MASK;
    if (intid < GIC_INTID_SPECIAL_FIRST) {
        write_sysreg(icc_eoir0_el1, intid);
        write_sysreg(icc_dir_el1, intid);  // EOImode 1 at EL2
        stats_count(this_cpu().id, MOAT_EXIT_OTHER);
    }
    return 0;
}

extern "C" u64 hv_trap_unexpected(TrapFrame *, u64 vector)
{
    log("fatal: unexpected exception at EL2 (vector %lu) ESR %#lx ELR %#lx FAR %#lx; CPU parked",
        static_cast<unsigned long>(vector), static_cast<unsigned long>(read_sysreg(esr_el2)),
        static_cast<unsigned long>(read_sysreg(elr_el2)),
        static_cast<unsigned long>(read_sysreg(far_el2)));
    park();
}
