// SPDX-License-Identifier: MIT
// The demo program model: start-up calls demo_main() at EL1 with a stack, BSS cleared, FP/SIMD
// enabled, exception vectors installed, console and GIC up, IRQs still masked. Returning from
// demo_main() is demo::exit(status).
#pragma once

#include <stdint.h>

int demo_main();

namespace demo {

// Reports the status and ends the program. Bare-metal: prints "MOAT-TEST-EXIT=<status>" (what
// qemu-run.sh looks for) and powers the machine off. In a cell the line is
// "<name>: exit status N" instead, so that a cell can never forge the result of the Linux-side
// test sharing the same console, and the CPU is offered back through PSCI SYSTEM_OFF.
[[noreturn]] void exit(int status);

// Stops this CPU for good: interrupts masked, WFI forever.
[[noreturn]] void halt();

// The demo's name, for the cell's exit line; set by the demo before exit.
void set_program_name(const char *name);

}  // namespace demo
