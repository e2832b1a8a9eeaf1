/* SPDX-License-Identifier: MIT */
/*
 * FP/SIMD register checks for libtest. In assembly because only assembly controls what is in
 * which vector register while interrupts come and go.
 */

/* Pattern for register n: the byte n+1 repeated over 64 bits, into x9. */
.macro pattern n
	mov	x9, #(\n + 1)
	orr	x9, x9, x9, lsl #8
	orr	x9, x9, x9, lsl #16
	orr	x9, x9, x9, lsl #32
.endm

/* FPCR.RMode (bits 23:22): round towards zero in the checker, towards +inf in the scrambler. */
#define FPCR_RMODE_RZ (3 << 22)
#define FPCR_RMODE_RP (1 << 22)

	.text
/*
 * bool libtest_fp_check(const volatile uint64_t *counter, uint64_t target)
 * Fills all 32 vector registers (both halves) and FPCR with known values, spins until *counter
 * reaches target (interrupts arrive meanwhile), and returns 1 if every bit survived.
 */
	.global	libtest_fp_check
libtest_fp_check:
	/* AAPCS64: the low halves of v8-v15 belong to our caller. */
	stp	d8, d9, [sp, #-80]!
	stp	d10, d11, [sp, #16]
	stp	d12, d13, [sp, #32]
	stp	d14, d15, [sp, #48]
	mrs	x12, fpcr
	str	x12, [sp, #64]
	mov	x12, #FPCR_RMODE_RZ
	msr	fpcr, x12
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	pattern	\n
	dup	v\n\().2d, x9
	.endr
1:	ldr	x10, [x0]
	cmp	x10, x1
	b.lo	1b
	mov	x0, #0
	mrs	x11, fpcr
	cmp	x11, x12
	b.ne	2f
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	pattern	\n
	umov	x11, v\n\().d[0]
	cmp	x11, x9
	b.ne	2f
	umov	x11, v\n\().d[1]
	cmp	x11, x9
	b.ne	2f
	.endr
	mov	x0, #1
2:	ldr	x12, [sp, #64]
	msr	fpcr, x12
	ldp	d10, d11, [sp, #16]
	ldp	d12, d13, [sp, #32]
	ldp	d14, d15, [sp, #48]
	ldp	d8, d9, [sp], #80
	ret

/*
 * void libtest_fp_scramble(void)
 * Called from an interrupt handler: overwrites every vector register and FPCR as a handler using
 * FP may, keeping only what AAPCS64 says a callee must keep (the low halves of v8-v15). FPCR is
 * left changed on purpose: the IRQ vector must restore it.
 */
	.global	libtest_fp_scramble
libtest_fp_scramble:
	stp	d8, d9, [sp, #-64]!
	stp	d10, d11, [sp, #16]
	stp	d12, d13, [sp, #32]
	stp	d14, d15, [sp, #48]
	mov	x9, #0xdead
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	dup	v\n\().2d, x9
	.endr
	mov	x9, #FPCR_RMODE_RP
	msr	fpcr, x9
	ldp	d10, d11, [sp, #16]
	ldp	d12, d13, [sp, #32]
	ldp	d14, d15, [sp, #48]
	ldp	d8, d9, [sp], #64
	ret
