/* SPDX-License-Identifier: GPL-2.0 */
/* Assembler helpers and the trap frame layout shared by head.S/vectors.S and C++ (checked there). */
#ifndef MOAT_ARCH_ASM_H
#define MOAT_ARCH_ASM_H

/* struct TrapFrame: x0..x30, then the registers the leave path restores after the MMU is off. */
#define FRAME_X(n) ((n) * 8)
#define FRAME_LEAVE_SCTLR (31 * 8)
#define FRAME_LEAVE_SP (32 * 8)
#define FRAME_LEAVE_TCR (33 * 8)
#define FRAME_LEAVE_MAIR (34 * 8)
#define FRAME_LEAVE_TTBR0 (35 * 8)
#define FRAME_LEAVE_VBAR (36 * 8)
#define FRAME_PAD (37 * 8)
#define FRAME_SIZE (38 * 8)

/* Per-CPU EL2 stacks: 16 KiB each. */
#define HV_STACK_SHIFT 14
#define HV_STACK_SIZE (1 << HV_STACK_SHIFT)

#define R_AARCH64_RELATIVE 1027

#ifdef __ASSEMBLER__
/* Load a 64-bit constant. */
.macro mov_q reg, val
	movz	\reg, #((\val) & 0xffff)
	movk	\reg, #(((\val) >> 16) & 0xffff), lsl #16
	movk	\reg, #(((\val) >> 32) & 0xffff), lsl #32
	movk	\reg, #(((\val) >> 48) & 0xffff), lsl #48
.endm
#endif

#endif
