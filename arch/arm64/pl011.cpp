// SPDX-License-Identifier: GPL-2.0
// Polled output on an Arm PL011 UART (DDI 0183): the hypervisor's debug console.
#include "arch/pl011.hpp"

namespace moat::arm64 {

namespace {
constexpr u64 UARTDR = 0x000;
constexpr u64 UARTFR = 0x018;
constexpr u32 UARTFR_TXFF = 1u << 5;  // transmit FIFO full
constexpr u32 UARTFR_BUSY = 1u << 3;

u64 pl011_base;

u32 read32(u64 off) { return *reinterpret_cast<volatile u32 *>(pl011_base + off); }
void write32(u64 off, u32 v) { *reinterpret_cast<volatile u32 *>(pl011_base + off) = v; }
}  // namespace

void pl011_init(u64 base) { pl011_base = base; }

void pl011_putc(char c)
{
    if (!pl011_base)
        return;
    while (read32(UARTFR) & UARTFR_TXFF)
        ;
    write32(UARTDR, static_cast<u8>(c));
    if (c == '\n')
        while (read32(UARTFR) & UARTFR_BUSY)
            ;
}

}  // namespace moat::arm64
