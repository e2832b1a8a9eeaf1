// SPDX-License-Identifier: MIT
// Console output. The backend is chosen by the flavour: the moat console hypercall in a cell,
// the board's PL011 (address from the board tree) bare-metal. Output is unbuffered and
// synchronous: after printf returns, the characters have left the CPU.
#pragma once

#include "demo/format.hpp"

namespace demo {

void console_init();
void console_putc(char c);  // "\n" becomes "\r\n" for terminals
void console_puts(const char *s);
size_t printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace demo
