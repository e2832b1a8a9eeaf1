// SPDX-License-Identifier: GPL-2.0
// The hypervisor's debug console: whole lines prefixed "moat: ", written under one lock.
#pragma once

#include "lib/types.hpp"

namespace moat {
using ConsolePutc = void (*)(char c);

void console_set_output(ConsolePutc putc);
// The ring buffer of everything printed (struct moat_console_ring), page aligned.
const void *console_ring();
// One line; the prefix and the trailing newline are added here.
void log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// A line a cell printed, shown as "[name] text".
void console_line(const char *cell, const char *text);
}  // namespace moat
