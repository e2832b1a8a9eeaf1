// SPDX-License-Identifier: MIT
// Flavour-independent console code: the backends provide console_init and console_write_raw.
#include "demo/console.hpp"

#include <stdarg.h>

namespace demo {

void console_write_raw(char c);  // backend: one character, no translation
void console_flush();            // backend: send what it still holds

namespace {
// Into the backend, which may hold it until the line ends (the hypercall console does).
void put_buffered(char c)
{
    if (c == '\n')
        console_write_raw('\r');
    console_write_raw(c);
}
}  // namespace

void console_putc(char c)
{
    put_buffered(c);
    console_flush();
}

void console_puts(const char *s)
{
    while (*s)
        put_buffered(*s++);
    console_flush();
}

size_t printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const size_t n = vformat([](void *, char c) { put_buffered(c); }, nullptr, fmt, ap);
    va_end(ap);
    console_flush();
    return n;
}

}  // namespace demo
