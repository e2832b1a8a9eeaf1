// SPDX-License-Identifier: MIT
// Console on the BCM2835/BCM2711 mini UART (brcm,bcm2835-aux-uart: the Raspberry Pi's uart1), the
// node the board header names, written directly. The firmware (enable_uart=1) or Linux has set
// the baud rate and 8-bit mode and enabled the mini UART in the AUX block; console_init() only
// makes sure the transmitter is on. Registers from the BCM2711 ARM Peripherals document (AUX_MU_*,
// offsets from the mini UART's own base, the node's reg).
#include "demo/board.hpp"
#include "demo/console.hpp"
#include "demo/mmio.hpp"

namespace demo {

namespace {
constexpr uintptr_t kMuIo = 0x00;    // AUX_MU_IO_REG: transmit/receive data
constexpr uintptr_t kMuLsr = 0x14;   // AUX_MU_LSR_REG: line status
constexpr uintptr_t kMuCntl = 0x20;  // AUX_MU_CNTL_REG: receiver/transmitter enable
constexpr uint32_t kMuLsrTxEmpty = 1u << 5;  // the FIFO can take at least one byte
constexpr uint32_t kMuCntlTxEnable = 1u << 1;

uintptr_t reg(uintptr_t offset) { return board::kUartBase + offset; }
}  // namespace

void console_init() { mmio::update32(reg(kMuCntl), 0, kMuCntlTxEnable); }

// Every character is already in the UART's FIFO (see console_cadence.cpp).
void console_flush() {}

// A UART of its own: no console ring.
bool console_use_ring(uintptr_t) { return false; }

void console_write_raw(char c)
{
    while (!(mmio::read32(reg(kMuLsr)) & kMuLsrTxEmpty)) {
    }
    mmio::write32(reg(kMuIo), static_cast<unsigned char>(c));
}

}  // namespace demo
