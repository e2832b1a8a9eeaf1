// SPDX-License-Identifier: GPL-2.0
// Per-CPU state of the arm64 port and the trap frame that entry.S builds.
#pragma once

#include "arch/asm.h"
#include "arch/gicv3.hpp"
#include "hv/types.hpp"

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
    u32 id;
    u32 active;
    u64 mpidr;
    u64 hypercalls;
    StubState stub;
    GicCpu gic;
};

PerCpu &this_cpu();

}  // namespace moat::arm64
