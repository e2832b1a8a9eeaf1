// SPDX-License-Identifier: MIT
// Cell console through the hypervisor: characters are gathered into lines and sent with
// MOAT_HC_CONSOLE_WRITE, up to 40 per hypercall, so that printing costs few exits. The UART
// belongs to the root cell; the hypervisor serialises what cells print onto it. A cell with a
// console ring (console = "ring") writes its lines there instead: no exit at all; the root's
// driver drains it.
#include <moat/abi.h>
#include <moat/cell_ring.h>

#include "demo/console.hpp"
#include "demo/mmu.hpp"

namespace demo {

namespace {
char pending[MOAT_CONSOLE_WRITE_MAX];
unsigned pending_len;
moat_cell_ring *ring;  // set once the ring is in use

void send(const char *buf, unsigned len)
{
    uint64_t words[5] = {};
    for (unsigned i = 0; i < len; i++)
        words[i / 8] |= uint64_t{static_cast<unsigned char>(buf[i])} << (8 * (i % 8));
    register uint64_t x0 asm("x0") = MOAT_HC_CONSOLE_WRITE;
    register uint64_t x1 asm("x1") = len;
    register uint64_t x2 asm("x2") = words[0];
    register uint64_t x3 asm("x3") = words[1];
    register uint64_t x4 asm("x4") = words[2];
    register uint64_t x5 asm("x5") = words[3];
    register uint64_t x6 asm("x6") = words[4];
    // SMCCC: x0-x3 carry results; x4-x17 may be clobbered by SMCCC 1.0 implementations.
    asm volatile("hvc #0"
                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
                 :
                 : "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
}
}  // namespace

void console_init() {}
void console_flush();

bool console_use_ring(uintptr_t ipa)
{
    if (!ipa || !mmu::normal(ipa, sizeof(moat_cell_ring)))
        return false;
    console_flush();
    ring = reinterpret_cast<moat_cell_ring *>(ipa);
    return true;
}

void console_flush()
{
    if (pending_len && ring)
        moat_cell_ring_write(ring, pending, pending_len);
    else if (pending_len)
        send(pending, pending_len);
    pending_len = 0;
}

void console_write_raw(char c)
{
    pending[pending_len++] = c;
    if (c == '\n' || pending_len == sizeof(pending))
        console_flush();
}

}  // namespace demo
