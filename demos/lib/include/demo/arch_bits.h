/* SPDX-License-Identifier: MIT */
/*
 * AArch64 register fields the inmate library uses, named after the Arm ARM (DDI 0487).
 * Plain #defines so that the start-up assembly and the C++ share them.
 */
#ifndef DEMO_ARCH_BITS_H
#define DEMO_ARCH_BITS_H

#ifdef __ASSEMBLER__
#define DEMO_UL(x) x
#else
#define DEMO_UL(x) x##ul
#endif
#define DEMO_BIT(n) (DEMO_UL(1) << (n))

/* DAIF immediates for "msr daifset/daifclr, #imm" (D, A, I, F from bit 3 down). */
#define DAIF_IMM_FIQ 1
#define DAIF_IMM_IRQ 2
#define DAIF_IMM_SERROR 4
#define DAIF_IMM_DEBUG 8
#define DAIF_IMM_ALL (DAIF_IMM_FIQ | DAIF_IMM_IRQ | DAIF_IMM_SERROR | DAIF_IMM_DEBUG)

/* CPACR_EL1: FPEN = 0b11 lets EL1 and EL0 use FP/SIMD without trapping. */
#define CPACR_EL1_FPEN_SHIFT 20
#define CPACR_EL1_FPEN_NO_TRAP (DEMO_UL(3) << CPACR_EL1_FPEN_SHIFT)

/* CurrentEL */
#define CURRENTEL_EL_SHIFT 2
#define CURRENTEL_EL_MASK DEMO_UL(3)

/* MPIDR_EL1 affinity fields */
#define MPIDR_AFF0_SHIFT 0
#define MPIDR_AFF1_SHIFT 8
#define MPIDR_AFF2_SHIFT 16
#define MPIDR_AFF3_SHIFT 32
#define MPIDR_AFF_MASK DEMO_UL(0xff)

/* ESR_EL1 */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK DEMO_UL(0x3f)
#define ESR_ISS_MASK DEMO_UL(0x1ffffff)

/* CNTV_CTL_EL0 */
#define CNTV_CTL_ENABLE DEMO_BIT(0)
#define CNTV_CTL_IMASK DEMO_BIT(1)
#define CNTV_CTL_ISTATUS DEMO_BIT(2)

/* ICC_SRE_EL1 */
#define ICC_SRE_SRE DEMO_BIT(0)
#define ICC_SRE_DFB DEMO_BIT(1)
#define ICC_SRE_DIB DEMO_BIT(2)

/* ICC_CTLR_EL1 */
#define ICC_CTLR_EOIMODE DEMO_BIT(1) /* 1: EOIR only drops priority, DIR deactivates */

/* ICC_IGRPEN1_EL1 */
#define ICC_IGRPEN1_ENABLE DEMO_BIT(0)

/* ICC_IAR1_EL1 */
#define ICC_IAR_INTID_MASK DEMO_UL(0xffffff)

/* Vector table: 16 entries of 128 bytes, the table aligned to 2 KiB. */
#define VECTOR_ENTRY_SIZE 128
#define VECTOR_TABLE_ALIGN 2048

/* Exception kinds the vectors pass to the C++ reporter (entry index in the table). */
#define EXC_CUR_SP0_SYNC 0
#define EXC_CUR_SP0_IRQ 1
#define EXC_CUR_SP0_FIQ 2
#define EXC_CUR_SP0_SERROR 3
#define EXC_CUR_SPX_SYNC 4
#define EXC_CUR_SPX_IRQ 5
#define EXC_CUR_SPX_FIQ 6
#define EXC_CUR_SPX_SERROR 7
#define EXC_LOWER64_SYNC 8
#define EXC_LOWER64_IRQ 9
#define EXC_LOWER64_FIQ 10
#define EXC_LOWER64_SERROR 11
#define EXC_LOWER32_SYNC 12
#define EXC_LOWER32_IRQ 13
#define EXC_LOWER32_FIQ 14
#define EXC_LOWER32_SERROR 15

/* Frame the unexpected-exception vectors build on the stack: x0..x30, then these. */
#define EXC_FRAME_GPRS 31
#define EXC_FRAME_ELR (EXC_FRAME_GPRS * 8)
#define EXC_FRAME_SPSR (EXC_FRAME_ELR + 8)
#define EXC_FRAME_ESR (EXC_FRAME_SPSR + 8)
#define EXC_FRAME_FAR (EXC_FRAME_ESR + 8)
#define EXC_FRAME_SP (EXC_FRAME_FAR + 8)
#define EXC_FRAME_SIZE (EXC_FRAME_SP + 8) /* 288: a multiple of 16, as SP must stay */

/*
 * Frame of the IRQ vector: the caller-saved general registers (x0..x18, x29 frame pointer, x30
 * link register), ELR/SPSR, and the whole FP/SIMD file, because interrupt handlers written in
 * C++ may use FP (the control loop does) and the interrupted code may be using it too.
 */
#define IRQ_FRAME_X0 0
#define IRQ_FRAME_X18 (18 * 8)
#define IRQ_FRAME_X29 (19 * 8)
#define IRQ_FRAME_X30 (20 * 8)
#define IRQ_FRAME_ELR (21 * 8)
#define IRQ_FRAME_SPSR (22 * 8)
#define IRQ_FRAME_FPSR (23 * 8)
#define IRQ_FRAME_FPCR (24 * 8)
#define IRQ_FRAME_Q0 (26 * 8) /* 16-byte aligned */
#define IRQ_FRAME_SIZE (IRQ_FRAME_Q0 + 32 * 16)

/* SCTLR_EL1 */
#define SCTLR_EL1_M DEMO_BIT(0)  /* stage-1 MMU */
#define SCTLR_EL1_A DEMO_BIT(1)  /* alignment fault checking */
#define SCTLR_EL1_C DEMO_BIT(2)  /* data cacheability */
#define SCTLR_EL1_I DEMO_BIT(12) /* instruction cacheability */
#define SCTLR_EL1_WXN DEMO_BIT(19)

/* TCR_EL1 (TTBR0 half; TTBR1 walks disabled) */
#define TCR_EL1_T0SZ_SHIFT 0
#define TCR_EL1_IRGN0_WBWA (DEMO_UL(1) << 8)
#define TCR_EL1_ORGN0_WBWA (DEMO_UL(1) << 10)
#define TCR_EL1_SH0_INNER (DEMO_UL(3) << 12)
#define TCR_EL1_TG0_4K (DEMO_UL(0) << 14)
#define TCR_EL1_EPD1 DEMO_BIT(23)
#define TCR_EL1_IPS_SHIFT 32
#define TCR_EL1_IPS_4G DEMO_UL(0) /* 32-bit output addresses */

/* MAIR attribute encodings */
#define MAIR_ATTR_DEVICE_nGnRE DEMO_UL(0x04)
#define MAIR_ATTR_NORMAL_WB DEMO_UL(0xff) /* inner and outer write-back, read/write-allocate */
#define MAIR_ATTR_SHIFT(idx) (8 * (idx))

/* Stage-1 block descriptor, 4 KiB granule */
#define PTE_BLOCK DEMO_UL(1)            /* bits[1:0] = 0b01 at level 1 or 2 */
#define PTE_ATTRINDX_SHIFT 2
#define PTE_SH_INNER (DEMO_UL(3) << 8)
#define PTE_AF DEMO_BIT(10)             /* access flag: set, or the first access faults */
#define PTE_PXN DEMO_BIT(53)
#define PTE_UXN DEMO_BIT(54)
#define PTE_LEVEL1_BLOCK_SHIFT 30       /* a level-1 block maps 1 GiB */

#endif /* DEMO_ARCH_BITS_H */
