// SPDX-License-Identifier: MIT
// Bare-metal console: the board's PL011 (from /chosen stdout-path), written directly. Firmware
// (or QEMU) has already set the baud rate and enabled the UART; we only transmit.
#include "demo/board.hpp"
#include "demo/console.hpp"
#include "demo/mmio.hpp"

namespace demo {

namespace {
// PL011 registers (Arm PrimeCell UART TRM, DDI 0183).
constexpr uintptr_t kUartDr = 0x000;  // data
constexpr uintptr_t kUartFr = 0x018;  // flags
constexpr uint32_t kUartFrTxff = 1u << 5;  // transmit FIFO full
}  // namespace

void console_init() {}

// A UART of its own: no console ring.
bool console_use_ring(uintptr_t) { return false; }
void console_flush() {}  // every character is already out

void console_write_raw(char c)
{
    while (mmio::read32(board::kUartBase + kUartFr) & kUartFrTxff) {
    }
    mmio::write32(board::kUartBase + kUartDr, static_cast<unsigned char>(c));
}

}  // namespace demo
