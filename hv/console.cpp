// SPDX-License-Identifier: GPL-2.0
#include "hv/console.hpp"

#include <moat/abi.h>

#include "lib/format.hpp"
#include "hv/spinlock.hpp"

namespace moat {

namespace {
ConsolePutc console_putc;
SpinLock console_lock;
// Page aligned: the root cell gets exactly these pages, read-only, for `moat console`.
alignas(4096) moat_console_ring ring;

// Every character of the console goes through here (under console_lock).
void out(char c)
{
    ring.buf[ring.written % sizeof(ring.buf)] = c;
    __atomic_store_n(&ring.written, ring.written + 1, __ATOMIC_RELEASE);
    console_putc(c);
}
constexpr size_t LINE_MAX = 200;
}  // namespace

void console_set_output(ConsolePutc putc) { console_putc = putc; }
const void *console_ring() { return &ring; }

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
        out(*p);
    for (const char *p = line; *p; p++) {
        if (*p == '\n')
            out('\r');
        out(*p);
    }
    out('\r');
    out('\n');
}

}  // namespace moat

namespace moat {
void console_line(const char *cell, const char *text)
{
    if (!console_putc)
        return;
    LockGuard guard(console_lock);
    out('[');
    for (const char *p = cell; *p; p++)
        out(*p);
    out(']');
    out(' ');
    for (const char *p = text; *p; p++)
        out(*p);
    out('\r');
    out('\n');
}
}  // namespace moat
