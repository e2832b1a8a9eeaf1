// SPDX-License-Identifier: GPL-2.0
#include "hv/console.hpp"

#include "hv/format.hpp"
#include "hv/spinlock.hpp"

namespace moat {

namespace {
ConsolePutc console_putc;
SpinLock console_lock;
constexpr size_t LINE_MAX = 200;
}  // namespace

void console_set_output(ConsolePutc putc) { console_putc = putc; }

void log(const char *fmt, ...)
{
    char line[LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    format_v(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (!console_putc)
        return;
    LockGuard guard(console_lock);
    for (const char *p = "moat: "; *p; p++)
        console_putc(*p);
    for (const char *p = line; *p; p++) {
        if (*p == '\n')
            console_putc('\r');
        console_putc(*p);
    }
    console_putc('\r');
    console_putc('\n');
}

}  // namespace moat

namespace moat {
void console_line(const char *cell, const char *text)
{
    if (!console_putc)
        return;
    LockGuard guard(console_lock);
    console_putc('[');
    for (const char *p = cell; *p; p++)
        console_putc(*p);
    console_putc(']');
    console_putc(' ');
    for (const char *p = text; *p; p++)
        console_putc(*p);
    console_putc('\r');
    console_putc('\n');
}
}  // namespace moat
