// The end of trapped interrupt delivery on a CPU (arch/arm64 gicv2.hpp gicv2_leave_in_flight,
// gicv2_clear_private_pending; gicv3.hpp gicv3_leave_in_flight): the root cell's interrupts in
// flight go back to the physical GIC as pending (moat disable hands them to Linux), an isolated
// cell's go nowhere (docs/security.md, invariant 1: the root never gets a CPU back in a state the
// cell chose; an SGI 2 the cell sent itself was Linux's IPI_CPU_STOP once the root had the CPU).
// Tested against fake list registers and a fake model of a CPU's banked SGI/PPI state.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "arch/gicv2.hpp"
#include "arch/gicv3.hpp"

using namespace moat;
using namespace moat::arm64;

namespace {

// List registers and what the leave did to the physical GIC.
template <typename Lr>
struct FakeLeaveHw {
    std::vector<Lr> lrs;
    std::vector<u32> deactivated, repended;
    Lr lr_read(unsigned n) { return lrs.at(n); }
    void lr_write(unsigned n, Lr v) { lrs.at(n) = v; }
    void deactivate(u32 iar) { deactivated.push_back(iar); }
    void repend(u32 iar) { repended.push_back(iar); }
};

constexpr u32 SGI2_FROM_CPU1 = 2 | 1u << gicc::IAR_CPUID_SHIFT;  // the cell's SGI 2 to itself (CPU 1)
constexpr u32 VTIMER = 27, SPI = 40;

// CPU 1 under an isolated cell, GICv2: SGI 2 pending in a list register, the virtual timer PPI
// active (hardware-linked), SPI 40 pending (linked) and one more SGI 2 and a PPI queued.
struct V2Setup {
    GicCpu g{};
    FakeLeaveHw<u32> hw;
    V2Setup()
    {
        g.nr_lrs = 4;
        hw.lrs = {gicv2_lr_value(SGI2_FROM_CPU1, 0xa0),
                  (gicv2_lr_value(VTIMER, 0xa0) & ~(gich::LR_STATE_MASK << gich::LR_STATE_SHIFT)) |
                      (gich::LR_STATE_ACTIVE << gich::LR_STATE_SHIFT),
                  gicv2_lr_value(SPI, 0xa0), 0};
        g.pending[0] = 3 | 1u << gicc::IAR_CPUID_SHIFT;
        g.pending[1] = 26;
        g.npending = 2;
    }
};

TEST(GicV2Leave, IsolatedCellRependsNothing)
{
    V2Setup s;
    gicv2_leave_in_flight(s.g, false, s.hw);
    EXPECT_TRUE(s.hw.repended.empty()) << "nothing the cell had pending becomes the root's";
    for (u32 lr : s.hw.lrs)
        EXPECT_EQ(lr, 0u) << "every list register emptied";
    EXPECT_EQ(s.g.npending, 0u) << "the queue dropped";
    // Physically active: the linked PPI and SPI in the list registers, the queued PPI. Their
    // active state must end whoever leaves (an active PPI would never come to the root again).
    EXPECT_EQ(s.hw.deactivated, (std::vector<u32>{VTIMER, SPI, 26}));
}

TEST(GicV2Leave, RootLeavingRependsWhatItHadNotTaken)
{
    V2Setup s;
    gicv2_leave_in_flight(s.g, true, s.hw);
    // Pending ones only (the active timer was taken), SGIs with their source CPU.
    EXPECT_EQ(s.hw.repended, (std::vector<u32>{SGI2_FROM_CPU1, SPI, 3 | 1u << gicc::IAR_CPUID_SHIFT, 26}));
    EXPECT_EQ(s.hw.deactivated, (std::vector<u32>{VTIMER, SPI, 26}));
    for (u32 lr : s.hw.lrs)
        EXPECT_EQ(lr, 0u);
    EXPECT_EQ(s.g.npending, 0u);
}

// One CPU's banked SGI/PPI state in a GICv2 distributor (IHI 0048B 4.3): what the registers
// gicv2_clear_private_pending writes do to it.
struct FakeBankedV2 {
    u8 sgi_pending[16] = {};  // a bit per source CPU
    u32 ppi_pending = 0, active = 0, enabled = 0;
    std::map<u64, u32> other_writes;
    void write32(u64 off, u32 v)
    {
        if (off >= gicd::CPENDSGIR && off < gicd::CPENDSGIR + 16) {
            for (unsigned b = 0; b < 4; b++)
                sgi_pending[off - gicd::CPENDSGIR + b] &= static_cast<u8>(~(v >> (8 * b)));
        } else if (off == gicd::ICPENDR) {
            ppi_pending &= ~(v & 0xffff0000u);  // SGIs' pending state is per source: CPENDSGIR
        } else if (off == gicd::ICACTIVER) {
            active &= ~v;
        } else {
            other_writes[off] = v;
        }
    }
};
FakeBankedV2 *banked;

TEST(GicV2Leave, IsolatedCellLeavesNoSgiOrPpiPendingOrActive)
{
    FakeBankedV2 b;
    b.sgi_pending[2] = 1u << 1;      // SGI 2 from CPU 1: the cell's IPI_CPU_STOP to itself
    b.sgi_pending[7] = 0x0f;         // from every source
    b.ppi_pending = 1u << 23 | 1u << VTIMER;
    b.active = 1u << 1 | 1u << VTIMER;
    b.enabled = 1u << gicd::MGMT_SGI | 1u << 25;  // the management SGI and the maintenance PPI
    banked = &b;
    gicv2_clear_private_pending([](u64 off, u32 v) { banked->write32(off, v); });
    for (unsigned sgi = 0; sgi < 16; sgi++)
        EXPECT_EQ(b.sgi_pending[sgi], 0u) << "SGI " << sgi;
    EXPECT_EQ(b.ppi_pending, 0u);
    EXPECT_EQ(b.active, 0u);
    EXPECT_EQ(b.enabled, 1u << gicd::MGMT_SGI | 1u << 25) << "enables untouched";
    EXPECT_TRUE(b.other_writes.empty()) << "no enable, priority or group register written";
}

// GICv3: the same for ICH_LR<n>_EL2 (SGIs carry no source and no hardware bit).
struct V3Setup {
    GicCpu g{};
    FakeLeaveHw<u64> hw;
    V3Setup()
    {
        g.nr_lrs = 4;
        hw.lrs = {gicv3_lr_value(2, false, 0xa0),
                  (gicv3_lr_value(VTIMER, true, 0xa0) & ~(ICH_LR_STATE_MASK << ICH_LR_STATE_SHIFT)) |
                      (ICH_LR_STATE_ACTIVE << ICH_LR_STATE_SHIFT),
                  gicv3_lr_value(SPI, true, 0xa0), 0};
        g.pending[0] = 3;
        g.pending[1] = 26;
        g.npending = 2;
    }
};

TEST(GicV3Leave, IsolatedCellRependsNothing)
{
    V3Setup s;
    gicv3_leave_in_flight(s.g, false, s.hw);
    EXPECT_TRUE(s.hw.repended.empty()) << "nothing the cell had pending becomes the root's";
    for (u64 lr : s.hw.lrs)
        EXPECT_EQ(lr, 0u);
    EXPECT_EQ(s.g.npending, 0u);
    EXPECT_EQ(s.hw.deactivated, (std::vector<u32>{VTIMER, SPI, 26}));
}

TEST(GicV3Leave, RootLeavingRependsWhatItHadNotTaken)
{
    V3Setup s;
    gicv3_leave_in_flight(s.g, true, s.hw);
    EXPECT_EQ(s.hw.repended, (std::vector<u32>{2, SPI, 3, 26}));
    EXPECT_EQ(s.hw.deactivated, (std::vector<u32>{VTIMER, SPI, 26}));
    EXPECT_EQ(s.g.npending, 0u);
}

}  // namespace
