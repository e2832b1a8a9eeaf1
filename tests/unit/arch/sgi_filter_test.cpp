// SPDX-License-Identifier: GPL-2.0
// SGIs stay inside the sending cell: ICC_SGI1R_EL1 requests rewritten to the cell's CPUs.
#include <gtest/gtest.h>

#include "arch/sgi_filter.hpp"

using namespace moat;
using namespace moat::arm64;

namespace {
constexpr u64 sgi(u64 intid, u64 targets, u64 aff1 = 0, u64 aff2 = 0, u64 aff3 = 0, u64 rs = 0)
{
    return targets | (aff1 << 16) | (intid << 24) | (aff2 << 32) | (rs << 44) | (aff3 << 48);
}
constexpr u64 IRM = u64{1} << 40;
}  // namespace

TEST(SgiFilter, KeepsTargetsInsideTheCell)
{
    const u64 cell[] = {0x2, 0x3};  // CPUs 2 and 3 of cluster 0
    u64 out[SGI_FILTER_MAX_OUT];
    // Linux-style request to CPUs 0..3: only 2 and 3 survive.
    ASSERT_EQ(sgi1r_filter(sgi(5, 0xf), cell, 2, 0x2, out), 1u);
    EXPECT_EQ(out[0], sgi(5, 0xc));
    // Only foreign targets: nothing is sent.
    EXPECT_EQ(sgi1r_filter(sgi(1, 0x3), cell, 2, 0x2, out), 0u);
}

TEST(SgiFilter, OtherClustersAreOtherCpus)
{
    const u64 cell[] = {0x100, 0x101};  // Aff1 = 1
    u64 out[SGI_FILTER_MAX_OUT];
    // Target list 0b11 in cluster 0 is CPUs 0x0 and 0x1, not the cell's 0x100/0x101.
    EXPECT_EQ(sgi1r_filter(sgi(2, 0x3), cell, 2, 0x100, out), 0u);
    ASSERT_EQ(sgi1r_filter(sgi(2, 0x3, 1), cell, 2, 0x100, out), 1u);
    EXPECT_EQ(out[0], sgi(2, 0x3, 1));
}

TEST(SgiFilter, AllButSelfBecomesAnExplicitList)
{
    const u64 cell[] = {0x0, 0x1, 0x100, u64{2} << 32};
    u64 out[SGI_FILTER_MAX_OUT];
    u32 n = sgi1r_filter(sgi(7, 0, 0, 0, 0, 0) | IRM, cell, 4, 0x1, out);
    ASSERT_EQ(n, 3u);  // cluster 0 (CPU 0), cluster 1 (CPU 0x100), Aff3 = 2
    EXPECT_EQ(out[0], sgi(7, 0x1));
    EXPECT_EQ(out[1], sgi(7, 0x1, 1));
    EXPECT_EQ(out[2], sgi(7, 0x1, 0, 0, 2));
    for (u32 i = 0; i < n; i++)
        EXPECT_EQ((out[i] >> 40) & 1, 0u) << "no broadcast left";
    // A one-CPU cell broadcasting reaches nobody.
    const u64 alone[] = {0x3};
    EXPECT_EQ(sgi1r_filter(sgi(7, 0) | IRM, alone, 1, 0x3, out), 0u);
}

TEST(SgiFilter, RangeSelectorNamesAff0Above15)
{
    const u64 cell[] = {0x11};  // Aff0 = 17: range 1, bit 1
    u64 out[SGI_FILTER_MAX_OUT];
    EXPECT_EQ(sgi1r_filter(sgi(3, 0x2), cell, 1, 0x0, out), 0u);  // range 0: Aff0 1
    ASSERT_EQ(sgi1r_filter(sgi(3, 0x2, 0, 0, 0, 1), cell, 1, 0x0, out), 1u);
    EXPECT_EQ(out[0], sgi(3, 0x2, 0, 0, 0, 1));
}
