// SPDX-License-Identifier: MIT
// The GIC register packing both inmate backends use (demo/gic_fields.hpp) and the GICv2
// backend's encodings (demo/gicv2.hpp), against values worked out from the GICv2/v3
// specifications' register layouts.
#include "demo/gic_fields.hpp"
#include "demo/gicv2.hpp"

#include <gtest/gtest.h>

namespace {

using namespace demo::gic;

constexpr uint32_t kVirtualTimer = 27;  // PPI 11 on QEMU virt and the ZCU102
constexpr uint32_t kUartSpi = 33;

TEST(GicFields, EnableBitsAreOnePerInterrupt)
{
    EXPECT_EQ(word_offset(kVirtualTimer, kEnableBits), 0u);  // ISENABLER0: SGIs and PPIs
    EXPECT_EQ(bit(kVirtualTimer), 1u << 27);
    EXPECT_EQ(word_offset(kUartSpi, kEnableBits), 4u);  // ISENABLER1
    EXPECT_EQ(bit(kUartSpi), 1u << 1);
    EXPECT_EQ(word_offset(1019, kEnableBits), 31u * 4);
}

TEST(GicFields, PriorityAndTargetBytes)
{
    // IPRIORITYR6 holds INTIDs 24-27; 27 is its top byte.
    EXPECT_EQ(word_offset(kVirtualTimer, kPriorityBits), 6u * 4);
    EXPECT_EQ(field_shift(kVirtualTimer, kPriorityBits), 24u);
    EXPECT_EQ(field_mask(kVirtualTimer, kPriorityBits), 0xff000000u);
    // ITARGETSR8 holds INTIDs 32-35; 33 is its second byte.
    EXPECT_EQ(word_offset(kUartSpi, kTargetBits), 8u * 4);
    EXPECT_EQ(field_mask(kUartSpi, kTargetBits), 0x0000ff00u);
}

TEST(GicFields, ConfigFieldsAreTwoBits)
{
    // ICFGR1 holds INTIDs 16-31, two bits each; 27's field is bits 23:22, the edge bit 23.
    EXPECT_EQ(word_offset(kVirtualTimer, kConfigBits), 4u);
    EXPECT_EQ(field_shift(kVirtualTimer, kConfigBits), 22u);
    EXPECT_EQ(kConfigEdge << field_shift(kVirtualTimer, kConfigBits), 1u << 23);
}

TEST(GicFields, WithFieldReplacesOnlyItsOwnField)
{
    // A target byte for INTID 33 leaves 32, 34 and 35 as they were.
    EXPECT_EQ(with_field(0x44332211u, kUartSpi, kTargetBits, 0x08), 0x44330811u);
    EXPECT_EQ(with_field(0x00000000u, kUartSpi, kTargetBits, 0x01), 0x00000100u);
    // A priority byte at the top of its word, and a value wider than the field is cut to it.
    EXPECT_EQ(with_field(0x12345678u, kVirtualTimer, kPriorityBits, 0xa0), 0xa0345678u);
    EXPECT_EQ(with_field(0x00000000u, 32, kPriorityBits, 0x1a0), 0x000000a0u);
}

TEST(Gicv2, AcknowledgeKeepsTheSgiSourceForTheEoi)
{
    // SGI 5 sent by CPU 3: GICC_IAR = CPUID 3 in bits 12:10, INTID 5.
    constexpr uint32_t iar = (3u << kGiccIarCpuidShift) | 5u;
    constexpr Acknowledged ack = gicv2_acknowledged(iar);
    EXPECT_EQ(ack.intid, 5u);
    EXPECT_EQ(ack.iar, iar);  // end_of_interrupt writes this to GICC_EOIR unchanged
    EXPECT_EQ(gicv2_iar_source_cpu(iar), 3u);
}

TEST(Gicv2, PpiAndSpiAcknowledgeIsTheIntid)
{
    EXPECT_EQ(gicv2_acknowledged(kVirtualTimer).intid, kVirtualTimer);
    EXPECT_EQ(gicv2_acknowledged(1019).intid, 1019u);
}

TEST(Gicv2, SpuriousIdsAreSpecial)
{
    // 1023 (nothing pending) and 1022 (group 0/1 mismatch) must not be dispatched or ended.
    EXPECT_GE(gicv2_acknowledged(1023).intid, kFirstSpecial);
    EXPECT_GE(gicv2_acknowledged(1022).intid, kFirstSpecial);
    EXPECT_LT(gicv2_acknowledged(1019).intid, kFirstSpecial);
    // Bits above the CPUID field are reserved: never part of the INTID.
    EXPECT_EQ(gicv2_acknowledged(0xffffe000u | 1023).intid, 1023u);
}

TEST(Gicv2, OwnTargetIsTheFirstByteOfItargetsr0)
{
    // Every byte of the banked GICD_ITARGETSR0 reads as the caller's bit; CPU 2 here.
    EXPECT_EQ(gicv2_own_target(0x04040404u), 0x04u);
    EXPECT_EQ(gicv2_own_target(0u), 0u);  // a uniprocessor GIC: RAZ
}

}  // namespace
