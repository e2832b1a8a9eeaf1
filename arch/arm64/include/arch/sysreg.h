/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AArch64 system register fields used by the hypervisor, named after the Arm ARM (DDI 0487).
 * One header for every constant: no magic numbers elsewhere.
 */
#ifndef MOAT_ARCH_SYSREG_H
#define MOAT_ARCH_SYSREG_H

#include "bits.h"

/* CurrentEL */
#define CURRENTEL_EL_SHIFT 2
#define CURRENTEL_EL_MASK UL(3)

/* SCTLR_EL2 (non-VHE layout) */
#define SCTLR_EL2_M BIT(0)    /* stage-1 MMU enable */
#define SCTLR_EL2_A BIT(1)    /* alignment check */
#define SCTLR_EL2_C BIT(2)    /* data cacheability */
#define SCTLR_EL2_SA BIT(3)   /* SP alignment check */
#define SCTLR_EL2_I BIT(12)   /* instruction cacheability */
#define SCTLR_EL2_WXN BIT(19) /* writable implies execute-never */
#define SCTLR_EL2_EE BIT(25)  /* big-endian data at EL2 */
#define SCTLR_EL2_RES1 (BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | BIT(22) | BIT(23) | \
			BIT(28) | BIT(29))

/* HCR_EL2 */
#define HCR_EL2_VM BIT(0)    /* stage-2 translation */
#define HCR_EL2_SWIO BIT(1)  /* set/way invalidate override */
#define HCR_EL2_FMO BIT(3)   /* physical FIQ routing */
#define HCR_EL2_IMO BIT(4)   /* physical IRQ routing */
#define HCR_EL2_AMO BIT(5)   /* physical SError routing */
#define HCR_EL2_VSE BIT(8)   /* virtual SError pending */
#define HCR_EL2_FB BIT(9)    /* force broadcast */
#define HCR_EL2_BSU_IS (UL(1) << 10)
#define HCR_EL2_TWI BIT(13)
#define HCR_EL2_TWE BIT(14)
#define HCR_EL2_TSC BIT(19)  /* trap SMC */
#define HCR_EL2_TACR BIT(21)
#define HCR_EL2_TSW BIT(22)  /* trap set/way cache maintenance */
#define HCR_EL2_TVM BIT(26)
#define HCR_EL2_RW BIT(31)   /* EL1 is AArch64 */

/* TCR_EL2 (non-VHE layout) */
#define TCR_EL2_T0SZ_SHIFT 0
#define TCR_EL2_IRGN0_WBWA (UL(1) << 8)
#define TCR_EL2_ORGN0_WBWA (UL(1) << 10)
#define TCR_EL2_SH0_INNER (UL(3) << 12)
#define TCR_EL2_TG0_4K (UL(0) << 14)
#define TCR_EL2_PS_SHIFT 16
#define TCR_EL2_RES1 (BIT(23) | BIT(31))

/* VTCR_EL2 */
#define VTCR_EL2_T0SZ_SHIFT 0
#define VTCR_EL2_SL0_SHIFT 6
#define VTCR_EL2_SL0_LEVEL1 (UL(1) << VTCR_EL2_SL0_SHIFT) /* 4 KiB granule: walk starts at level 1 */
#define VTCR_EL2_IRGN0_WBWA (UL(1) << 8)
#define VTCR_EL2_ORGN0_WBWA (UL(1) << 10)
#define VTCR_EL2_SH0_INNER (UL(3) << 12)
#define VTCR_EL2_TG0_4K (UL(0) << 14)
#define VTCR_EL2_PS_SHIFT 16
#define VTCR_EL2_RES1 BIT(31)

/* VTTBR_EL2 */
#define VTTBR_VMID_SHIFT 48

/* MDCR_EL2: debug, PMU and trace register traps (ARMv8.0 fields) */
#define MDCR_EL2_TPMCR BIT(5)  /* PMCR_EL0 */
#define MDCR_EL2_TPM BIT(6)    /* every PMU register */
#define MDCR_EL2_TDA BIT(9)    /* debug registers other than the two below */
#define MDCR_EL2_TDOSA BIT(10) /* OS lock and power-down registers */
#define MDCR_EL2_TDRA BIT(11)  /* debug ROM address registers */
#define MDCR_EL2_CELL_TRAPS (MDCR_EL2_TPMCR | MDCR_EL2_TPM | MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA)

/* What an isolated cell's CPU starts with (setup.cpp cpu_start): EL0 off the debug
 * communications channel (MDSCR_EL1.TDCC; every debug enable clear) and off the PMU
 * (PMUSERENR_EL0 all clear). A Linux cell's own writes of both are ignored (sysreg_policy), and
 * an EL0 access that reached EL2 instead of the cell's EL1 would fail the cell. */
#define MDSCR_EL1_TDCC BIT(12)
#define MDSCR_EL1_CELL_START MDSCR_EL1_TDCC
#define PMUSERENR_EL0_CELL_START 0
/* ID_AA64DFR0_EL1.PMUVer: 0 no PMU, 0xf an IMPLEMENTATION DEFINED one (no PMUSERENR_EL0) */
#define ID_AA64DFR0_PMUVER_SHIFT 8
#define ID_AA64DFR0_PMUVER_MASK 0xf
#define ID_AA64DFR0_PMUVER_IMPDEF 0xf
/* Feature fields (4 bits each, 0: not implemented) the injected exception's entry PSTATE needs. */
#define ID_AA64MMFR1_PAN_SHIFT 20
#define ID_AA64PFR1_SSBS_SHIFT 4
#define ID_AA64PFR1_MTE_SHIFT 8
#define ID_FIELD_MASK 0xf

/* CPTR_EL2 (non-VHE) */
#define CPTR_EL2_TTA BIT(20)   /* trace (ETM/ETE) system registers */

/* CNTHCTL_EL2 (non-VHE) */
#define CNTHCTL_EL1PCTEN BIT(0) /* EL1 physical counter access */
#define CNTHCTL_EL1PCEN BIT(1)  /* EL1 physical timer access */

/* ISS of data aborts (ESR_EL2.EC == 0x24) */
#define ESR_DABT_ISV BIT(24)
#define ESR_DABT_SAS_SHIFT 22
#define ESR_DABT_SAS_MASK UL(3)
#define ESR_DABT_SSE BIT(21)
#define ESR_DABT_SRT_SHIFT 16
#define ESR_DABT_SRT_MASK UL(0x1f)
#define ESR_DABT_SF BIT(15)
#define ESR_DABT_AR BIT(14)
#define ESR_DABT_S1PTW BIT(7)
#define ESR_DABT_WNR BIT(6)
#define ESR_FSC_MASK UL(0x3f)
#define ESR_FSC_EXTABT UL(0x10) /* synchronous external abort, not on a table walk */
#define ESR_FSC_TYPE_MASK UL(0x3c) /* the fault status without its level */
#define ESR_FSC_TRANSLATION UL(0x04) /* translation fault, levels 0-3 */

/* HPFAR_EL2: faulting IPA bits [47:12] in bits [39:4] */
#define HPFAR_FIPA_SHIFT 4
#define HPFAR_FIPA_MASK GENMASK(43, 4)

/* ISS of trapped system register accesses (ESR_EL2.EC == 0x18) */
#define ESR_SYS_OP0_SHIFT 20
#define ESR_SYS_OP2_SHIFT 17
#define ESR_SYS_OP1_SHIFT 14
#define ESR_SYS_CRN_SHIFT 10
#define ESR_SYS_RT_SHIFT 5
#define ESR_SYS_CRM_SHIFT 1
#define ESR_SYS_DIR_READ BIT(0)
#define ESR_SYS_OP0_MASK UL(0x3)
#define ESR_SYS_OP1_MASK UL(0x7)
#define ESR_SYS_OP2_MASK UL(0x7)
#define ESR_SYS_CRN_MASK UL(0xf)
#define ESR_SYS_CRM_MASK UL(0xf)
#define ESR_SYS_RT_MASK UL(0x1f)
/* Exception vector offsets from VBAR_ELx */
#define VECTOR_CURRENT_SPX_SYNC 0x200
#define VECTOR_LOWER_A64_SYNC 0x400

/* ICC_SRE_EL2 */
#define ICC_SRE_EL2_SRE BIT(0)    /* system register interface at EL2 */
#define ICC_SRE_EL2_ENABLE BIT(3) /* EL1 may use ICC_SRE_EL1 */

/* GICv3 CPU interface (ICC_*) and hypervisor control (ICH_*) fields */
#define ICC_CTLR_EL1_EOIMODE BIT(1)  /* 1: EOIR drops priority, DIR deactivates */
#define ICC_CTLR_EL1_CBPR BIT(0)
#define ICC_CTLR_EL1_PRIBITS_SHIFT 8 /* priority bits implemented, minus one */
#define ICC_CTLR_EL1_PRIBITS_MASK UL(0x7)
#define ICC_IGRPEN1_EN BIT(0)
#define ICC_PMR_ALLOW_ALL UL(0xff)
#define ICC_IAR_INTID_MASK UL(0xffffff)
#define ICH_HCR_EL2_EN BIT(0)
#define ICH_HCR_EL2_UIE BIT(1)  /* maintenance interrupt when at most one LR is valid */
#define ICH_VTR_EL2_LISTREGS_MASK UL(0x1f)
#define ICH_VMCR_EL2_VENG0 BIT(0)
#define ICH_VMCR_EL2_VENG1 BIT(1)
#define ICH_VMCR_EL2_VCBPR BIT(4)
#define ICH_VMCR_EL2_VEOIM BIT(9)
#define ICH_VMCR_EL2_VBPR1_SHIFT 18
#define ICH_VMCR_EL2_VBPR1_MASK UL(0x7)
#define ICH_VMCR_EL2_VBPR0_SHIFT 21
#define ICH_VMCR_EL2_VBPR0_MASK UL(0x7)
#define ICH_VMCR_EL2_VPMR_SHIFT 24
#define ICH_VMCR_EL2_VPMR_MASK UL(0xff)
#define ICH_LR_STATE_SHIFT 62
#define ICH_LR_STATE_MASK UL(3)
#define ICH_LR_STATE_PENDING UL(1)
#define ICH_LR_STATE_ACTIVE UL(2)
#define ICH_LR_HW BIT(61)
#define ICH_LR_EOI BIT(41)  /* HW = 0: maintenance interrupt when the guest deactivates it */
#define ICH_LR_GROUP1 BIT(60)
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_PINTID_SHIFT 32
#define ICH_LR_PINTID_MASK UL(0x3ff)
#define ICH_LR_VINTID_MASK UL(0xffffffff)

/* ID_AA64MMFR0_EL1 */
#define ID_AA64MMFR0_PARANGE_MASK UL(0xf)

/* ID_AA64PFR0_EL1 */
#define ID_AA64PFR0_EL2_SHIFT 8
#define ID_AA64PFR0_EL2_MASK UL(0xf)

/* MAIR attribute encodings and the indices the hypervisor uses. */
#define MAIR_ATTR_NORMAL_WB UL(0xff)
#define MAIR_ATTR_DEVICE_nGnRE UL(0x04)
#define MAIR_ATTR_DEVICE_nGnRnE UL(0x00)
#define MAIR_IDX_NORMAL 0
#define MAIR_IDX_DEVICE 1
#define MAIR_IDX_DEVICE_STRICT 2
#define MAIR_EL2_VALUE ((MAIR_ATTR_NORMAL_WB << (8 * MAIR_IDX_NORMAL)) | \
			(MAIR_ATTR_DEVICE_nGnRE << (8 * MAIR_IDX_DEVICE)) | \
			(MAIR_ATTR_DEVICE_nGnRnE << (8 * MAIR_IDX_DEVICE_STRICT)))

/* ESR_EL2 */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK UL(0x3f)
#define ESR_IL BIT(25)
#define ESR_ISS_MASK GENMASK(24, 0)
#define ESR_EC_UNKNOWN 0x00
#define ESR_EC_WFX 0x01
#define ESR_EC_WFX 0x01   /* WFI or WFE trapped (HCR_EL2.TWI/TWE) */
#define ESR_EC_HVC64 0x16
#define ESR_EC_SMC64 0x17
#define ESR_EC_SYS64 0x18
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25

/* SPSR_EL2 / PSTATE */
#define SPSR_M_MASK UL(0xf)
#define SPSR_M_EL1H UL(0x5)
#define SPSR_D BIT(9)
#define SPSR_A BIT(8)
#define SPSR_I BIT(7)
#define SPSR_F BIT(6)

/* MPIDR_EL1 */
#define MPIDR_AFFINITY_MASK (GENMASK(23, 0) | GENMASK(39, 32))

#ifndef __ASSEMBLER__
#define read_sysreg(r) ({ unsigned long __v; asm volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) do { unsigned long __v = (unsigned long)(v); \
	asm volatile("msr " #r ", %x0" : : "rZ"(__v)); } while (0)
#define isb() asm volatile("isb" : : : "memory")
#define dsb(opt) asm volatile("dsb " #opt : : : "memory")
#endif

#endif
