// SPDX-License-Identifier: MIT
// Console on a Cadence UART (cdns,uart-r1p12 / xlnx,xuartps: the ZynqMP's UARTs), the node the
// board header names (/chosen stdout-path, or the build's CONSOLE node), written directly.
// Firmware or Linux has set the baud rate; Linux disables the transmitter when it lets go of the
// UART, so console_init() turns it back on. Registers from the Zynq UltraScale+ TRM (UG1087).
#include "demo/board.hpp"
#include "demo/console.hpp"
#include "demo/mmio.hpp"

namespace demo {

namespace {
constexpr uintptr_t kUartCr = 0x00;    // control
constexpr uintptr_t kUartSr = 0x2c;    // channel status
constexpr uintptr_t kUartFifo = 0x30;  // transmit/receive FIFO
constexpr uint32_t kUartCrTxEn = 1u << 4;
constexpr uint32_t kUartCrTxDis = 1u << 5;  // wins over TXEN while set
constexpr uint32_t kUartSrTxFull = 1u << 4;

uintptr_t reg(uintptr_t offset) { return board::kUartBase + offset; }
}  // namespace

void console_init() { mmio::update32(reg(kUartCr), kUartCrTxDis, kUartCrTxEn); }

// A UART of its own: no console ring.
bool console_use_ring(uintptr_t) { return false; }

// Every character is already in the UART's FIFO; waiting for it to drain here (after every
// printf) would stall the caller for a whole line's transmission time.
void console_flush() {}

void console_write_raw(char c)
{
    while (mmio::read32(reg(kUartSr)) & kUartSrTxFull) {
    }
    mmio::write32(reg(kUartFifo), static_cast<unsigned char>(c));
}

}  // namespace demo
