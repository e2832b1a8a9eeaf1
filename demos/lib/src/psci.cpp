// SPDX-License-Identifier: MIT
#include "demo/psci.hpp"

#include "demo/board.hpp"

namespace demo::psci {

namespace {
// One PSCI call with no arguments, through the board's conduit.
uint64_t call(uint64_t function)
{
    register uint64_t x0 asm("x0") = function;
    if constexpr (board::kPsciConduitHvc)
        asm volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                     "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    else
        asm volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
                     "x12", "x13", "x14", "x15", "x16", "x17", "memory");
    return x0;
}
}  // namespace

uint32_t version() { return static_cast<uint32_t>(call(kVersion)); }

void system_off() { call(kSystemOff); }

}  // namespace demo::psci
