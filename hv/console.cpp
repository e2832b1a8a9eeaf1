// SPDX-License-Identifier: GPL-2.0
#include "hv/console.hpp"

#include <moat/abi.h>
#include <moat/cell_ring.h>

#include "lib/format.hpp"
#include "hv/spinlock.hpp"

namespace moat {

namespace {
ConsolePutc console_putc;
SpinLock console_lock;
// Page aligned: the root cell gets exactly these pages, read-only, for `moat console`.
alignas(4096) moat_console_ring ring;
// Cells' console rings (include/moat/cell_ring.h): read-only in the root, read-write in the one
// cell of the slot whose overlay asks for a ring. Nothing else shares these pages.
alignas(4096) moat_cell_ring cell_rings[MOAT_MAX_CELLS];

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
void *cell_console_ring(u32 id) { return &cell_rings[id % MOAT_MAX_CELLS]; }
void cell_console_ring_clear(u32 id)
{
    volatile char *p = reinterpret_cast<volatile char *>(&cell_rings[id % MOAT_MAX_CELLS]);
    for (size_t i = 0; i < sizeof(moat_cell_ring); i++)
        p[i] = 0;
}

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
