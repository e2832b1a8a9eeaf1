// SPDX-License-Identifier: GPL-2.0
// ESR_EL2 of a trapped MSR/MRS/system instruction (EC 0x18), decoded once: which register
// (Op0, Op1, CRn, CRm, Op2), which general register (Rt) and which direction. Pure,
// host-tested (tests/unit/arch/esr_test.cpp).
#pragma once

#include "arch/sysreg.h"
#include "lib/types.hpp"

namespace moat::arm64 {

struct SysRegAccess {
    u32 op0, op1, crn, crm, op2;
    u32 rt;     // 31: XZR (writes write zero, reads are discarded)
    bool read;  // MRS (the register is read into Xt); false: MSR or a system instruction
};

constexpr u32 esr_ec(u64 esr) { return static_cast<u32>((esr >> ESR_EC_SHIFT) & ESR_EC_MASK); }

constexpr SysRegAccess decode_sysreg_access(u64 esr)
{
    return SysRegAccess{
        static_cast<u32>((esr >> ESR_SYS_OP0_SHIFT) & ESR_SYS_OP0_MASK),
        static_cast<u32>((esr >> ESR_SYS_OP1_SHIFT) & ESR_SYS_OP1_MASK),
        static_cast<u32>((esr >> ESR_SYS_CRN_SHIFT) & ESR_SYS_CRN_MASK),
        static_cast<u32>((esr >> ESR_SYS_CRM_SHIFT) & ESR_SYS_CRM_MASK),
        static_cast<u32>((esr >> ESR_SYS_OP2_SHIFT) & ESR_SYS_OP2_MASK),
        static_cast<u32>((esr >> ESR_SYS_RT_SHIFT) & ESR_SYS_RT_MASK),
        (esr & ESR_SYS_DIR_READ) != 0,
    };
}

}  // namespace moat::arm64
