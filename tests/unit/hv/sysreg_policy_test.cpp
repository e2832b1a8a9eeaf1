// SPDX-License-Identifier: GPL-2.0
// hv/sysreg_policy.cpp: what a Linux cell and a bare-metal cell see of the trapped debug and PMU
// registers (docs/linux-cell.md).
#include <gtest/gtest.h>

#include "hv/sysreg_policy.hpp"

using moat::cell_sysreg_action;
using moat::SysregAction;

namespace {
struct Reg {
    const char *name;
    unsigned op0, op1, crn, crm, op2;
};
// What Debian's 6.1 kernel touches at boot (__cpu_setup, debug_monitors, hw_breakpoint) and the
// PMU registers around them.
constexpr Reg LINUX_BOOT_REGS[] = {
    {"MDSCR_EL1", 2, 0, 0, 2, 2},      {"OSLAR_EL1", 2, 0, 1, 0, 4},      {"OSDLR_EL1", 2, 0, 1, 3, 4},
    {"OSLSR_EL1", 2, 0, 1, 1, 4},      {"DBGBCR0_EL1", 2, 0, 0, 0, 5},    {"DBGWVR3_EL1", 2, 0, 0, 3, 6},
    {"MDRAR_EL1", 2, 0, 1, 0, 0},      {"MDCCSR_EL0", 2, 3, 0, 1, 0},     {"PMUSERENR_EL0", 3, 3, 9, 14, 0},
    {"PMCR_EL0", 3, 3, 9, 12, 0},      {"PMCCNTR_EL0", 3, 3, 9, 13, 0},   {"PMEVTYPER5_EL0", 3, 3, 14, 12, 5},
    {"PMCCFILTR_EL0", 3, 3, 14, 15, 7}, {"PMINTENSET_EL1", 3, 0, 9, 14, 1}, {"PMINTENCLR_EL1", 3, 0, 9, 14, 2},
};
}  // namespace

TEST(SysregPolicy, LinuxCellDebugAndPmuReadAsZero)
{
    for (const Reg &r : LINUX_BOOT_REGS)
        EXPECT_EQ(cell_sysreg_action(true, r.op0, r.op1, r.crn, r.crm, r.op2), SysregAction::RAZ_WI) << r.name;
}

TEST(SysregPolicy, BareMetalCellStaysStrict)
{
    for (const Reg &r : LINUX_BOOT_REGS)
        EXPECT_EQ(cell_sysreg_action(false, r.op0, r.op1, r.crn, r.crm, r.op2), SysregAction::DENY) << r.name;
}

TEST(SysregPolicy, LinuxCellOtherTrapsStillFail)
{
    // Not debug or PMU: a trap of these means something the hypervisor does not allow.
    const Reg others[] = {
        {"ICC_SGI1R_EL1 (not through this path)", 3, 0, 12, 11, 5},
        {"CNTVOFF-like EL2 space", 3, 4, 14, 0, 3},
        {"PMCEID-neighbour outside PMU (CRn 9, CRm 11)", 3, 3, 9, 11, 0},
        {"PMMIR-neighbour (op1 0, CRn 9, CRm 14, op2 0)", 3, 0, 9, 14, 0},
        {"AMCR_EL0 (activity monitors)", 3, 3, 13, 2, 0},
        {"SCTLR_EL1", 3, 0, 1, 0, 0},
    };
    for (const Reg &r : others)
        EXPECT_EQ(cell_sysreg_action(true, r.op0, r.op1, r.crn, r.crm, r.op2), SysregAction::DENY) << r.name;
}

TEST(SysregPolicy, Aarch32ProcessOfLinuxCellGetsUndefined)
{
    constexpr unsigned long USR32 = 0x10, EL0T = 0x0, EL1H = 0x5, SVC32 = 0x13;
    // MRC p14 (DCC, DBGDSCRint), MRC p15 PMCR, MRRC p14, LDC p14, MCRR p15 from a 32-bit process.
    for (unsigned long ec : {0x05ul, 0x03ul, 0x0cul, 0x06ul, 0x04ul}) {
        EXPECT_TRUE(moat::aarch32_el0_coproc_undefined(true, ec, USR32)) << ec;
        EXPECT_FALSE(moat::aarch32_el0_coproc_undefined(false, ec, USR32)) << "bare-metal cell: " << ec;
        EXPECT_FALSE(moat::aarch32_el0_coproc_undefined(true, ec, EL1H)) << "not from EL1: " << ec;
        EXPECT_FALSE(moat::aarch32_el0_coproc_undefined(true, ec, SVC32)) << "not an AArch32 kernel: " << ec;
    }
    EXPECT_FALSE(moat::aarch32_el0_coproc_undefined(true, 0x18, USR32)) << "MSR/MRS is handled elsewhere";
    EXPECT_FALSE(moat::aarch32_el0_coproc_undefined(true, 0x00, USR32));
    EXPECT_FALSE(moat::aarch32_el0_coproc_undefined(true, 0x05, EL0T)) << "an AArch64 process cannot raise EC 5";
}

TEST(SysregPolicy, InjectedExceptionVector)
{
    EXPECT_EQ(moat::el1_sync_vector_offset(0x5), 0x200u);   // EL1h
    EXPECT_EQ(moat::el1_sync_vector_offset(0x4), 0x000u) << "EL1t: current EL with SP_EL0";
    EXPECT_EQ(moat::el1_sync_vector_offset(0x0), 0x400u);   // EL0, AArch64
    EXPECT_EQ(moat::el1_sync_vector_offset(0x10), 0x600u);  // User mode, AArch32
    EXPECT_EQ(moat::el1_sync_vector_offset(0x10 | 0x20 | 0x3c0), 0x600u) << "Thumb and mask bits do not matter";
}
