// SPDX-License-Identifier: GPL-2.0
#include "hv/state.hpp"

namespace moat {

namespace {
u32 cpus_online;
u64 image_bytes;
u64 (*pool_used)();
}  // namespace

void state_cpu_entered(u32) { __atomic_add_fetch(&cpus_online, 1, __ATOMIC_RELAXED); }
void state_cpu_left(u32) { __atomic_sub_fetch(&cpus_online, 1, __ATOMIC_RELAXED); }
u32 state_cpus_online() { return __atomic_load_n(&cpus_online, __ATOMIC_RELAXED); }

void state_set_memory(u64 image, u64 (*used)())
{
    image_bytes = image;
    pool_used = used;
}

u64 state_memory_used() { return image_bytes + (pool_used ? pool_used() : 0); }

}  // namespace moat
