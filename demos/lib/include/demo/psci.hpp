// SPDX-License-Identifier: MIT
// PSCI calls through the conduit the board tree's /psci node names (hvc or smc).
#pragma once

#include <stdint.h>

namespace demo::psci {

// PSCI function IDs (Arm DEN0022), SMC32 fast calls.
inline constexpr uint32_t kVersion = 0x84000000;
inline constexpr uint32_t kSystemOff = 0x84000008;

uint32_t version();
// Does not return when the firmware or hypervisor honours it; returns if it refused.
void system_off();

}  // namespace demo::psci
