// SPDX-License-Identifier: GPL-2.0
// The hypervisor's debug console: whole lines prefixed "moat: ", written under one lock.
#pragma once

#include "lib/types.hpp"

namespace moat {
using ConsolePutc = void (*)(char c);

void console_set_output(ConsolePutc putc);
// The ring buffer of everything printed (struct moat_console_ring), page aligned.
const void *console_ring();
// The console ring page of cell slot `id` (struct moat_cell_ring), page aligned; the pages of
// all slots are consecutive, slot 0 (the root, which never writes its own) first.
void *cell_console_ring(u32 id);
// Zero slot `id`'s page: at create, so a cell starts from an empty ring, and at destroy, so
// nothing it wrote outlives it (the root reads every slot's page).
void cell_console_ring_clear(u32 id);
// One line; the prefix and the trailing newline are added here.
void log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// A line a cell printed, shown as "[name] text".
void console_line(const char *cell, const char *text);
}  // namespace moat
