// SPDX-License-Identifier: GPL-2.0
// Trapped SMCs: PSCI calls are checked (hv/psci.cpp) and passed to the firmware, with CPU_ON
// and powerdown suspends redirected through the hypervisor's own entry so that the CPU comes
// back under EL2 instead of with nothing there.
#pragma once

#include "arch/cpu.hpp"
#include "hv/psci.hpp"

namespace moat::arm64 {
void psci_init(const u64 *mpidr, u32 count);
void psci_cpu_started(u32 cpu);
void psci_cpu_stopped(u32 cpu);
int psci_cpu_of(u64 mpidr);
CpuPower psci_cpu_power(u32 cpu);
// Power a CPU on through the firmware into the hypervisor's entry (it then enters its cell at
// its on_entry). Returns the PSCI status.
s64 psci_power_on(u32 cpu);
// Power the calling CPU off through the firmware.
void psci_firmware_cpu_off();
// If every CPU in `mask` is off, call take(cpu) for each, under the PSCI state lock that CPU_ON
// decides under (on the caller's cell's CPU mask): a CPU_ON cannot come between the check and
// the take. False, nothing taken and the first CPU found on in *busy, otherwise.
bool psci_take_if_off(u32 mask, void (*take)(u32 cpu), u32 *busy);
// Does the firmware have the CPU with affinity `mpidr` off (AFFINITY_INFO)?
bool psci_firmware_cpu_is_off(u64 mpidr);
u64 handle_smc(TrapFrame &f, PerCpu &pc);
}  // namespace moat::arm64
