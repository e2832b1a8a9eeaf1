// SPDX-License-Identifier: GPL-2.0
// A trivial cell image for a cell that owns a Cadence UART (the ZCU102's ctl-loop cell:
// tests/qemu/guest/zcu102-uart-cell.sh). It drives the UART itself, at the address the board
// tree gives it (UART_BASE, from build-uart-direct.sh), then says through the hypervisor's
// console that it did, and waits for interrupts that never come until the cell is stopped.
// Runs at EL1 with the MMU off, as a cell starts: data accesses are Device-nGnRnE.
#include <moat/abi.h>

// Cadence UART (cdns,uart-r1p12) registers and bits.
#define UART_CR 0x00          // control
#define UART_SR 0x2c          // channel status
#define UART_FIFO 0x30        // transmit and receive FIFO
#define UART_CR_RXEN (1 << 2)
#define UART_CR_TXEN (1 << 4)
#define UART_SR_TXFULL_BIT 4

	.text
	.globl _start
_start:
	ldr	x19, =UART_BASE
	mov	w0, #(UART_CR_TXEN | UART_CR_RXEN)
	str	w0, [x19, #UART_CR]
	adr	x20, on_uart
1:	ldrb	w1, [x20], #1
	cbz	w1, 3f
2:	ldr	w2, [x19, #UART_SR]
	tbnz	w2, #UART_SR_TXFULL_BIT, 2b
	str	w1, [x19, #UART_FIFO]
	b	1b
	// The same news through the hypervisor (the cell's console is "hypercall").
3:	adr	x20, on_console
4:	ldrb	w1, [x20], #1
	cbz	w1, 5f
	ldr	x0, =MOAT_HC_CONSOLE_PUTC
	hvc	#0
	b	4b
5:	wfi
	b	5b

	.ltorg
on_uart:
	.asciz	"uart-direct: this line went straight from the cell's CPU to its own UART\r\n"
on_console:
	.asciz	"uart-direct: wrote one line to the UART it owns\n"
