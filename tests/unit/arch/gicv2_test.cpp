// GICv2 encodings that are pure logic: the list-register and VMCR encodings and the CPU
// interface's second page of arch/arm64 gicv2.hpp (GICv2 architecture specification, IHI 0048B,
// 5.3). The distributor filter's GICv2 layout is in tests/unit/hv/gicv2_dist_test.cpp.
#include <gtest/gtest.h>

#include "arch/gicv2.hpp"

using namespace moat;
using namespace moat::arm64;

namespace {

// ---- list registers -------------------------------------------------------------------------

TEST(GicV2Lr, SpiCarriesHardwareBitAndPhysicalId)
{
    u32 lr = gicv2_lr_value(33, 0xa0);
    EXPECT_EQ(lr, (1u << 31) | (1u << 28) | (0x14u << 23) | (33u << 10) | 33u);
    EXPECT_TRUE(lr & gich::LR_HW);
    EXPECT_FALSE(lr & gich::LR_GRP1) << "virtual group 0: what a GICv2 guest's EnableGrp0 enables";
    EXPECT_EQ(gicv2_lr_state(lr), gich::LR_STATE_PENDING);
    EXPECT_EQ(gicv2_lr_intid(lr), 33u);
    EXPECT_EQ(gicv2_lr_iar(lr), 33u);
}

TEST(GicV2Lr, PpiCarriesHardwareBit)
{
    u32 lr = gicv2_lr_value(27, 0xa0);  // the virtual timer
    EXPECT_TRUE(lr & gich::LR_HW);
    EXPECT_EQ((lr >> gich::LR_PHYSICALID_SHIFT) & gich::LR_PHYSICALID_MASK, 27u);
}

TEST(GicV2Lr, SgiKeepsItsSourceCpuAndHasNoHardwareBit)
{
    u32 iar = (5u << gicc::IAR_CPUID_SHIFT) | 1;  // SGI 1 from CPU interface 5
    u32 lr = gicv2_lr_value(iar, 0xa0);
    EXPECT_FALSE(lr & gich::LR_HW);
    EXPECT_EQ((lr >> gich::LR_CPUID_SHIFT) & gich::LR_CPUID_MASK, 5u);
    EXPECT_EQ(gicv2_lr_intid(lr), 1u);
    EXPECT_EQ(gicv2_lr_iar(lr), iar) << "given back to the distributor with the same source";
    EXPECT_EQ(gicv2_iar_intid(iar), 1u);
    EXPECT_EQ(gicv2_iar_cpuid(iar), 5u);
}

TEST(GicV2Lr, PriorityKeepsItsTopFiveBits)
{
    EXPECT_EQ((gicv2_lr_value(40, 0x00) >> gich::LR_PRIORITY_SHIFT) & gich::LR_PRIORITY_MASK, 0u);
    EXPECT_EQ((gicv2_lr_value(40, 0xff) >> gich::LR_PRIORITY_SHIFT) & gich::LR_PRIORITY_MASK, 0x1fu);
    EXPECT_EQ((gicv2_lr_value(40, 0xa7) >> gich::LR_PRIORITY_SHIFT) & gich::LR_PRIORITY_MASK, 0x14u);
}

TEST(GicV2Lr, HighestSpiFitsTheTenBitFields)
{
    u32 lr = gicv2_lr_value(1019, 0xa0);
    EXPECT_EQ(gicv2_lr_intid(lr), 1019u);
    EXPECT_EQ((lr >> gich::LR_PHYSICALID_SHIFT) & gich::LR_PHYSICALID_MASK, 1019u);
    EXPECT_EQ(gicv2_lr_state(lr), gich::LR_STATE_PENDING) << "INTID bits never spill into the state";
}

// ---- virtual machine control ----------------------------------------------------------------

TEST(GicV2Vmcr, FromTheKernelsPhysicalInterfaceAndBack)
{
    // Linux: enabled, EOImode 1 (split priority drop / deactivate), PMR 0xf0.
    u32 ctlr = gicc::CTLR_ENABLE | gicc::CTLR_EOIMODE | (3u << 5) /* bypass disables */;
    u32 vmcr = gicv2_vmcr_from_gicc(ctlr, 0xf0, 2, 3);
    EXPECT_TRUE(vmcr & gich::VMCR_GRP0EN);
    EXPECT_TRUE(vmcr & gich::VMCR_VEM);
    EXPECT_FALSE(vmcr & (gich::VMCR_GRP1EN | gich::VMCR_FIQEN | gich::VMCR_ACKCTL | gich::VMCR_CBPR));
    EXPECT_EQ(vmcr >> gich::VMCR_PMR_SHIFT, 0xf0u >> 3);
    EXPECT_EQ(gicv2_vmcr_pmr(vmcr), 0xf0u);
    EXPECT_EQ(gicv2_vmcr_bpr(vmcr), 2u);
    EXPECT_EQ(gicv2_vmcr_abpr(vmcr), 3u);
    EXPECT_EQ(gicv2_ctlr_from_vmcr(ctlr, vmcr), ctlr);
}

TEST(GicV2Vmcr, WhatTheCellChangedGoesBackToThePhysicalInterface)
{
    u32 stub = gicc::CTLR_ENABLE | (3u << 5);
    u32 vmcr = gich::VMCR_VEM;  // the kernel turned group 0 off and EOImode on
    EXPECT_EQ(gicv2_ctlr_from_vmcr(stub, vmcr), gicc::CTLR_EOIMODE | (3u << 5));
}

}  // namespace

TEST(GicV2CpuPage1, ArchitectedLayoutKeepsTheSecondPage4KiBUp)
{
    // QEMU virt's GICv2: a 64 KiB CPU interface window whose second page holds GICC_DIR (IIDR
    // offset reads as zero there).
    EXPECT_EQ(gicv2_cpu_page1(0x10000, 0x0202043b, 0), 0x1000u);
    // An 8 KiB window never has room for 64 KiB spacing, whatever the reads say.
    EXPECT_EQ(gicv2_cpu_page1(0x2000, 0x0202043b, 0x0202043b), 0x1000u);
}

TEST(GicV2CpuPage1, Gic400With64KiBSpacingHasItInTheSecondSlot)
{
    // The ZynqMP: 128 KiB in the tree, the first page repeating 4 KiB above the base.
    EXPECT_EQ(gicv2_cpu_page1(0x20000, 0x0202043b, 0x0202043b), 0x10000u);
    // 128 KiB but the first page does not repeat: the architected layout.
    EXPECT_EQ(gicv2_cpu_page1(0x20000, 0x0202043b, 0), 0x1000u);
    // Nothing read back (no IIDR): no evidence of repetition.
    EXPECT_EQ(gicv2_cpu_page1(0x20000, 0, 0), 0x1000u);
}

// ---- re-pending an SGI ----------------------------------------------------------------------

TEST(GicV2SgiRepend, OneByteOfItsOwnSgiWithTheSourceBit)
{
    // SGI 5 from CPU 2: GICD_SPENDSGIR1's second byte (0xf25), bit 2.
    GicdByteWrite w = gicv2_sgi_repend(5 | 2u << gicc::IAR_CPUID_SHIFT);
    EXPECT_EQ(w.offset, 0xf25u);
    EXPECT_EQ(w.value, 0x04u);
    // SGI 0 from CPU 0 and SGI 14 from CPU 7: the first and the fifteenth byte.
    EXPECT_EQ(gicv2_sgi_repend(0).offset, 0xf20u);
    EXPECT_EQ(gicv2_sgi_repend(0).value, 0x01u);
    GicdByteWrite last = gicv2_sgi_repend(14 | 7u << gicc::IAR_CPUID_SHIFT);
    EXPECT_EQ(last.offset, 0xf2eu);
    EXPECT_EQ(last.value, 0x80u);
}

TEST(GicV2SgiRepend, EverySgiAndSourceStaysInItsByte)
{
    for (u32 sgi = 0; sgi < 16; sgi++)
        for (u32 cpu = 0; cpu < 8; cpu++) {
            GicdByteWrite w = gicv2_sgi_repend(sgi | cpu << gicc::IAR_CPUID_SHIFT);
            EXPECT_EQ(w.offset, gicd::SPENDSGIR + sgi) << sgi << " from " << cpu;
            EXPECT_EQ(w.value, 1u << cpu) << "exactly one bit: " << sgi << " from " << cpu;
        }
}
