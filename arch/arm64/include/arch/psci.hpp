// SPDX-License-Identifier: GPL-2.0
// Trapped SMCs: PSCI calls are checked (hv/psci.cpp) and passed to the firmware, with CPU_ON
// and powerdown suspends redirected through the hypervisor's own entry so that the CPU comes
// back under EL2 instead of with nothing there.
#pragma once

#include "arch/cpu.hpp"

namespace moat::arm64 {
void psci_init(const u64 *mpidr, u32 count);
void psci_cpu_started(u32 cpu);
u64 handle_smc(TrapFrame &f, PerCpu &pc);
}  // namespace moat::arm64
