// SPDX-License-Identifier: MIT
#include "demo/gicr_walk.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

using demo::gic::kGicrFrameSize;

constexpr uintptr_t kBase = 0x080a0000;  // QEMU virt's redistributor region
constexpr uintptr_t kStrideV3 = 2 * kGicrFrameSize;
constexpr uintptr_t kStrideV4 = 4 * kGicrFrameSize;

// A fake redistributor region: only GICR_TYPER is populated; any other read is a test failure.
class FakeRegion {
public:
    void add(uintptr_t rd, uint32_t affinity, bool last, bool vlpis = false)
    {
        regs_[rd + demo::gic::kGicrTyperLow] = (last ? demo::gic::kGicrTyperLast : 0) |
                                               (vlpis ? demo::gic::kGicrTyperVlpis : 0);
        regs_[rd + demo::gic::kGicrTyperHigh] = affinity;
    }
    uint32_t read(uintptr_t addr)
    {
        reads_++;
        auto it = regs_.find(addr);
        EXPECT_NE(it, regs_.end()) << "read of an address that is not a GICR_TYPER: " << std::hex << addr;
        return it == regs_.end() ? 0xffffffffu : it->second;
    }
    uintptr_t find(uint32_t affinity, uintptr_t size = 0xf60000)
    {
        return demo::gic::find_redistributor(kBase, size, affinity, [this](uintptr_t a) { return read(a); });
    }
    unsigned reads() const { return reads_; }

private:
    std::map<uintptr_t, uint32_t> regs_;
    unsigned reads_ = 0;
};

TEST(DemoGicrWalk, FindsEachCpuOfAGicv3Region)
{
    FakeRegion r;
    for (uint32_t cpu = 0; cpu < 4; cpu++)
        r.add(kBase + cpu * kStrideV3, cpu, cpu == 3);
    for (uint32_t cpu = 0; cpu < 4; cpu++)
        EXPECT_EQ(r.find(cpu), kBase + cpu * kStrideV3) << "cpu " << cpu;
}

TEST(DemoGicrWalk, StopsAtTheLastFrameWhenTheCpuIsMissing)
{
    FakeRegion r;
    r.add(kBase, 0, false);
    r.add(kBase + kStrideV3, 1, true);
    EXPECT_EQ(r.find(7), 0u);  // and no read past the Last frame (FakeRegion would complain)
    EXPECT_EQ(r.reads(), 4u);
}

TEST(DemoGicrWalk, Gicv4FramesAreTwiceAsLarge)
{
    FakeRegion r;
    r.add(kBase, 0, false, true);
    r.add(kBase + kStrideV4, 1, false, true);
    r.add(kBase + 2 * kStrideV4, 2, true, true);
    EXPECT_EQ(r.find(2), kBase + 2 * kStrideV4);
}

TEST(DemoGicrWalk, MatchesAllFourAffinityLevels)
{
    // Aff3.Aff2.Aff1.Aff0: a CPU in cluster 1 must not match core 1 of cluster 0.
    FakeRegion r;
    r.add(kBase, 0x00000001, false);
    r.add(kBase + kStrideV3, 0x00000100, false);
    r.add(kBase + 2 * kStrideV3, 0x01000000, true);
    EXPECT_EQ(r.find(0x00000100), kBase + kStrideV3);
    EXPECT_EQ(r.find(0x01000000), kBase + 2 * kStrideV3);
}

TEST(DemoGicrWalk, NeverReadsPastTheRegionWithoutALastBit)
{
    FakeRegion r;
    r.add(kBase, 0, false);
    r.add(kBase + kStrideV3, 1, false);  // firmware forgot Last: the region size must bound the walk
    EXPECT_EQ(r.find(5, 2 * kStrideV3), 0u);
}

TEST(DemoGicrWalk, AffinityOfMpidr)
{
    constexpr uint64_t kMpidrU = 1ull << 30;   // uniprocessor flag: not affinity
    constexpr uint64_t kMpidrRes1 = 1ull << 31;
    EXPECT_EQ(demo::gic::affinity_of_mpidr(kMpidrRes1 | 0x3), 0x3u);  // QEMU virt CPU 3: 0x80000003
    EXPECT_EQ(demo::gic::affinity_of_mpidr(kMpidrRes1 | kMpidrU | 0x010203), 0x010203u);
    EXPECT_EQ(demo::gic::affinity_of_mpidr(0xab00000000ull | 0x010203), 0xab010203u);  // Aff3 moves down
}

}  // namespace
