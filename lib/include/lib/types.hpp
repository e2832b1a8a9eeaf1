// SPDX-License-Identifier: GPL-2.0
// Fixed-width types for the hypervisor; also compiled on the host for unit tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace moat {
using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using s64 = int64_t;

constexpr u64 PAGE_SHIFT = 12;
constexpr u64 PAGE_SIZE = u64{1} << PAGE_SHIFT;

constexpr u64 align_down(u64 v, u64 a) { return v & ~(a - 1); }
constexpr u64 align_up(u64 v, u64 a) { return (v + a - 1) & ~(a - 1); }
constexpr bool is_aligned(u64 v, u64 a) { return (v & (a - 1)) == 0; }
}  // namespace moat
