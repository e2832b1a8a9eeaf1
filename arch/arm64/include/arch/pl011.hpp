// SPDX-License-Identifier: GPL-2.0
#pragma once

#include "lib/types.hpp"

namespace moat::arm64 {
void pl011_init(u64 base);
void pl011_putc(char c);
}  // namespace moat::arm64
