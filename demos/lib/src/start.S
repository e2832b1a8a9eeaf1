/* SPDX-License-Identifier: MIT */
/*
 * Entry of every demo, at EL1 with the MMU off, from QEMU's ELF loader (bare-metal) or from the
 * hypervisor (cell, first byte of the flat binary). Only what C++ cannot do itself is here.
 */
#include "demo/arch_bits.h"

	.section .text.start, "ax"
	.global _start
_start:
	/* Nothing may interrupt us before the vectors and the stack exist. */
	msr	daifset, #DAIF_IMM_ALL
	/* x0 at entry: in a cell with console = "ring", the ring's IPA (demo_start's argument). */
	mov	x19, x0
	/* Run on SP_EL1, the stack the exception vectors expect ("current EL with SPx"). */
	msr	spsel, #1
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0

	adrp	x0, demo_vectors
	add	x0, x0, :lo12:demo_vectors
	msr	vbar_el1, x0

	/* FP/SIMD: the compiler may use it anywhere and the control-loop plant model does. */
	mrs	x0, cpacr_el1
	orr	x0, x0, #CPACR_EL1_FPEN_NO_TRAP
	msr	cpacr_el1, x0
	isb

	/* BSS: the linker script aligns both ends to 16 bytes. */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
	mov	x0, x19
	bl	demo_start
	/* demo_start does not return; if it ever did, stop here. */
3:	wfi
	b	3b
