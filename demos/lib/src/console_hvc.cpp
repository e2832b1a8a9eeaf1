// SPDX-License-Identifier: MIT
// Cell console: one MOAT_HC_CONSOLE_PUTC hypercall per character. The UART belongs to the root
// cell; the hypervisor serialises what cells print onto it.
#include <moat/abi.h>

#include "demo/console.hpp"

namespace demo {

void console_init() {}

void console_write_raw(char c)
{
    register uint64_t x0 asm("x0") = MOAT_HC_CONSOLE_PUTC;
    register uint64_t x1 asm("x1") = static_cast<unsigned char>(c);
    // SMCCC: x0-x3 carry results; x4-x17 may be clobbered by SMCCC 1.0 implementations.
    asm volatile("hvc #0"
                 : "+r"(x0), "+r"(x1)
                 :
                 : "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                   "x16", "x17", "memory");
}

}  // namespace demo
