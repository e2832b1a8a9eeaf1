// SPDX-License-Identifier: MIT
// A small printf for the demos, also built on the host for the unit tests.
// Conversions: %d %i %u %x %X %o %p %s %c %%; flags '-', '0', '+', ' ', '#'; a field width (digits or
// '*'); a precision for %s; length modifiers hh h l ll z t j. No floating point: demos print
// fixed-point values with format_milli() so that the formatter never touches FP registers.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

namespace demo {

// Receives each output character; ctx is passed through unchanged.
using FormatSink = void (*)(void *ctx, char c);

// Formats into sink; returns the number of characters produced.
size_t vformat(FormatSink sink, void *ctx, const char *fmt, va_list ap);

// Writes at most size-1 characters and a NUL; returns the length the full output would have.
size_t vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
size_t snformat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// Thousandths as a decimal with three fraction digits: 1234 -> "1.234", -5 -> "-0.005".
// Same truncation contract as snformat.
size_t format_milli(char *buf, size_t size, int64_t milli);

}  // namespace demo
