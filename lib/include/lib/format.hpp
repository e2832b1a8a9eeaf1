// SPDX-License-Identifier: GPL-2.0
// A small printf for the hypervisor: %d %i %u %x %X %p %s %c %%, with 0-padding, a field width
// and the l/ll/z length modifiers. No floating point (EL2 code never touches FP registers).
#pragma once

#include <stdarg.h>

#include "lib/types.hpp"

namespace moat {
// Writes at most size-1 characters and a NUL; returns the length the full output would have.
size_t format_v(char *buf, size_t size, const char *fmt, va_list ap);
size_t format(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
}  // namespace moat
