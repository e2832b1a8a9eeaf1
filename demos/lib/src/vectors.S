/* SPDX-License-Identifier: MIT */
/*
 * EL1 exception vectors. IRQs taken from EL1 with SP_EL1 go to the C++ dispatcher; every other
 * exception is unexpected in a demo and is reported (registers, ESR, FAR) before stopping.
 */
#include "demo/arch_bits.h"

/* Unexpected exception: save all general registers, pass the frame and the kind to C++. */
.macro unexpected kind
	.balign	VECTOR_ENTRY_SIZE
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	demo_unexpected_entry
.endm

/* IRQ: time stamp first (what timer-latency measures), then save and dispatch. */
.macro irq_entry
	.balign	VECTOR_ENTRY_SIZE
	sub	sp, sp, #IRQ_FRAME_SIZE
	stp	x0, x1, [sp, #IRQ_FRAME_X0]
	/* Exception entry is context synchronising: no ISB needed before this counter read. */
	mrs	x0, cntvct_el0
	b	demo_irq_entry
.endm

	.section .text.vectors, "ax"
	.balign	VECTOR_TABLE_ALIGN
	.global	demo_vectors
demo_vectors:
	unexpected EXC_CUR_SP0_SYNC
	unexpected EXC_CUR_SP0_IRQ
	unexpected EXC_CUR_SP0_FIQ
	unexpected EXC_CUR_SP0_SERROR
	unexpected EXC_CUR_SPX_SYNC
	irq_entry
	unexpected EXC_CUR_SPX_FIQ
	unexpected EXC_CUR_SPX_SERROR
	unexpected EXC_LOWER64_SYNC
	unexpected EXC_LOWER64_IRQ
	unexpected EXC_LOWER64_FIQ
	unexpected EXC_LOWER64_SERROR
	unexpected EXC_LOWER32_SYNC
	unexpected EXC_LOWER32_IRQ
	unexpected EXC_LOWER32_FIQ
	unexpected EXC_LOWER32_SERROR

/* x0 = kind; x0/x1 of the interrupted code are already in the frame. */
demo_unexpected_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #EXC_FRAME_ELR]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #EXC_FRAME_ESR]
	add	x1, sp, #EXC_FRAME_SIZE
	str	x1, [sp, #EXC_FRAME_SP]
	mov	x1, x0
	mov	x0, sp
	bl	demo_unexpected_exception
	/* Does not return. */
1:	wfi
	b	1b

/* x0 = entry time stamp; x0/x1 of the interrupted code are already in the frame. */
demo_irq_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	str	x18, [sp, #IRQ_FRAME_X18]
	stp	x29, x30, [sp, #IRQ_FRAME_X29]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #IRQ_FRAME_ELR]
	mrs	x1, fpsr
	mrs	x2, fpcr
	stp	x1, x2, [sp, #IRQ_FRAME_FPSR]
	add	x1, sp, #IRQ_FRAME_Q0
	stp	q0, q1, [x1, #0]
	stp	q2, q3, [x1, #32]
	stp	q4, q5, [x1, #64]
	stp	q6, q7, [x1, #96]
	stp	q8, q9, [x1, #128]
	stp	q10, q11, [x1, #160]
	stp	q12, q13, [x1, #192]
	stp	q14, q15, [x1, #224]
	stp	q16, q17, [x1, #256]
	stp	q18, q19, [x1, #288]
	stp	q20, q21, [x1, #320]
	stp	q22, q23, [x1, #352]
	stp	q24, q25, [x1, #384]
	stp	q26, q27, [x1, #416]
	stp	q28, q29, [x1, #448]
	stp	q30, q31, [x1, #480]

	bl	demo_irq_dispatch

	add	x1, sp, #IRQ_FRAME_Q0
	ldp	q0, q1, [x1, #0]
	ldp	q2, q3, [x1, #32]
	ldp	q4, q5, [x1, #64]
	ldp	q6, q7, [x1, #96]
	ldp	q8, q9, [x1, #128]
	ldp	q10, q11, [x1, #160]
	ldp	q12, q13, [x1, #192]
	ldp	q14, q15, [x1, #224]
	ldp	q16, q17, [x1, #256]
	ldp	q18, q19, [x1, #288]
	ldp	q20, q21, [x1, #320]
	ldp	q22, q23, [x1, #352]
	ldp	q24, q25, [x1, #384]
	ldp	q26, q27, [x1, #416]
	ldp	q28, q29, [x1, #448]
	ldp	q30, q31, [x1, #480]
	ldp	x1, x2, [sp, #IRQ_FRAME_FPSR]
	msr	fpsr, x1
	msr	fpcr, x2
	ldp	x1, x2, [sp, #IRQ_FRAME_ELR]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x29, x30, [sp, #IRQ_FRAME_X29]
	ldr	x18, [sp, #IRQ_FRAME_X18]
	ldp	x16, x17, [sp, #128]
	ldp	x14, x15, [sp, #112]
	ldp	x12, x13, [sp, #96]
	ldp	x10, x11, [sp, #80]
	ldp	x8, x9, [sp, #64]
	ldp	x6, x7, [sp, #48]
	ldp	x4, x5, [sp, #32]
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp, #IRQ_FRAME_X0]
	add	sp, sp, #IRQ_FRAME_SIZE
	eret
