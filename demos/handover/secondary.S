/* SPDX-License-Identifier: MIT */
/*
 * The second CPU of handover / console-race, entered through PSCI CPU_ON with the MMU off and
 * no stack. It touches no memory at all (the first CPU runs with caches on, this one would not
 * see its data coherently): everything it needs comes in x0, and it speaks only through
 * hypercalls and PSCI calls, whose arguments are registers.
 *
 * x0 (context): bits [39:0] the first CPU's MPIDR affinity, bit 63 "power it back on at _start
 * before you leave" (a hand-over: the first CPU has powered itself off), bit 62 "print
 * console-race lines instead".
 */
#include <moat/abi.h>

#define PSCI_CPU_OFF 0x84000002
#define PSCI_CPU_ON_64 0xc4000003
#define PSCI_ALREADY_ON (-4)
#define BRING_BACK_BIT 63
#define CONSOLE_RACE_BIT 62
#define RACE_CHUNKS 600        /* 40-byte chunks; a newline after every 7th */

	.text
	.global handover_secondary_entry
handover_secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	tbnz	x19, #CONSOLE_RACE_BIT, race

	/* About 15 ms of guest time on this CPU, then leave (bringing the first CPU back). */
	mrs	x20, cntfrq_el0
	lsr	x20, x20, #6
	mrs	x21, cntvct_el0
	add	x21, x21, x20
1:	mrs	x22, cntvct_el0
	cmp	x22, x21
	b.lo	1b
	tbz	x19, #BRING_BACK_BIT, off

	/* The first CPU is on its way off: ALREADY_ON until the firmware has it off. */
bring_back:
	ldr	x0, =PSCI_CPU_ON_64
	and	x1, x19, #0xffffffffff
	adr	x2, _start
	mov	x3, #0
	smc	#0
	cmn	x0, #-PSCI_ALREADY_ON
	b.eq	bring_back

off:	ldr	x0, =PSCI_CPU_OFF
	smc	#0
	/* CPU_OFF does not return unless refused; a refused one has nowhere to go. */
2:	wfi
	b	2b

	/* 'b' * 40 per call, with a newline replacing the last byte of every 7th call. */
race:	mov	x20, #RACE_CHUNKS
	mov	x21, #0
3:	ldr	x0, =MOAT_HC_CONSOLE_WRITE
	mov	x1, #40
	ldr	x2, =0x6262626262626262
	mov	x3, x2
	mov	x4, x2
	mov	x5, x2
	mov	x6, x2
	add	x21, x21, #1
	cmp	x21, #7
	b.ne	4f
	mov	x21, #0
	ldr	x6, =0x0a62626262626262
4:	hvc	#0
	subs	x20, x20, #1
	b.ne	3b
	ldr	x0, =MOAT_HC_CONSOLE_WRITE
	mov	x1, #1
	mov	x2, #0x0a
	hvc	#0
	b	off
	.ltorg
