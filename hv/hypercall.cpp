// SPDX-License-Identifier: GPL-2.0
#include "hv/hypercall.hpp"

#include <moat/abi.h>

#include "hv/cell_ops.hpp"
#include "hv/console.hpp"
#include "hv/format.hpp"
#include "hv/state.hpp"
#include "hv/stats.hpp"

namespace moat {

namespace {
constexpr u64 CELL_ID_MAX = 0xffffffff;

// Error buffer argument of each cell call (MOAT_HC_CELL_*), by its position.
u64 error_buffer_of(u64 function, const u64 *a)
{
    switch (function) {
    case MOAT_HC_CELL_CREATE: return a[2];
    case MOAT_HC_CELL_LOAD: return a[4];
    case MOAT_HC_CELL_SHUTDOWN: return a[2];
    case MOAT_HC_CELL_START:
    case MOAT_HC_CELL_DESTROY: return a[1];
    default: return 0;
    }
}

// Cell management: root only, and a refusal is explained in the root's error buffer.
HypercallResult cell_call(u64 function, const u64 *a)
{
    HypercallResult r{MOAT_HC_OK, {0, 0, 0}, false};
    char err[MOAT_HC_ERROR_LEN];
    err[0] = '\0';
    u64 err_ipa = 0;
    // Cell ids are 32 bits: a larger one names no cell (cut down, 2^32 would name the root).
    if (function != MOAT_HC_CELL_CREATE && a[0] > CELL_ID_MAX) {
        r.status = MOAT_HC_INVALID;
        format(err, sizeof(err), "no cell with id %#lx: cell ids are 32-bit", static_cast<unsigned long>(a[0]));
        err_ipa = error_buffer_of(function, a);
        if (err_ipa)
            cell_ops::report_error(err_ipa, err);
        return r;
    }
    switch (function) {
    case MOAT_HC_CELL_CREATE:
        r.status = cell_ops::create(a[0], a[1], &r.ret[0], err, sizeof(err));
        err_ipa = a[2];
        break;
    case MOAT_HC_CELL_LOAD:
        r.status = cell_ops::load(static_cast<u32>(a[0]), a[1], a[2], a[3], err, sizeof(err));
        err_ipa = a[4];
        break;
    case MOAT_HC_CELL_START:
        r.status = cell_ops::start(static_cast<u32>(a[0]), err, sizeof(err));
        err_ipa = a[1];
        break;
    case MOAT_HC_CELL_SHUTDOWN:
        r.status = cell_ops::shutdown(static_cast<u32>(a[0]), a[1], err, sizeof(err));
        err_ipa = a[2];
        break;
    case MOAT_HC_CELL_DESTROY:
        r.status = cell_ops::destroy(static_cast<u32>(a[0]), err, sizeof(err));
        err_ipa = a[1];
        break;
    default: {
        u32 state, cpus, on;
        if (!cell_ops::state(static_cast<u32>(a[0]), &state, &cpus, &on)) {
            r.status = MOAT_HC_INVALID;
            break;
        }
        r.ret[0] = state;
        r.ret[1] = cpus;
        r.ret[2] = on;
        break;
    }
    }
    if (r.status != MOAT_HC_OK && err[0] && err_ipa)
        cell_ops::report_error(err_ipa, err);
    return r;
}
}  // namespace

HypercallResult hypercall(const HypercallContext &ctx, u64 function, const u64 args[HYPERCALL_ARGS])
{
    HypercallResult r{MOAT_HC_OK, {0, 0, 0}, false};
    if (function >= MOAT_HC_CELL_CREATE && function <= MOAT_HC_CELL_STATE) {
        if (!ctx.root) {
            r.status = MOAT_HC_DENIED;
            return r;
        }
        return cell_call(function, args);
    }
    if (function == MOAT_HC_SHUTDOWN_NOTIFY || function == MOAT_HC_SHUTDOWN_REPLY) {
        // An isolated cell's side of cooperative shutdown; the root cell is never asked.
        if (ctx.root)
            r.status = MOAT_HC_DENIED;
        else if (function == MOAT_HC_SHUTDOWN_NOTIFY)
            r.status = cell_ops::shutdown_notify(args[0]);
        else
            r.status = cell_ops::shutdown_reply(args[0]);
        return r;
    }
    if (!ctx.root && function != MOAT_HC_CONSOLE_PUTC && function != MOAT_HC_CONSOLE_WRITE &&
        function != MOAT_HC_GET_INFO) {
        r.status = MOAT_HC_DENIED;  // statistics and disable are the root cell's business
        return r;
    }
    switch (function) {
    case MOAT_HC_CONSOLE_PUTC:
        cell_ops::console_putc(static_cast<char>(args[0]));
        break;
    case MOAT_HC_CONSOLE_WRITE:
        if (args[0] == 0 || args[0] > MOAT_CONSOLE_WRITE_MAX) {
            r.status = MOAT_HC_INVALID;
            break;
        }
        for (u64 i = 0; i < args[0]; i++)
            cell_ops::console_putc(static_cast<char>(args[1 + i / 8] >> (8 * (i % 8))));
        break;
    case MOAT_HC_CONSOLE_INFO:
        r.ret[0] = reinterpret_cast<u64>(console_ring());
        r.ret[1] = sizeof(moat_console_ring);
        break;
    case MOAT_HC_GET_INFO:
        // A cell learns nothing about the rest of the machine: only its own CPU count.
        r.ret[0] = MOAT_ABI_VERSION;
        r.ret[1] = ctx.root ? state_cpus_online() : ctx.cell_cpus;
        r.ret[2] = ctx.root ? state_memory_used() : 0;
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
        // A CPU leaving EL2 leaves stage 2 too: while another cell exists that would hand the
        // root its memory (and the hypervisor's). The driver checks first; this is the rule.
        if (!cell_ops::begin_leave()) {
            log("CPU %u: disable refused: cells other than the root exist; destroy them first", ctx.cpu);
            r.status = MOAT_HC_DENIED;
            break;
        }
        r.leave = true;
        break;
    default:
        r.status = MOAT_HC_NOT_SUPPORTED;
        break;
    }
    return r;
}

}  // namespace moat
