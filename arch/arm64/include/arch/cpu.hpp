// SPDX-License-Identifier: GPL-2.0
// Per-CPU state of the arm64 port and the trap frame that vectors.S builds (hv_save_frame).
#pragma once

#include "arch/asm.h"
#include "arch/gic.hpp"
#include "arch/pstate.hpp"
#include "arch/sysreg.h"
#include "hv/page_pool.hpp"
#include "lib/types.hpp"

namespace moat {
struct Cell;
}

namespace moat::arm64 {

struct TrapFrame {
    u64 x[31];
    u64 leave_sctlr;
    u64 leave_sp;
    u64 leave_tcr;
    u64 leave_mair;
    u64 leave_ttbr0;
    u64 leave_vbar;
    u64 pad;
};
static_assert(sizeof(TrapFrame) == FRAME_SIZE, "TrapFrame must match arch/asm.h");
static_assert(__builtin_offsetof(TrapFrame, leave_sctlr) == FRAME_LEAVE_SCTLR);
static_assert(__builtin_offsetof(TrapFrame, leave_vbar) == FRAME_LEAVE_VBAR);

// EL2 registers as the kernel's hyp-stub left them; restored exactly on disable.
struct StubState {
    u64 sctlr, tcr, mair, ttbr0, vbar, hcr, tpidr, sp, cptr, mdcr, vttbr, vtcr, cnthctl;
};

// One page per CPU: a CPU writes its own page with the MMU off while others run with caches on,
// so no cache line may be shared with another CPU's data.
struct alignas(PAGE_SIZE) PerCpu {
    Cell *cell;           // the cell this CPU runs
    u32 id;
    u32 active;
    u64 mpidr;
    u64 hypercalls;
    u32 stub_valid;       // stub holds the kernel's EL2 state for this CPU
    u64 on_entry;         // PSCI CPU_ON from the cell: where and with what to enter EL1
    u64 on_context;
    u32 stop_request;     // the cell is shutting down: park at the next exit
    u64 stop_started;     // CNTPCT_EL0 when another CPU asked this one to stop (arch_cpu_kick)
    StubState stub;
    GicCpu gic;
};

// The calling CPU's data (TPIDR_EL2 holds its address from cpu_start on).
inline PerCpu &this_cpu() { return *reinterpret_cast<PerCpu *>(read_sysreg(tpidr_el2)); }
PerCpu *cpu_data(u32 cpu);  // nullptr if out of range
u32 cpu_count();
// Bring the calling CPU under the hypervisor (stage 2, vectors, virtual GIC) / take it out.
void cpu_start(PerCpu &pc, u32 cpu);
void cpu_stop(PerCpu &pc);
void cpu_warm_start(PerCpu &pc, u32 cpu);
// Stop the calling CPU of a cell for good: power it off through the firmware. Never returns.
[[noreturn]] void cpu_park(PerCpu &pc);
PagePool &page_pool();

// Return from this exception to the instruction after the trapped one, which the hypervisor did
// (HVC and SMC return past themselves; emulated accesses, system registers, WFI): by its length,
// and on in an AArch32 IT block (after_skip, pstate.hpp). A 32-bit process's 16-bit Thumb store
// to an emulated page (a link's doorbell) is 2 bytes: 4 would skip the next instruction.
inline void skip_instruction()
{
    AfterSkip a = after_skip(read_sysreg(elr_el2), read_sysreg(esr_el2), read_sysreg(spsr_el2));
    write_sysreg(elr_el2, a.elr);
    write_sysreg(spsr_el2, a.spsr);
}

}  // namespace moat::arm64
