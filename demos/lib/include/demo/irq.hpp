// SPDX-License-Identifier: MIT
// Interrupt dispatch: one handler per INTID, called with interrupts masked (no nesting), after
// the vector saved the caller-saved and FP/SIMD registers.
#pragma once

#include <stdint.h>

namespace demo::irq {

// entry_ticks: CNTVCT read by the first instructions of the IRQ vector, for latency measurement.
using Handler = void (*)(uint32_t intid, uint64_t entry_ticks, void *ctx);

inline constexpr uint32_t kMaxIntid = 256;  // the demos use PPIs and low SPIs only

bool attach(uint32_t intid, Handler handler, void *ctx);
void detach(uint32_t intid);

// Interrupts taken so far and how many had no handler (acknowledged and ignored).
uint64_t taken();
uint64_t unhandled();

}  // namespace demo::irq
