// SPDX-License-Identifier: GPL-2.0
#include "hv/hypercall.hpp"

#include <moat/abi.h>

#include "hv/arch_cell.hpp"
#include "hv/cell.hpp"
#include "hv/console.hpp"
#include "lib/format.hpp"
#include "hv/state.hpp"
#include "hv/stats.hpp"

namespace moat {

namespace {
constexpr u64 CELL_ID_MAX = 0xffffffff;

// Who may make a call.
enum class Caller : u8 { ROOT, CELL, ANY };

// One call's work: fills r; a cell call may explain a refusal in err (the root's error buffer
// gets it, from the register MOAT_HC_ERROR_ARG names).
using Handler = void (*)(const HypercallContext &ctx, const u64 *a, HypercallResult &r, char *err, size_t errlen);

struct Call {
    u64 function;
    Caller caller;
    Handler handler;
};

u32 id_of(const u64 *a) { return static_cast<u32>(a[0]); }

void cell_create_call(const HypercallContext &, const u64 *a, HypercallResult &r, char *err, size_t n)
{
    r.status = cell_create(a[0], a[1], &r.ret[0], err, n);
}

void cell_load_call(const HypercallContext &, const u64 *a, HypercallResult &r, char *err, size_t n)
{
    r.status = cell_load(id_of(a), a[1], a[2], a[3], err, n);
}

void cell_start_call(const HypercallContext &, const u64 *a, HypercallResult &r, char *err, size_t n)
{
    r.status = cell_start(id_of(a), err, n);
}

void cell_shutdown_call(const HypercallContext &, const u64 *a, HypercallResult &r, char *err, size_t n)
{
    r.status = cell_shutdown(id_of(a), a[1], err, n);
}

void cell_destroy_call(const HypercallContext &, const u64 *a, HypercallResult &r, char *err, size_t n)
{
    r.status = cell_destroy(id_of(a), err, n);
}

void cell_state_call(const HypercallContext &, const u64 *a, HypercallResult &r, char *, size_t)
{
    u32 state, cpus, on;
    if (!cell_state(id_of(a), &state, &cpus, &on)) {
        r.status = MOAT_HC_INVALID;
        return;
    }
    r.ret[0] = state;
    r.ret[1] = cpus;
    r.ret[2] = on;
}

// An isolated cell's side of cooperative shutdown; the root cell is never asked.
void shutdown_notify_call(const HypercallContext &ctx, const u64 *a, HypercallResult &r, char *, size_t)
{
    r.status = cell_shutdown_notify(*ctx.cell, a[0]);
}

void shutdown_reply_call(const HypercallContext &ctx, const u64 *a, HypercallResult &r, char *, size_t)
{
    r.status = cell_shutdown_reply(*ctx.cell, ctx.cpu, a[0]);
}

void console_putc(const HypercallContext &ctx, char ch)
{
    if (ctx.cell)
        cell_console_putc(*ctx.cell, ch);
}

void console_putc_call(const HypercallContext &ctx, const u64 *a, HypercallResult &, char *, size_t)
{
    console_putc(ctx, static_cast<char>(a[0]));
}

void console_write_call(const HypercallContext &ctx, const u64 *a, HypercallResult &r, char *, size_t)
{
    if (a[0] == 0 || a[0] > MOAT_CONSOLE_WRITE_MAX) {
        r.status = MOAT_HC_INVALID;
        return;
    }
    for (u64 i = 0; i < a[0]; i++)
        console_putc(ctx, static_cast<char>(a[1 + i / 8] >> (8 * (i % 8))));
}

void console_info_call(const HypercallContext &, const u64 *, HypercallResult &r, char *, size_t)
{
    r.ret[0] = reinterpret_cast<u64>(console_ring());
    r.ret[1] = sizeof(moat_console_ring);
    r.ret[2] = reinterpret_cast<u64>(cell_console_ring(0));
}

// A cell learns nothing about the rest of the machine: only its own CPU count.
void get_info_call(const HypercallContext &ctx, const u64 *, HypercallResult &r, char *, size_t)
{
    r.ret[0] = MOAT_ABI_VERSION;
    r.ret[1] = ctx.root ? state_cpus_online() : ctx.cell_cpus;
    r.ret[2] = ctx.root ? state_memory_used() : 0;
}

void cpu_info_call(const HypercallContext &ctx, const u64 *, HypercallResult &r, char *, size_t)
{
    r.ret[0] = ctx.cpu;
    r.ret[1] = ctx.current_el;
    r.ret[2] = ctx.calls_on_cpu;
}

void get_stats_call(const HypercallContext &, const u64 *a, HypercallResult &r, char *, size_t)
{
    if (a[0] >= MOAT_MAX_CPUS || a[1] >= MOAT_EXIT_REASONS) {
        r.status = MOAT_HC_INVALID;
        return;
    }
    r.ret[0] = stats_read(static_cast<u32>(a[0]), static_cast<u32>(a[1]));
}

// A CPU leaving EL2 leaves stage 2 too: while another cell exists that would hand the root its
// memory (and the hypervisor's). The driver checks first; this is the rule.
void disable_call(const HypercallContext &ctx, const u64 *, HypercallResult &r, char *, size_t)
{
    if (!cells_begin_leave()) {
        log("CPU %u: disable refused: cells other than the root exist; destroy them first", ctx.cpu);
        r.status = MOAT_HC_DENIED;
        return;
    }
    r.leave = true;
}

// Every call, who may make it, and what it does. Statistics and disable are the root cell's
// business; cell management is its alone.
constexpr Call CALLS[] = {
    {MOAT_HC_GET_INFO, Caller::ANY, get_info_call},
    {MOAT_HC_DISABLE, Caller::ROOT, disable_call},
    {MOAT_HC_CPU_INFO, Caller::ROOT, cpu_info_call},
    {MOAT_HC_CONSOLE_PUTC, Caller::ANY, console_putc_call},
    {MOAT_HC_GET_STATS, Caller::ROOT, get_stats_call},
    {MOAT_HC_CONSOLE_WRITE, Caller::ANY, console_write_call},
    {MOAT_HC_CONSOLE_INFO, Caller::ROOT, console_info_call},
    {MOAT_HC_SHUTDOWN_NOTIFY, Caller::CELL, shutdown_notify_call},
    {MOAT_HC_SHUTDOWN_REPLY, Caller::CELL, shutdown_reply_call},
    {MOAT_HC_CELL_CREATE, Caller::ROOT, cell_create_call},
    {MOAT_HC_CELL_LOAD, Caller::ROOT, cell_load_call},
    {MOAT_HC_CELL_START, Caller::ROOT, cell_start_call},
    {MOAT_HC_CELL_SHUTDOWN, Caller::ROOT, cell_shutdown_call},
    {MOAT_HC_CELL_DESTROY, Caller::ROOT, cell_destroy_call},
    {MOAT_HC_CELL_STATE, Caller::ROOT, cell_state_call},
};

const Call *find_call(u64 function)
{
    for (const Call &c : CALLS)
        if (c.function == function)
            return &c;
    return nullptr;
}

bool may_call(Caller who, bool root)
{
    return who == Caller::ANY || (who == Caller::ROOT) == root;
}

// Cell calls name a cell by its first argument (all but create).
bool names_a_cell(u64 function)
{
    return function >= MOAT_HC_CELL_LOAD && function <= MOAT_HC_CELL_STATE;
}
}  // namespace

HypercallResult hypercall(const HypercallContext &ctx, u64 function, const u64 args[HYPERCALL_ARGS])
{
    HypercallResult r{MOAT_HC_OK, {0, 0, 0}, false};
    const Call *call = find_call(function);
    if (!call) {
        // A cell is told no more than that it may not: it learns nothing of the root's calls.
        r.status = ctx.root ? MOAT_HC_NOT_SUPPORTED : MOAT_HC_DENIED;
        return r;
    }
    if (!may_call(call->caller, ctx.root)) {
        r.status = MOAT_HC_DENIED;
        return r;
    }
    char err[MOAT_HC_ERROR_LEN];
    err[0] = '\0';
    // Cell ids are 32 bits: a larger one names no cell (cut down, 2^32 would name the root).
    if (names_a_cell(function) && args[0] > CELL_ID_MAX) {
        r.status = MOAT_HC_INVALID;
        format(err, sizeof(err), "no cell with id %#lx: cell ids are 32-bit", static_cast<unsigned long>(args[0]));
    } else {
        call->handler(ctx, args, r, err, sizeof(err));
    }
    unsigned err_arg = MOAT_HC_ERROR_ARG(function);
    if (r.status != MOAT_HC_OK && err[0] && err_arg && args[err_arg - 1])
        cell_report_error(args[err_arg - 1], err);
    return r;
}

}  // namespace moat
