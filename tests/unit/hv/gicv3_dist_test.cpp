// SPDX-License-Identifier: GPL-2.0
// The GICv3 distributor filter against a fake distributor: a cell touches only the bits of
// the interrupts it owns, and routes them only to its own CPUs.
#include <gtest/gtest.h>

#include <cstring>

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
    GicdOwner owner{bitmap, cpus, 1};
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
    access(reg, 8, true, gicd::IROUTER_IRM);  // "any CPU" could be another cell's
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
