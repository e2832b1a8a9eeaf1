// SPDX-License-Identifier: MIT
// The EL1 virtual timer (CNTV_*) and the virtual counter (CNTVCT) for time. The virtual timer is
// the one a hypervisor leaves to its guests; its interrupt is the PPI the board tree names.
#pragma once

#include <stdint.h>

#include "demo/irq.hpp"
#include "demo/time_conv.hpp"

namespace demo::timer {

uint64_t frequency();  // CNTFRQ_EL0, Hz
// Time stamp: the virtual counter, read after an ISB so that it is not taken early by
// out-of-order execution relative to the code before it.
uint64_t now();

inline uint64_t to_ns(uint64_t ticks) { return ticks_to_ns(ticks, frequency()); }
inline uint64_t from_ns(uint64_t ns) { return ns_to_ticks(ns, frequency()); }

// Fires the timer interrupt once the counter reaches `deadline` (absolute, so periods do not
// drift by the time it takes to re-arm).
void arm_at(uint64_t deadline);
// Masks and disables the timer, which also drops its level-triggered interrupt line.
void stop();

// Enables the virtual timer PPI for this CPU and routes it to `handler`.
bool attach_interrupt(irq::Handler handler, void *ctx);

// If the timer is armed and its deadline has already passed (its line is asserted), drops and
// raises the line again: see the GICv2 backend's end_of_interrupt() for why.
void reassert_if_expired();

// Busy-waits until the counter has advanced by at least `ticks` (one counter tick of
// resolution, independent of the CPU clock or caches).
void delay_ticks(uint64_t ticks);
inline void delay_ns(uint64_t ns) { delay_ticks(from_ns(ns)); }
inline void delay_us(uint64_t us) { delay_ns(us * 1000); }

}  // namespace demo::timer
