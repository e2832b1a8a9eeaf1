/* SPDX-License-Identifier: GPL-2.0 */
/* EL2 exception vectors, trap frame save/restore, and the way back to the hyp-stub. */
#include "arch/asm.h"

	.text

/* Save x0..x30 into a new frame on the stack. Called with bl, so x30 is saved from the caller's
 * frame pointer slot: the vector stub stores x30 itself first. */
	.globl	hv_save_frame
hv_save_frame:
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #FRAME_X(0)]
	stp	x2, x3, [sp, #FRAME_X(2)]
	stp	x4, x5, [sp, #FRAME_X(4)]
	stp	x6, x7, [sp, #FRAME_X(6)]
	stp	x8, x9, [sp, #FRAME_X(8)]
	stp	x10, x11, [sp, #FRAME_X(10)]
	stp	x12, x13, [sp, #FRAME_X(12)]
	stp	x14, x15, [sp, #FRAME_X(14)]
	stp	x16, x17, [sp, #FRAME_X(16)]
	stp	x18, x19, [sp, #FRAME_X(18)]
	stp	x20, x21, [sp, #FRAME_X(20)]
	stp	x22, x23, [sp, #FRAME_X(22)]
	stp	x24, x25, [sp, #FRAME_X(24)]
	stp	x26, x27, [sp, #FRAME_X(26)]
	/* x29 and the caller's x30 were pushed by the vector stub just above this frame. */
	ldp	x0, x1, [sp, #FRAME_SIZE]
	stp	x28, x0, [sp, #FRAME_X(28)]
	str	x1, [sp, #FRAME_X(30)]
	ldr	x0, [sp, #FRAME_X(0)]
	ldr	x1, [sp, #FRAME_X(1)]
	ret

/* Restore x0..x30 from the frame at sp, drop it, and return to the lower EL. */
	.globl	hv_restore_frame_eret
hv_restore_frame_eret:
	ldp	x2, x3, [sp, #FRAME_X(2)]
	ldp	x4, x5, [sp, #FRAME_X(4)]
	ldp	x6, x7, [sp, #FRAME_X(6)]
	ldp	x8, x9, [sp, #FRAME_X(8)]
	ldp	x10, x11, [sp, #FRAME_X(10)]
	ldp	x12, x13, [sp, #FRAME_X(12)]
	ldp	x14, x15, [sp, #FRAME_X(14)]
	ldp	x16, x17, [sp, #FRAME_X(16)]
	ldp	x18, x19, [sp, #FRAME_X(18)]
	ldp	x20, x21, [sp, #FRAME_X(20)]
	ldp	x22, x23, [sp, #FRAME_X(22)]
	ldp	x24, x25, [sp, #FRAME_X(24)]
	ldp	x26, x27, [sp, #FRAME_X(26)]
	ldp	x28, x29, [sp, #FRAME_X(28)]
	ldr	x30, [sp, #FRAME_X(30)]
	ldp	x0, x1, [sp, #FRAME_X(0)]
	add	sp, sp, #(FRAME_SIZE + 16)
	eret

/*
 * Leave EL2 for good on this CPU: the C++ side filled the FRAME_LEAVE_* slots with the stub's
 * registers. Clean the frame to the point of coherency (it is read again with the MMU and
 * caches off), turn the MMU off, restore the stub's translation registers and vectors, then
 * the caller's registers, and eret.
 */
	.globl	hv_leave_el2
hv_leave_el2:
	mov	x0, sp
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* CTR_EL0.DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3		/* smallest D-cache line in bytes */
	sub	x3, x2, #1
	bic	x4, x0, x3
	add	x1, x0, #FRAME_SIZE
6:	dc	civac, x4
	add	x4, x4, x2
	cmp	x4, x1
	b.lo	6b
	dsb	ish

	ldr	x1, [x0, #FRAME_LEAVE_SCTLR]
	msr	sctlr_el2, x1		/* MMU off: code and stack are identity mapped */
	isb
	tlbi	alle2
	dsb	ish
	ic	iallu
	dsb	ish
	isb
	ldr	x1, [x0, #FRAME_LEAVE_TCR]
	msr	tcr_el2, x1
	ldr	x1, [x0, #FRAME_LEAVE_MAIR]
	msr	mair_el2, x1
	ldr	x1, [x0, #FRAME_LEAVE_TTBR0]
	msr	ttbr0_el2, x1
	ldr	x1, [x0, #FRAME_LEAVE_VBAR]
	msr	vbar_el2, x1
	isb

	ldp	x2, x3, [x0, #FRAME_X(2)]
	ldp	x4, x5, [x0, #FRAME_X(4)]
	ldp	x6, x7, [x0, #FRAME_X(6)]
	ldp	x8, x9, [x0, #FRAME_X(8)]
	ldp	x10, x11, [x0, #FRAME_X(10)]
	ldp	x12, x13, [x0, #FRAME_X(12)]
	ldp	x14, x15, [x0, #FRAME_X(14)]
	ldp	x16, x17, [x0, #FRAME_X(16)]
	ldp	x18, x19, [x0, #FRAME_X(18)]
	ldp	x20, x21, [x0, #FRAME_X(20)]
	ldp	x22, x23, [x0, #FRAME_X(22)]
	ldp	x24, x25, [x0, #FRAME_X(24)]
	ldp	x26, x27, [x0, #FRAME_X(26)]
	ldp	x28, x29, [x0, #FRAME_X(28)]
	ldr	x30, [x0, #FRAME_X(30)]
	ldr	x1, [x0, #FRAME_LEAVE_SP]
	mov	sp, x1
	ldp	x0, x1, [x0, #FRAME_X(0)]
	eret

/* A vector entry: push x29/x30, save the frame, call handler(frame, kind). */
.macro vector_entry handler, kind
	.balign	0x80
	stp	x29, x30, [sp, #-16]!
	bl	hv_save_frame
	mov	x0, sp
	mov	x1, #\kind
	bl	\handler
	cbnz	x0, hv_leave_el2
	b	hv_restore_frame_eret
.endm

	.balign	0x800
	.globl	hv_vectors
hv_vectors:
	/* Current EL with SP_EL0: never used. */
	vector_entry hv_trap_unexpected, 0
	vector_entry hv_trap_unexpected, 1
	vector_entry hv_trap_unexpected, 2
	vector_entry hv_trap_unexpected, 3
	/* Current EL with SP_ELx: a fault in the hypervisor itself. */
	vector_entry hv_trap_unexpected, 4
	vector_entry hv_trap_unexpected, 5
	vector_entry hv_trap_unexpected, 6
	vector_entry hv_trap_unexpected, 7
	/* Lower EL, AArch64. */
	vector_entry hv_trap_sync, 8
	vector_entry hv_trap_irq, 9
	vector_entry hv_trap_fiq, 10
	vector_entry hv_trap_unexpected, 11
	/* Lower EL, AArch32: EL1 is AArch64-only under moat. */
	vector_entry hv_trap_unexpected, 12
	vector_entry hv_trap_unexpected, 13
	vector_entry hv_trap_unexpected, 14
	vector_entry hv_trap_unexpected, 15
