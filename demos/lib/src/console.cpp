// SPDX-License-Identifier: MIT
// Flavour-independent console code: the backends provide console_init and console_write_raw.
#include "demo/console.hpp"

#include <stdarg.h>

namespace demo {

void console_write_raw(char c);  // backend: one character, no translation

void console_putc(char c)
{
    if (c == '\n')
        console_write_raw('\r');
    console_write_raw(c);
}

void console_puts(const char *s)
{
    while (*s)
        console_putc(*s++);
}

size_t printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const size_t n = vformat([](void *, char c) { console_putc(c); }, nullptr, fmt, ap);
    va_end(ap);
    return n;
}

}  // namespace demo
