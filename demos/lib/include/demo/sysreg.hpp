// SPDX-License-Identifier: MIT
// System register access and barriers for the inmate (EL1), one small inline function each.
#pragma once

#include <stdint.h>

#include "demo/arch_bits.h"

namespace demo::arch {

#define DEMO_SYSREG_RW(fn, reg)                                                   \
    inline uint64_t read_##fn()                                                   \
    {                                                                             \
        uint64_t v;                                                               \
        asm volatile("mrs %0, " #reg : "=r"(v));                                  \
        return v;                                                                 \
    }                                                                             \
    inline void write_##fn(uint64_t v) { asm volatile("msr " #reg ", %0" ::"r"(v) : "memory"); }

#define DEMO_SYSREG_RO(fn, reg)                                                   \
    inline uint64_t read_##fn()                                                   \
    {                                                                             \
        uint64_t v;                                                               \
        asm volatile("mrs %0, " #reg : "=r"(v));                                  \
        return v;                                                                 \
    }

#define DEMO_SYSREG_WO(fn, reg) \
    inline void write_##fn(uint64_t v) { asm volatile("msr " #reg ", %0" ::"r"(v) : "memory"); }

DEMO_SYSREG_RO(mpidr, mpidr_el1)
DEMO_SYSREG_RO(current_el, CurrentEL)
DEMO_SYSREG_RO(esr, esr_el1)
DEMO_SYSREG_RO(far, far_el1)
DEMO_SYSREG_RW(sctlr, sctlr_el1)
DEMO_SYSREG_RW(tcr, tcr_el1)
DEMO_SYSREG_RW(mair, mair_el1)
DEMO_SYSREG_RW(ttbr0, ttbr0_el1)
DEMO_SYSREG_RO(cntfrq, cntfrq_el0)
DEMO_SYSREG_RO(cntvct, cntvct_el0)
DEMO_SYSREG_RW(cntv_ctl, cntv_ctl_el0)
DEMO_SYSREG_RW(cntv_cval, cntv_cval_el0)
DEMO_SYSREG_RW(icc_sre, s3_0_c12_c12_5)      // ICC_SRE_EL1
DEMO_SYSREG_RW(icc_pmr, s3_0_c4_c6_0)        // ICC_PMR_EL1
DEMO_SYSREG_RW(icc_bpr1, s3_0_c12_c12_3)     // ICC_BPR1_EL1
DEMO_SYSREG_RW(icc_ctlr, s3_0_c12_c12_4)     // ICC_CTLR_EL1
DEMO_SYSREG_RW(icc_igrpen1, s3_0_c12_c12_7)  // ICC_IGRPEN1_EL1
DEMO_SYSREG_RO(icc_iar1, s3_0_c12_c12_0)     // ICC_IAR1_EL1
DEMO_SYSREG_WO(icc_eoir1, s3_0_c12_c12_1)    // ICC_EOIR1_EL1

#undef DEMO_SYSREG_RW
#undef DEMO_SYSREG_RO
#undef DEMO_SYSREG_WO

inline void isb() { asm volatile("isb" ::: "memory"); }
inline void dsb_sy() { asm volatile("dsb sy" ::: "memory"); }
inline void dsb_ish() { asm volatile("dsb ish" ::: "memory"); }
inline void tlbi_vmalle1() { asm volatile("tlbi vmalle1" ::: "memory"); }
inline void ic_iallu() { asm volatile("ic iallu" ::: "memory"); }
inline void wfi() { asm volatile("wfi" ::: "memory"); }

// Masking only IRQs: the demos never use FIQ, and SError/debug stay as the boot left them.
inline void irq_enable() { asm volatile("msr daifclr, %0" ::"i"(DAIF_IMM_IRQ) : "memory"); }
inline void irq_disable() { asm volatile("msr daifset, %0" ::"i"(DAIF_IMM_IRQ) : "memory"); }

inline unsigned current_el() { return static_cast<unsigned>((read_current_el() >> CURRENTEL_EL_SHIFT) & CURRENTEL_EL_MASK); }

}  // namespace demo::arch
