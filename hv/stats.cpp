// SPDX-License-Identifier: GPL-2.0
#include "hv/stats.hpp"

namespace moat {

namespace {
// Each counter is only written by its own CPU: no atomics needed, readers may see a stale value.
u64 counters[MOAT_MAX_CPUS][MOAT_EXIT_REASONS];
}  // namespace

void stats_count(u32 cpu, u32 reason)
{
    if (cpu < MOAT_MAX_CPUS && reason < MOAT_EXIT_REASONS)
        counters[cpu][reason]++;
}

u64 stats_read(u32 cpu, u32 reason)
{
    if (cpu >= MOAT_MAX_CPUS || reason >= MOAT_EXIT_REASONS)
        return 0;
    return __atomic_load_n(&counters[cpu][reason], __ATOMIC_RELAXED);
}

void stats_reset(u32 cpu)
{
    if (cpu >= MOAT_MAX_CPUS)
        return;
    for (u64 &c : counters[cpu])
        c = 0;
}

}  // namespace moat
