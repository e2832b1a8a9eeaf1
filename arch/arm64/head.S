/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image header and the EL2 entry point.
 *
 * The driver copies the flat image into memory reserved in the device tree and calls the
 * kernel hyp-stub's HVC_SOFT_RESTART on each CPU with x1 = hv_entry (physical). We arrive at
 * EL2 with the MMU off and exceptions masked; ELR_EL2/SPSR_EL2 still describe the caller at
 * EL1 and VBAR_EL2 still points at the stub's vectors.
 *   x0 = logical CPU id, x1 = MOAT_ENTRY_MAGIC, x2 = MOAT_ENTRY_* flags, x3 = (caller's x3),
 *   x4 = hv_entry. The caller treats x0..x4 as clobbered; every other register survives.
 */
#include <moat/abi.h>

#include "arch/asm.h"

	.section .head, "a"
	.globl	hv_header
hv_header:
	.quad	MOAT_IMAGE_MAGIC
	.word	MOAT_ABI_VERSION
	.word	MOAT_IMAGE_HEADER_SIZE
	.quad	hv_entry - hv_header		/* entry_offset */
	.quad	__image_end - hv_header		/* image_size */
	.quad	__memory_end - hv_header	/* memory_size */
	.word	MOAT_MAX_CPUS
	.word	0
	.fill	MOAT_IMAGE_HEADER_SIZE - 48, 1, 0	/* filled by the driver */

	.text
	.globl	hv_entry
	.balign	8
hv_entry:
	mov_q	x4, MOAT_ENTRY_MAGIC
	cmp	x1, x4
	b.ne	1f
	cmp	x0, #MOAT_MAX_CPUS
	b.hs	2f

	/* Switch to this CPU's stack, remembering the stub's SP_EL2 in x1. */
	mov	x1, sp
	adrp	x4, hv_stacks
	add	x4, x4, :lo12:hv_stacks
	add	x3, x0, #1
	add	x4, x4, x3, lsl #HV_STACK_SHIFT
	mov	sp, x4
	stp	x29, x30, [sp, #-16]!
	bl	hv_save_frame

	/* Position-independent image: the first CPU applies its relative relocations. */
	tbz	x2, #0, 3f
	bl	hv_apply_relocations
3:	mov	x0, sp
	bl	hv_cpu_boot
	cbnz	x0, hv_leave_el2
	b	hv_restore_frame_eret

1:	mov	x0, #MOAT_ENTRY_EBADMAGIC
	eret
2:	mov	x0, #MOAT_ENTRY_EBADCPU
	eret

/* Apply R_AARCH64_RELATIVE entries: *(base + offset) = base + addend. Clobbers x0-x6. */
hv_apply_relocations:
	adrp	x0, hv_header
	add	x0, x0, :lo12:hv_header
	adrp	x1, __rela_start
	add	x1, x1, :lo12:__rela_start
	adrp	x2, __rela_end
	add	x2, x2, :lo12:__rela_end
4:	cmp	x1, x2
	b.hs	5f
	ldp	x3, x4, [x1], #16
	ldr	x5, [x1], #8
	cmp	w4, #R_AARCH64_RELATIVE
	b.ne	4b
	add	x5, x5, x0
	str	x5, [x0, x3]
	b	4b
5:	ret

/*
 * A CPU that the firmware powers on for a trapped PSCI CPU_ON (or resumes from a powerdown
 * suspend): EL2, MMU off, x0 = logical CPU id (the context id the hypervisor passed).
 */
	.globl	hv_cpu_on_entry
	.balign	8
hv_cpu_on_entry:
	cmp	x0, #MOAT_MAX_CPUS
	b.hs	7f
	adrp	x4, hv_stacks
	add	x4, x4, :lo12:hv_stacks
	add	x3, x0, #1
	add	x4, x4, x3, lsl #HV_STACK_SHIFT
	mov	sp, x4
	sub	sp, sp, #(FRAME_SIZE + 16)	/* the frame hv_restore_frame_eret unwinds */
	mov	x1, sp
	bl	hv_cpu_warm_boot
	b	hv_restore_frame_eret
7:	wfe
	b	7b
