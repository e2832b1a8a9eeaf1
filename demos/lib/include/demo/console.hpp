// SPDX-License-Identifier: MIT
// Console output. The backend is chosen by the flavour: the moat console hypercall in a cell,
// the board's PL011 (address from the board tree) bare-metal. Output is unbuffered and
// synchronous: after printf returns, the characters have left the CPU.
#pragma once

#include "demo/format.hpp"

namespace demo {

void console_init();
// Cell flavour: print into the console ring page at `ipa` (x0 at entry of a cell whose overlay
// says console = "ring"; include/moat/cell_ring.h) instead of making a hypercall per line: no
// exit. Only if the page is Normal cacheable memory in the demo's map; false (the hypercall
// console stays) otherwise, and in the bare-metal flavour.
bool console_use_ring(uintptr_t ipa);
void console_putc(char c);  // "\n" becomes "\r\n" for terminals
void console_puts(const char *s);
size_t printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace demo
