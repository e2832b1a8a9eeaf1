// SPDX-License-Identifier: GPL-2.0
// System-wide facts the hypervisor core keeps: which CPUs run it and how much memory it uses.
// Written only by this module's functions.
#pragma once

#include "lib/types.hpp"

namespace moat {
void state_cpu_entered(u32 cpu);
void state_cpu_left(u32 cpu);
u32 state_cpus_online();
void state_set_memory(u64 image_bytes, u64 (*pool_used_bytes)());
u64 state_memory_used();
}  // namespace moat
