// SPDX-License-Identifier: GPL-2.0
// Every exit to the hypervisor, counted per CPU and per reason; read through a hypercall.
#pragma once

#include <moat/abi.h>

#include "lib/types.hpp"

namespace moat {

// The numbering is ABI: moat stats prints them by these numbers (MOAT_EXIT_* in abi.h).
// Each counter is only written by its own CPU: no atomics needed, readers may see a stale value.
// Inline: it is on every exit's path (the reason is a constant there, its check folds away).
extern u64 stats_counters[MOAT_MAX_CPUS][MOAT_EXIT_REASONS];
inline void stats_count(u32 cpu, u32 reason)
{
    if (cpu < MOAT_MAX_CPUS && reason < MOAT_EXIT_REASONS)
        stats_counters[cpu][reason]++;
}
u64 stats_read(u32 cpu, u32 reason);
void stats_reset(u32 cpu);

}  // namespace moat
