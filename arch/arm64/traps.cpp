// SPDX-License-Identifier: GPL-2.0
// Synchronous exceptions taken to EL2: decode, dispatch, return.
#include <moat/abi.h>

#include "arch/cpu.hpp"
#include "arch/sysreg.h"
#include "hv/console.hpp"
#include "hv/hypercall.hpp"

namespace moat::arm64 {
u64 cpu_leave(TrapFrame &f, PerCpu &pc);
u32 cpu_current_el();
}  // namespace moat::arm64

using namespace moat;
using namespace moat::arm64;

namespace {
constexpr u64 HVC_IMM_MASK = 0xffff;
constexpr u64 SMCCC_FUNCTION_MASK = 0xffffffff;

u64 handle_hvc(TrapFrame &f, PerCpu &pc, u64 esr)
{
    if ((esr & HVC_IMM_MASK) != 0) {
        f.x[0] = static_cast<u64>(MOAT_HC_NOT_SUPPORTED);
        return 0;
    }
    pc.hypercalls++;
    HypercallContext ctx{pc.id, cpu_current_el(), pc.hypercalls};
    const u64 args[3] = {f.x[1], f.x[2], f.x[3]};
    HypercallResult r = hypercall(ctx, f.x[0] & SMCCC_FUNCTION_MASK, args);
    f.x[0] = static_cast<u64>(r.status);
    f.x[1] = r.ret[0];
    f.x[2] = r.ret[1];
    f.x[3] = r.ret[2];
    return r.leave ? cpu_leave(f, pc) : 0;
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
    u64 ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
    switch (ec) {
    case ESR_EC_HVC64:
        return handle_hvc(*f, pc, esr);
    default:
        log("CPU %u: unhandled trap from EL1: EC %#lx ESR %#lx ELR %#lx FAR %#lx; CPU parked", pc.id,
            static_cast<unsigned long>(ec), static_cast<unsigned long>(esr),
            static_cast<unsigned long>(read_sysreg(elr_el2)),
            static_cast<unsigned long>(read_sysreg(far_el2)));
        park();
    }
}

extern "C" u64 hv_trap_unexpected(TrapFrame *, u64 vector)
{
    log("fatal: unexpected exception at EL2 (vector %lu) ESR %#lx ELR %#lx FAR %#lx; CPU parked",
        static_cast<unsigned long>(vector), static_cast<unsigned long>(read_sysreg(esr_el2)),
        static_cast<unsigned long>(read_sysreg(elr_el2)),
        static_cast<unsigned long>(read_sysreg(far_el2)));
    park();
}
