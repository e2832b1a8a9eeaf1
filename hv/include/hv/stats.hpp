// SPDX-License-Identifier: GPL-2.0
// Every exit to the hypervisor, counted per CPU and per reason; read through a hypercall.
#pragma once

#include <moat/abi.h>

#include "lib/types.hpp"

namespace moat {

// The numbering is ABI: moat stats prints them by these numbers (MOAT_EXIT_* in abi.h).
void stats_count(u32 cpu, u32 reason);
u64 stats_read(u32 cpu, u32 reason);
void stats_reset(u32 cpu);

}  // namespace moat
