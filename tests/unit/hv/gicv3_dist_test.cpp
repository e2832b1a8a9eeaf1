// SPDX-License-Identifier: GPL-2.0
// The GICv3 distributor filter against a fake distributor: a cell touches only the bits of
// the interrupts it owns, and routes them only to its own CPUs.
#include <gtest/gtest.h>

#include <cstring>

#include "arch/affinity.hpp"
#include "hv/gic_dist.hpp"

using namespace moat;

namespace {
u32 regs[0x10000 / 4];
u64 writes;

u32 rd32(u64 off) { return regs[off / 4]; }
void wr32(u64 off, u32 v) { regs[off / 4] = v; writes++; }
u64 rd64(u64 off) { return regs[off / 4] | u64{regs[off / 4 + 1]} << 32; }
void wr64(u64 off, u64 v) { regs[off / 4] = static_cast<u32>(v); regs[off / 4 + 1] = static_cast<u32>(v >> 32); writes++; }
constexpr GicdBackend fake{rd32, wr32, rd64, wr64};

struct GicdV3 : ::testing::Test {
    u32 bitmap[32] = {};
    u64 cpus[1] = {0x3};
    GicdOwner owner{bitmap, cpus, 1, 0, 0, 0};
    void SetUp() override
    {
        std::memset(regs, 0, sizeof(regs));
        writes = 0;
        bitmap[1] = 1u << 2;  // INTID 34 (SPI 2, the PL031 on QEMU virt)
    }
    MmioResult access(u64 off, u32 size, bool write, u64 value, u64 *out = nullptr)
    {
        MmioAccess a{0x08000000 + off, off, size, write, value};
        MmioResult r = gicd_access(fake, owner, a);
        if (out)
            *out = a.value;
        return r;
    }
};
}  // namespace

TEST_F(GicdV3, EnableWritesOnlyOwnedBits)
{
    ASSERT_EQ(access(gicd::ISENABLER + 4, 4, true, 0xffffffff), MmioResult::HANDLED);
    EXPECT_EQ(regs[(gicd::ISENABLER + 4) / 4], 1u << 2);
    regs[(gicd::ISENABLER + 4) / 4] = 0xffffffff;  // the root's interrupts are enabled too
    u64 v;
    access(gicd::ISENABLER + 4, 4, false, 0, &v);
    EXPECT_EQ(v, 1u << 2) << "foreign bits read as zero";
    // A word with nothing owned is not even written.
    writes = 0;
    access(gicd::ICENABLER + 8, 4, true, 0xffffffff);
    EXPECT_EQ(writes, 0u);
}

TEST_F(GicdV3, ReadModifyWriteKeepsForeignFields)
{
    regs[(gicd::IPRIORITYR + 32) / 4] = 0xa0a0a0a0;  // INTIDs 32..35
    access(gicd::IPRIORITYR + 32, 4, true, 0x10101010);
    EXPECT_EQ(regs[(gicd::IPRIORITYR + 32) / 4], 0xa010a0a0u);
    // Byte access to the owned priority works; to a foreign one it is ignored.
    access(gicd::IPRIORITYR + 34, 1, true, 0x20);
    access(gicd::IPRIORITYR + 33, 1, true, 0x20);
    EXPECT_EQ(regs[(gicd::IPRIORITYR + 32) / 4], 0xa020a0a0u);
    regs[(gicd::ICFGR + 8) / 4] = 0;  // INTIDs 32..47, two bits each
    access(gicd::ICFGR + 8, 4, true, 0xffffffff);
    EXPECT_EQ(regs[(gicd::ICFGR + 8) / 4], 0x3u << 4);
}

TEST_F(GicdV3, RoutingOnlyToTheCellsCpus)
{
    u64 reg = gicd::IROUTER + 34 * 8;
    access(reg, 8, true, 0x3);
    EXPECT_EQ(rd64(reg), 0x3u);
    access(reg, 8, true, 0x0);  // CPU 0 is the root's: ignored
    EXPECT_EQ(rd64(reg), 0x3u);
    access(reg, 8, true, arm64::IROUTER_IRM);  // "any CPU" could be another cell's
    EXPECT_EQ(rd64(reg), 0x3u);
    access(gicd::IROUTER + 33 * 8, 8, true, 0x3);  // a foreign interrupt
    EXPECT_EQ(rd64(gicd::IROUTER + 33 * 8), 0u);
}

TEST_F(GicdV3, ControlIsReadOnlyAndOddAccessesAreRefused)
{
    regs[0] = 0x53;
    u64 v;
    ASSERT_EQ(access(gicd::CTLR, 4, true, 0), MmioResult::HANDLED);
    access(gicd::CTLR, 4, false, 0, &v);
    EXPECT_EQ(v, 0x53u);
    EXPECT_EQ(access(gicd::CTLR, 8, true, 0), MmioResult::DENIED);
    EXPECT_EQ(access(gicd::ISENABLER + 2, 2, false, 0), MmioResult::DENIED);  // misaligned
    EXPECT_EQ(access(gicd::ISENABLER + 4, 8, true, ~0ull), MmioResult::DENIED);
}

// A cell's own redistributor SGI_base frame: every SGI and PPI but the management SGI (15) and
// the maintenance PPI (25) is the cell's; groups are read-only.
TEST_F(GicdV3, RedistributorSgiFrameKeepsTheManagementSgi)
{
    const u32 mine = ~((1u << gicd::MGMT_SGI) | (1u << 25));
    auto sgi = [&](u64 off, bool write, u64 value, u64 *out = nullptr) {
        MmioAccess a{0x080d0000 + off, off, 4, write, value};
        MmioResult r = gicr_sgi_access(fake, mine, a);
        if (out)
            *out = a.value;
        return r;
    };
    regs[gicd::IGROUPR / 4] = 0xffffffff;
    regs[gicd::ISENABLER / 4] = 1u << gicd::MGMT_SGI;
    ASSERT_EQ(sgi(gicd::IGROUPR, true, 0), MmioResult::HANDLED);
    EXPECT_EQ(regs[gicd::IGROUPR / 4], 0xffffffffu) << "the group is not the cell's to change";
    sgi(gicd::ICENABLER, true, 0xffffffff);
    EXPECT_EQ(regs[gicd::ICENABLER / 4], mine) << "SGI 15 and PPI 25 are not disabled";
    sgi(gicd::ISACTIVER, true, 1u << gicd::MGMT_SGI);
    EXPECT_EQ(regs[gicd::ISACTIVER / 4], 0u);
    regs[(gicd::IPRIORITYR + 12) / 4] = 0;
    sgi(gicd::IPRIORITYR + 12, true, 0xffffffff);
    EXPECT_EQ(regs[(gicd::IPRIORITYR + 12) / 4], 0x00ffffffu) << "SGI 15 keeps its priority";
    u64 v;
    sgi(gicd::ISENABLER, false, 0, &v);
    EXPECT_EQ(v, 0u) << "SGI 15's enable reads as zero";
    writes = 0;
    sgi(gicd::NSACR, true, 0xffffffff);
    EXPECT_EQ(writes, 0u);
}

TEST_F(GicdV3, GroupWritesAreIgnoredInTheDistributor)
{
    regs[(gicd::IGROUPR + 4) / 4] = 0xffffffff;
    access(gicd::IGROUPR + 4, 4, true, 0);
    access(gicd::IGRPMODR + 4, 4, true, 0xffffffff);
    EXPECT_EQ(regs[(gicd::IGROUPR + 4) / 4], 0xffffffffu);
    EXPECT_EQ(regs[(gicd::IGRPMODR + 4) / 4], 0u);
    u64 v;
    access(gicd::IGROUPR + 4, 4, false, 0, &v);
    EXPECT_EQ(v, 1u << 2) << "the owned bit reads as it is";
}

// An SPI lent to a cell and given back: the root's configuration comes back whatever the cell did.
TEST_F(GicdV3, SpiGoesBackAsTheRootHadIt)
{
    const u32 intid = 79, word = intid / 32 * 4, bit = 1u << (intid % 32);
    regs[(gicd::IGROUPR + word) / 4] = bit;
    regs[(gicd::ISENABLER + word) / 4] = bit;
    regs[(gicd::IPRIORITYR + 76) / 4] = 0xa0000000;
    regs[(gicd::ICFGR + 16) / 4] = 2u << 30;  // edge
    wr64(gicd::IROUTER + intid * 8, 0x0100000002ull);
    GicdSpiSaved saved;
    gicd_spi_lend(fake, 3, intid, saved);
    EXPECT_EQ(regs[(gicd::ICENABLER + word) / 4], bit) << "disabled for the cell";
    EXPECT_EQ(regs[(gicd::ICACTIVER + word) / 4], bit);
    EXPECT_EQ(regs[(gicd::ICPENDR + word) / 4], bit);
    // The cell wrecks it (the fake has no set/clear semantics: the fields are what matter).
    regs[(gicd::IGROUPR + word) / 4] = 0;
    regs[(gicd::IGRPMODR + word) / 4] = bit;
    regs[(gicd::ISENABLER + word) / 4] = 0;
    regs[(gicd::IPRIORITYR + 76) / 4] = 0xffffffff;
    regs[(gicd::ICFGR + 16) / 4] = 0;
    wr64(gicd::IROUTER + intid * 8, 0x1);
    regs[(gicd::ICACTIVER + word) / 4] = 0;
    gicd_spi_return(fake, 3, intid, saved);
    EXPECT_EQ(regs[(gicd::IGROUPR + word) / 4], bit);
    EXPECT_EQ(regs[(gicd::IGRPMODR + word) / 4], 0u);
    EXPECT_EQ(regs[(gicd::IPRIORITYR + 76) / 4], 0xa0ffffffu) << "only INTID 79's byte";
    EXPECT_EQ(regs[(gicd::ICFGR + 16) / 4], 2u << 30);
    EXPECT_EQ(rd64(gicd::IROUTER + intid * 8), 0x0100000002ull);
    EXPECT_EQ(regs[(gicd::ICACTIVER + word) / 4], bit) << "deactivated";
    EXPECT_EQ(regs[(gicd::ISENABLER + word) / 4], bit) << "enabled again, as the root had it";
}

// A cell takes CPUs 2 and 3 (one of them Aff1 1): every root SPI routed to either, or 1-of-N
// (any CPU: theirs too), goes to the CPU that asked (CPU 1); the others stay; only routes change.
TEST_F(GicdV3, RootSpisRoutedToTakenCpusMoveToTheAskingCpu)
{
    const u64 off_cpus[2] = {0x2, 0x100};
    GicdReroute r{off_cpus, 2, 0, 0x1};
    u32 irqs[32] = {};
    irqs[1] = 0xff;  // the root's: SPIs 32..39
    wr64(gicd::IROUTER + 32 * 8, 0x2);
    wr64(gicd::IROUTER + 33 * 8, 0x100);
    wr64(gicd::IROUTER + 34 * 8, 0x0);
    wr64(gicd::IROUTER + 35 * 8, arm64::IROUTER_IRM);
    wr64(gicd::IROUTER + 36 * 8, 0x80000002ull);  // IRM with stale affinity bits
    wr64(gicd::IROUTER + 37 * 8, 0x0100000002ull);  // Aff3 1: another CPU
    wr64(gicd::IROUTER + 38 * 8, 0x3);
    wr64(gicd::IROUTER + 40 * 8, 0x2);  // not the root's: left alone
    regs[(gicd::ISENABLER + 4) / 4] = 0xff;
    EXPECT_EQ(gicd_reroute_spis(fake, 3, irqs, r), 4u);
    EXPECT_EQ(rd64(gicd::IROUTER + 32 * 8), 0x1u);
    EXPECT_EQ(rd64(gicd::IROUTER + 33 * 8), 0x1u);
    EXPECT_EQ(rd64(gicd::IROUTER + 34 * 8), 0x0u);
    EXPECT_EQ(rd64(gicd::IROUTER + 35 * 8), 0x1u) << "1-of-N could pick a taken CPU";
    EXPECT_EQ(rd64(gicd::IROUTER + 36 * 8), 0x1u);
    EXPECT_EQ(rd64(gicd::IROUTER + 37 * 8), 0x0100000002ull);
    EXPECT_EQ(rd64(gicd::IROUTER + 38 * 8), 0x3u);
    EXPECT_EQ(rd64(gicd::IROUTER + 40 * 8), 0x2u);
    EXPECT_EQ(regs[(gicd::ISENABLER + 4) / 4], 0xffu) << "enables untouched";
    EXPECT_EQ(gicd_reroute_spis(fake, 3, irqs, r), 0u) << "nothing left to move";
    // No CPU taken: even 1-of-N stays.
    GicdReroute none{off_cpus, 0, 0, 0x1};
    EXPECT_EQ(gicd::reroute(3, arm64::IROUTER_IRM, none), arm64::IROUTER_IRM);
}

// Back at destroy, a saved route to a CPU another cell has taken since goes to the root's CPU
// asking, not there.
TEST_F(GicdV3, SpiGoesBackNeverToAnotherCellsCpu)
{
    const u32 intid = 79;
    wr64(gicd::IROUTER + intid * 8, 0x2);
    GicdSpiSaved saved;
    gicd_spi_lend(fake, 3, intid, saved);
    wr64(gicd::IROUTER + intid * 8, 0x3);  // the cell's CPU meanwhile
    const u64 other[1] = {0x2};
    GicdReroute r{other, 1, 0, 0x1};
    gicd_spi_return(fake, 3, intid, saved, &r);
    EXPECT_EQ(rd64(gicd::IROUTER + intid * 8), 0x1u);
    const u64 elsewhere[1] = {0x5};
    GicdReroute r2{elsewhere, 1, 0, 0x1};
    gicd_spi_return(fake, 3, intid, saved, &r2);
    EXPECT_EQ(rd64(gicd::IROUTER + intid * 8), 0x2u) << "as the root had it";
}
