// SPDX-License-Identifier: GPL-2.0
#include "hv/hypercall.hpp"

#include <moat/abi.h>

#include "hv/state.hpp"
#include "hv/stats.hpp"

namespace moat {

HypercallResult hypercall(const HypercallContext &ctx, u64 function, const u64 args[3])
{
    (void)args;
    HypercallResult r{MOAT_HC_OK, {0, 0, 0}, false};
    switch (function) {
    case MOAT_HC_GET_INFO:
        r.ret[0] = MOAT_ABI_VERSION;
        r.ret[1] = state_cpus_online();
        r.ret[2] = state_memory_used();
        break;
    case MOAT_HC_CPU_INFO:
        r.ret[0] = ctx.cpu;
        r.ret[1] = ctx.current_el;
        r.ret[2] = ctx.calls_on_cpu;
        break;
    case MOAT_HC_GET_STATS:
        if (args[0] >= MOAT_MAX_CPUS || args[1] >= MOAT_EXIT_REASONS) {
            r.status = MOAT_HC_INVALID;
            break;
        }
        r.ret[0] = stats_read(static_cast<u32>(args[0]), static_cast<u32>(args[1]));
        break;
    case MOAT_HC_DISABLE:
        r.leave = true;
        break;
    default:
        r.status = MOAT_HC_NOT_SUPPORTED;
        break;
    }
    return r;
}

}  // namespace moat
