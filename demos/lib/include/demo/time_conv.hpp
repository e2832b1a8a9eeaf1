// SPDX-License-Identifier: MIT
// Conversions between generic-timer ticks and nanoseconds. The counter frequency comes from
// CNTFRQ_EL0 at run time; the arithmetic is split into whole seconds and a remainder so that it
// neither overflows 64 bits nor needs 128-bit division (no libgcc helpers in the inmate).
#pragma once

#include <stdint.h>

namespace demo {

inline constexpr uint64_t kNsPerSecond = 1'000'000'000;

// Rounds down. Exact for any tick count as long as freq_hz < 2^34 (every real counter).
constexpr uint64_t ticks_to_ns(uint64_t ticks, uint64_t freq_hz)
{
    return (ticks / freq_hz) * kNsPerSecond + (ticks % freq_hz) * kNsPerSecond / freq_hz;
}

// Rounds up, so that a delay or a period is never shorter than asked for.
constexpr uint64_t ns_to_ticks(uint64_t ns, uint64_t freq_hz)
{
    return (ns / kNsPerSecond) * freq_hz + ((ns % kNsPerSecond) * freq_hz + kNsPerSecond - 1) / kNsPerSecond;
}

// Signed variant for differences (jitter, latency) that may be negative; rounds toward zero.
constexpr int64_t ticks_to_ns_signed(int64_t ticks, uint64_t freq_hz)
{
    return ticks < 0 ? -static_cast<int64_t>(ticks_to_ns(static_cast<uint64_t>(-ticks), freq_hz))
                     : static_cast<int64_t>(ticks_to_ns(static_cast<uint64_t>(ticks), freq_hz));
}

}  // namespace demo
