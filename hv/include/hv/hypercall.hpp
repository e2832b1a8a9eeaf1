// SPDX-License-Identifier: GPL-2.0
// The hypercall switch: arch code decodes the trap, this decides what each call does.
#pragma once

#include "lib/types.hpp"

namespace moat {

struct Cell;

struct HypercallResult {
    s64 status;   // x0: MOAT_HC_* status
    u64 ret[3];   // x1..x3
    bool leave;   // the calling CPU leaves the hypervisor after returning
};

// What the core needs to know about the CPU that called; filled by arch code.
struct HypercallContext {
    u32 cpu;
    u32 current_el;
    u64 calls_on_cpu;
    bool root;  // the caller is the root cell: cell management is its alone
    u32 cell_cpus;  // CPUs of the caller's cell (all a cell learns from GET_INFO)
    Cell *cell;     // the caller's cell
};

constexpr unsigned HYPERCALL_ARGS = 6;  // x1..x6

HypercallResult hypercall(const HypercallContext &ctx, u64 function, const u64 args[HYPERCALL_ARGS]);

}  // namespace moat
