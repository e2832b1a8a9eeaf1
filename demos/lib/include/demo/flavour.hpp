// SPDX-License-Identifier: MIT
// Which of the two builds of every demo this is. The cell flavour runs under the moat hypervisor
// (console through a hypercall, runs until the cell is destroyed); the bare-metal flavour runs
// alone on the machine at EL1 (console on the UART, powers the machine off when done).
#pragma once

namespace demo {

#if defined(DEMO_FLAVOUR_CELL)
inline constexpr bool kInCell = true;
inline constexpr const char *kFlavour = "cell";
#elif defined(DEMO_FLAVOUR_BAREMETAL)
inline constexpr bool kInCell = false;
inline constexpr const char *kFlavour = "baremetal";
#else
#error "build with DEMO_FLAVOUR_CELL or DEMO_FLAVOUR_BAREMETAL"
#endif

}  // namespace demo
