// The ESR_EL2 decoder of trapped system register accesses (arch/arm64/include/arch/esr.hpp),
// against syndromes written out by hand from the ISS layout of EC 0x18 (Arm ARM D24.2.41):
// Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0].
#include <gtest/gtest.h>

#include "arch/esr.hpp"

using namespace moat;
using namespace moat::arm64;

namespace {

TEST(EsrSysReg, SgiWriteThroughIccSgi1r)
{
    // MSR ICC_SGI1R_EL1, X3 (S3_0_C12_C11_5), trapped at EL2 (EC 0x18, IL 1).
    SysRegAccess s = decode_sysreg_access(0x623a3076);
    EXPECT_EQ(esr_ec(0x623a3076), 0x18u);
    EXPECT_EQ(s.op0, 3u);
    EXPECT_EQ(s.op1, 0u);
    EXPECT_EQ(s.crn, 12u);
    EXPECT_EQ(s.crm, 11u);
    EXPECT_EQ(s.op2, 5u);
    EXPECT_EQ(s.rt, 3u);
    EXPECT_FALSE(s.read);
}

TEST(EsrSysReg, SetWayCacheOperationWithXzr)
{
    // DC CISW, XZR (S1_0_C7_C14_2).
    SysRegAccess s = decode_sysreg_access(0x62141ffc);
    EXPECT_EQ(s.op0, 1u);
    EXPECT_EQ(s.op1, 0u);
    EXPECT_EQ(s.crn, 7u);
    EXPECT_EQ(s.crm, 14u);
    EXPECT_EQ(s.op2, 2u);
    EXPECT_EQ(s.rt, 31u);
    EXPECT_FALSE(s.read);
}

TEST(EsrSysReg, ReadOfPmcr)
{
    // MRS X17, PMCR_EL0 (S3_3_C9_C12_0).
    SysRegAccess s = decode_sysreg_access(0x6230e639);
    EXPECT_EQ(s.op0, 3u);
    EXPECT_EQ(s.op1, 3u);
    EXPECT_EQ(s.crn, 9u);
    EXPECT_EQ(s.crm, 12u);
    EXPECT_EQ(s.op2, 0u);
    EXPECT_EQ(s.rt, 17u);
    EXPECT_TRUE(s.read);
}

TEST(EsrSysReg, EachFieldKeepsToItsOwnBits)
{
    // Every ISS bit set: each field at its maximum, nothing from a neighbour.
    SysRegAccess all = decode_sysreg_access(0x1ffffff);
    EXPECT_EQ(all.op0, 3u);
    EXPECT_EQ(all.op1, 7u);
    EXPECT_EQ(all.crn, 15u);
    EXPECT_EQ(all.crm, 15u);
    EXPECT_EQ(all.op2, 7u);
    EXPECT_EQ(all.rt, 31u);
    EXPECT_TRUE(all.read);
    // One field at a time.
    struct Case {
        u64 iss;
        u32 SysRegAccess::*field;
        u32 value;
    } cases[] = {
        {u64{3} << 20, &SysRegAccess::op0, 3},  {u64{7} << 17, &SysRegAccess::op2, 7},
        {u64{7} << 14, &SysRegAccess::op1, 7},  {u64{15} << 10, &SysRegAccess::crn, 15},
        {u64{31} << 5, &SysRegAccess::rt, 31},  {u64{15} << 1, &SysRegAccess::crm, 15},
    };
    u32 SysRegAccess::*fields[] = {&SysRegAccess::op0, &SysRegAccess::op1, &SysRegAccess::crn,
                                   &SysRegAccess::crm, &SysRegAccess::op2, &SysRegAccess::rt};
    for (const Case &c : cases) {
        SysRegAccess s = decode_sysreg_access((u64{0x18} << 26) | c.iss);
        for (auto f : fields)
            EXPECT_EQ(s.*f, f == c.field ? c.value : 0u) << std::hex << c.iss;
        EXPECT_FALSE(s.read) << std::hex << c.iss;
    }
}

}  // namespace
