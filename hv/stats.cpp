// SPDX-License-Identifier: GPL-2.0
#include "hv/stats.hpp"

namespace moat {

u64 stats_counters[MOAT_MAX_CPUS][MOAT_EXIT_REASONS];
namespace {
auto &counters = stats_counters;
}  // namespace

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
