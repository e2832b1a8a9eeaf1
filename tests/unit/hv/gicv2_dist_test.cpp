// The distributor filter's GICv2 layout (hv/gic_dist.cpp: ITARGETSR per-byte targets, GICD_SGIR
// target lists, banked SGI/PPI registers), partly against a fake distributor. The GICv2
// encodings of arch/arm64 gicv2.hpp are in tests/unit/arch/gicv2_test.cpp.
#include <gtest/gtest.h>

#include <cstring>

#include "hv/gic_dist.hpp"

using namespace moat;

namespace {

// ---- GICD_SGIR and GICD_ITARGETSR filters ----------------------------------------------------

constexpr u32 sgir(u32 filter, u32 list, u32 intid)
{
    return filter << gicd::SGIR_FILTER_SHIFT | list << gicd::SGIR_TARGETS_SHIFT | intid;
}

TEST(GicV2Sgir, TargetListKeepsOnlyTheCellsCpus)
{
    // Cell with CPU interfaces 0 and 1 (0x3), calling from 0 (0x1), sends SGI 0 to 0..3.
    EXPECT_EQ(gicd::sgir_filter(sgir(0, 0xf, 0), 0x3, 0x1, 15), sgir(0, 0x3, 0));
    EXPECT_EQ(gicd::sgir_filter(sgir(0, 0x4, 2), 0x3, 0x1, 15), 0u) << "only foreign targets: nothing sent";
    EXPECT_EQ(gicd::sgir_filter(sgir(0, 0x2, 6), 0x3, 0x1, 15), sgir(0, 0x2, 6));
}

TEST(GicV2Sgir, AllButSelfBecomesTheCellsOtherCpus)
{
    EXPECT_EQ(gicd::sgir_filter(sgir(1, 0, 1), 0x7, 0x2, 15), sgir(0, 0x5, 1));
    EXPECT_EQ(gicd::sgir_filter(sgir(1, 0, 1), 0x8, 0x8, 15), 0u) << "a one-CPU cell has no others";
}

TEST(GicV2Sgir, SelfStaysSelf)
{
    EXPECT_EQ(gicd::sgir_filter(sgir(2, 0xff, 3), 0x8, 0x8, 15), sgir(0, 0x8, 3));
}

TEST(GicV2Sgir, ReservedFilterAndTheHypervisorsSgiAreDropped)
{
    EXPECT_EQ(gicd::sgir_filter(sgir(3, 0xf, 1), 0xf, 0x1, 15), 0u);
    EXPECT_EQ(gicd::sgir_filter(sgir(0, 0xf, 15), 0xf, 0x1, 15), 0u);
    EXPECT_EQ(gicd::sgir_filter(sgir(1, 0, 15), 0xf, 0x1, 15), 0u);
}

TEST(GicV2Sgir, NsattIsKept)
{
    EXPECT_EQ(gicd::sgir_filter(sgir(0, 0x3, 4) | gicd::SGIR_NSATT, 0x1, 0x1, 15),
              sgir(0, 0x1, 4) | gicd::SGIR_NSATT);
}

TEST(GicV2Itargetsr, WrittenBytesKeepOnlyTheCellsCpus)
{
    // Four SPIs targeting CPU 0; the cell (CPUs 2 and 3: 0x0c) owns bytes 1 and 2.
    u32 cur = 0x01010101;
    EXPECT_EQ(gicd::itargetsr_filter(cur, 0x0f0f0f0f, 0x00ffff00, 0x0c), 0x010c0c01u);
    EXPECT_EQ(gicd::itargetsr_filter(cur, 0x00080400, 0x00ffff00, 0x0c), 0x01080401u);
}

TEST(GicV2Itargetsr, NoCellCpuLeftKeepsTheCurrentTargets)
{
    EXPECT_EQ(gicd::itargetsr_filter(0x04040404, 0x01010101, 0xffffffff, 0x0c), 0x04040404u)
        << "never routed to another cell's CPU, never to no CPU at all";
    EXPECT_EQ(gicd::itargetsr_filter(0x04040404, 0x00000000, 0xffffffff, 0x0c), 0x04040404u);
}

// ---- the whole GICv2 distributor filter against a fake distributor --------------------------

u32 fake[0x1000 / 4];
u32 sgir_writes, last_sgir;

u32 fake_read32(u64 off) { return fake[off / 4]; }
void fake_write32(u64 off, u32 v)
{
    if (off == gicd::SGIR) {
        sgir_writes++;
        last_sgir = v;
        return;
    }
    fake[off / 4] = v;
}
u64 fake_read64(u64 off) { return fake_read32(off) | u64{fake_read32(off + 4)} << 32; }
void fake_write64(u64 off, u64 v)
{
    fake_write32(off, static_cast<u32>(v));
    fake_write32(off + 4, static_cast<u32>(v >> 32));
}
constexpr GicdBackend fake_hw{fake_read32, fake_write32, fake_read64, fake_write64};

class GicV2Dist : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::memset(fake, 0, sizeof(fake));
        sgir_writes = 0;
        last_sgir = 0;
        std::memset(irqs, 0, sizeof(irqs));
        irqs[1] = 1u << (34 - 32);  // the cell owns SPI 34 only
        owner = {irqs, mpidr, 1, ~((1u << 15) | (1u << 25)), 0x08, 0x08};
    }
    MmioAccess access(u64 off, u32 size, bool write, u64 value = 0)
    {
        MmioAccess a{0x08000000 + off, off, size, write, value};
        result = gicd_access_v2(fake_hw, owner, a);
        return a;
    }
    u32 irqs[32];
    u64 mpidr[1] = {3};
    GicdOwner owner{};
    MmioResult result{};
};

TEST_F(GicV2Dist, EnablesOnlyItsOwnSpis)
{
    access(gicd::ISENABLER + 4, 4, true, 0xffffffff);
    EXPECT_EQ(result, MmioResult::HANDLED);
    EXPECT_EQ(fake[(gicd::ISENABLER + 4) / 4], 1u << 2);
    fake[(gicd::ISENABLER + 4) / 4] = 0xffffffff;
    EXPECT_EQ(access(gicd::ISENABLER + 4, 4, false).value, 1u << 2) << "foreign enables read as 0";
}

TEST_F(GicV2Dist, BankedSgisAndPpisExceptTheHypervisorsOwn)
{
    access(gicd::ICENABLER, 4, true, 0xffffffff);
    EXPECT_EQ(fake[gicd::ICENABLER / 4], ~((1u << 15) | (1u << 25)))
        << "SGI 15 and the maintenance PPI cannot be disabled";
    access(gicd::IPRIORITYR + 15, 1, true, 0xff);
    access(gicd::IPRIORITYR + 27, 1, true, 0xa0);
    EXPECT_EQ(fake[(gicd::IPRIORITYR + 12) / 4], 0u) << "SGI 15's priority is the hypervisor's";
    EXPECT_EQ(fake[(gicd::IPRIORITYR + 24) / 4], 0xa0u << 24);
}

TEST_F(GicV2Dist, ItargetsrBytesOfItsSpisOnlyToItsCpus)
{
    fake[(gicd::ITARGETSR + 32) / 4] = 0x01010101;  // SPIs 32..35 on CPU 0
    access(gicd::ITARGETSR + 34, 1, true, 0x0f);
    EXPECT_EQ(result, MmioResult::HANDLED);
    EXPECT_EQ(fake[(gicd::ITARGETSR + 32) / 4], 0x01080101u);
    access(gicd::ITARGETSR + 33, 1, true, 0x08);
    EXPECT_EQ(fake[(gicd::ITARGETSR + 32) / 4], 0x01080101u) << "SPI 33 is not the cell's";
    access(gicd::ITARGETSR + 32, 4, true, 0x08080808);
    EXPECT_EQ(fake[(gicd::ITARGETSR + 32) / 4], 0x01080101u);
    EXPECT_EQ(access(gicd::ITARGETSR + 32, 4, false).value, 0x00080000u);
    EXPECT_EQ(access(gicd::ITARGETSR + 34, 1, false).value, 0x08u);
    EXPECT_EQ(access(gicd::ITARGETSR + 33, 1, false).value, 0u);
}

TEST_F(GicV2Dist, ItargetsrOfSgisAndPpisIsReadOnlyAndTellsTheCpuItsBit)
{
    fake[gicd::ITARGETSR / 4] = 0x08080808;
    EXPECT_EQ(access(gicd::ITARGETSR, 4, false).value, 0x08080808u);
    access(gicd::ITARGETSR, 4, true, 0x01010101);
    EXPECT_EQ(fake[gicd::ITARGETSR / 4], 0x08080808u);
}

TEST_F(GicV2Dist, SgirIsForwardedFiltered)
{
    owner.targets = 0x3;
    owner.self_target = 0x1;
    access(gicd::SGIR, 4, true, sgir(0, 0xf, 0));
    EXPECT_EQ(sgir_writes, 1u);
    EXPECT_EQ(last_sgir, sgir(0, 0x3, 0));
    access(gicd::SGIR, 4, true, sgir(0, 0xc, 0));
    access(gicd::SGIR, 4, true, sgir(0, 0xf, 15));
    EXPECT_EQ(sgir_writes, 1u) << "nothing for foreign CPUs, nothing with SGI 15";
    EXPECT_EQ(access(gicd::SGIR, 4, false).value, 0u);
    access(gicd::SGIR, 2, true, 0);
    EXPECT_EQ(result, MmioResult::DENIED);
}

TEST_F(GicV2Dist, ControlIsReadOnlyAndWideAccessesAreRefused)
{
    fake[0] = 1;
    access(gicd::CTLR, 4, true, 0);
    EXPECT_EQ(fake[0], 1u);
    EXPECT_EQ(access(gicd::CTLR, 4, false).value, 1u);
    access(gicd::CTLR, 8, true, 0);
    EXPECT_EQ(result, MmioResult::DENIED);
    access(gicd::ISENABLER + 2, 4, false);
    EXPECT_EQ(result, MmioResult::DENIED) << "misaligned";
}

TEST_F(GicV2Dist, PendingSgiRegistersAreRazWi)
{
    access(gicd::SPENDSGIR, 4, true, 0xffffffff);
    EXPECT_EQ(fake[gicd::SPENDSGIR / 4], 0u);
    EXPECT_EQ(access(gicd::CPENDSGIR, 4, false).value, 0u);
}

}  // namespace

// A cell takes the CPUs with target bits 0x04 and 0x08: a root SPI's ITARGETSR byte loses their
// bits; one left with no target goes to the CPU that asked (0x02).
TEST_F(GicV2Dist, RootSpisTargetingTakenCpusMoveToTheAskingCpu)
{
    GicdReroute r{nullptr, 2, 0x0c, 0x02};
    u32 root[32] = {};
    root[1] = 0xf;                                      // SPIs 32..35
    fake[(gicd::ITARGETSR + 32) / 4] = 0x01050c04;      // 32: 0x04, 33: 0x0c, 34: 0x05, 35: 0x01
    fake[(gicd::ITARGETSR + 36) / 4] = 0x04;            // 36: not the root's
    EXPECT_EQ(gicd_reroute_spis(fake_hw, 2, root, r), 3u);
    EXPECT_EQ(fake[(gicd::ITARGETSR + 32) / 4], 0x01010202u);
    EXPECT_EQ(fake[(gicd::ITARGETSR + 36) / 4], 0x04u);
    // Back at destroy: the saved byte loses another cell's CPUs the same way.
    fake[(gicd::ITARGETSR + 32) / 4] = 0x08;
    GicdSpiSaved saved;
    gicd_spi_lend(fake_hw, 2, 32, saved);
    GicdReroute other{nullptr, 1, 0x08, 0x01};
    gicd_spi_return(fake_hw, 2, 32, saved, &other);
    EXPECT_EQ(fake[(gicd::ITARGETSR + 32) / 4] & 0xff, 0x01u);
}
