/* SPDX-License-Identifier: MIT */
/*
 * hostile: exception vectors that survive the faults the attacks provoke, and the single
 * instructions of the attacks, each in a function of its own so that the faulting instruction
 * is known.
 *
 * While hostile_fault.armed is set, a synchronous exception taken at EL1 is recorded in
 * hostile_fault (ESR, FAR, ELR, count) and the program goes on: after a data abort or an
 * undefined instruction at the instruction after the faulting one, after an instruction abort
 * (a wild branch with link) at the return address in x30. Every other exception, and every
 * synchronous one while not armed, goes to the demo library's vectors, which report it and end
 * the run with status 3.
 */
#include "demo/arch_bits.h"

/* struct HostileFault { u64 armed, count, esr, far, elr; } */
#define HF_ARMED 0
#define HF_COUNT 8
#define HF_ESR 16
#define HF_FAR 24
#define HF_ELR 32
#define EC_IABT_CUR 0x21

.macro to_library n
	.balign	VECTOR_ENTRY_SIZE
	b	demo_vectors + (\n * VECTOR_ENTRY_SIZE)
.endm

	.section .text.hostile_vectors, "ax"
	.balign	VECTOR_TABLE_ALIGN
	.global	hostile_vectors
hostile_vectors:
	to_library 0
	to_library 1
	to_library 2
	to_library 3
	.balign	VECTOR_ENTRY_SIZE
	b	hostile_sync
	to_library 5
	to_library 6
	to_library 7
	to_library 8
	to_library 9
	to_library 10
	to_library 11
	to_library 12
	to_library 13
	to_library 14
	to_library 15

hostile_sync:
	sub	sp, sp, #32
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	adrp	x0, hostile_fault
	add	x0, x0, :lo12:hostile_fault
	ldr	x1, [x0, #HF_ARMED]
	cbz	x1, 2f
	ldr	x1, [x0, #HF_COUNT]
	add	x1, x1, #1
	str	x1, [x0, #HF_COUNT]
	mrs	x1, esr_el1
	str	x1, [x0, #HF_ESR]
	mrs	x2, far_el1
	str	x2, [x0, #HF_FAR]
	mrs	x2, elr_el1
	str	x2, [x0, #HF_ELR]
	lsr	x1, x1, #26
	and	x1, x1, #0x3f
	cmp	x1, #EC_IABT_CUR
	b.ne	1f
	msr	elr_el1, x30		/* wild branch with link: back to the caller */
	b	3f
1:	add	x2, x2, #4		/* skip the faulting instruction */
	msr	elr_el1, x2
3:	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #32
	eret
2:	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #32
	b	demo_vectors + (4 * VECTOR_ENTRY_SIZE)

	.text
/* uint64_t hostile_read64(uint64_t addr): a fault leaves x0 = addr */
	.global	hostile_read64
hostile_read64:
	ldr	x0, [x0]
	ret

/* void hostile_write64(uint64_t addr, uint64_t value) */
	.global	hostile_write64
hostile_write64:
	str	x1, [x0]
	ret

/* uint32_t hostile_read32(uint64_t addr): a fault leaves w0 = low half of addr */
	.global	hostile_read32
hostile_read32:
	ldr	w0, [x0]
	ret

/* void hostile_write32(uint64_t addr, uint32_t value) */
	.global	hostile_write32
hostile_write32:
	str	w1, [x0]
	ret

/* void hostile_jump(uint64_t addr): branch with link into addr */
	.global	hostile_jump
hostile_jump:
	stp	x29, x30, [sp, #-16]!
	blr	x0
	ldp	x29, x30, [sp], #16
	ret

/* void hostile_sgi1r(uint64_t value): ICC_SGI1R_EL1 */
	.global	hostile_sgi1r
hostile_sgi1r:
	msr	S3_0_C12_C11_5, x0
	isb
	ret

/* void hostile_sgi0r(uint64_t value): ICC_SGI0R_EL1 (Group 0 SGIs) */
	.global	hostile_sgi0r
hostile_sgi0r:
	msr	S3_0_C12_C11_7, x0
	isb
	ret

/* void hostile_asgi1r(uint64_t value): ICC_ASGI1R_EL1 (SGIs for the other Security state) */
	.global	hostile_asgi1r
hostile_asgi1r:
	msr	S3_0_C12_C11_6, x0
	isb
	ret

/* void hostile_ap0r0(uint64_t value): ICC_AP0R0_EL1 (Group 0 active priorities) */
	.global	hostile_ap0r0
hostile_ap0r0:
	msr	S3_0_C12_C8_4, x0
	isb
	ret

/* The Group 1 CPU interface registers (attacks 23, 24): with direct delivery the physical ones,
 * otherwise the virtual ones (HCR_EL2.IMO). ICC_DIR_EL1 is always the virtual one for a cell
 * (HCR_EL2.FMO stays set). */
	.global	hostile_iar1
hostile_iar1:			/* uint64_t hostile_iar1(void): ICC_IAR1_EL1 */
	mrs	x0, S3_0_C12_C12_0
	ret
	.global	hostile_eoir1
hostile_eoir1:			/* void hostile_eoir1(uint64_t intid): ICC_EOIR1_EL1 */
	msr	S3_0_C12_C12_1, x0
	isb
	ret
	.global	hostile_dir
hostile_dir:			/* void hostile_dir(uint64_t intid): ICC_DIR_EL1 */
	msr	S3_0_C12_C11_1, x0
	isb
	ret
	.global	hostile_bpr1
hostile_bpr1:			/* void hostile_bpr1(uint64_t value): ICC_BPR1_EL1 */
	msr	S3_0_C12_C12_3, x0
	isb
	ret
	.global	hostile_igrpen1
hostile_igrpen1:		/* void hostile_igrpen1(uint64_t value): ICC_IGRPEN1_EL1 */
	msr	S3_0_C12_C12_7, x0
	isb
	ret
	.global	hostile_ap1r0
hostile_ap1r0:			/* void hostile_ap1r0(uint64_t value): ICC_AP1R0_EL1 */
	msr	S3_0_C12_C9_0, x0
	isb
	ret
	.global	hostile_read_ap1r0
hostile_read_ap1r0:		/* uint64_t hostile_read_ap1r0(void) */
	mrs	x0, S3_0_C12_C9_0
	ret

/* int64_t hostile_smc(uint64_t x0, x1, x2, x3): SMC #0, SMCCC; returns x0 */
	.global	hostile_smc
hostile_smc:
	smc	#0
	ret

/* int64_t hostile_hvc(uint64_t x0, x1, x2, x3): HVC #0, SMCCC; returns x0 */
	.global	hostile_hvc
hostile_hvc:
	hvc	#0
	ret

/* void hostile_dc_isw(uint64_t setway), hostile_dc_cisw(uint64_t setway) */
	.global	hostile_dc_isw
hostile_dc_isw:
	dc	isw, x0
	ret
	.global	hostile_dc_cisw
hostile_dc_cisw:
	dc	cisw, x0
	ret
