// SPDX-License-Identifier: MIT
#include "demo/time_conv.hpp"

#include <gtest/gtest.h>

namespace {

constexpr uint64_t kQemuHz = 62'500'000;  // QEMU virt's CNTFRQ: 16 ns per tick
constexpr uint64_t kOddHz = 19'200'000;   // a common SoC crystal: 52.083 ns per tick

TEST(DemoTimeConv, TicksToNs)
{
    EXPECT_EQ(demo::ticks_to_ns(1, kQemuHz), 16u);
    EXPECT_EQ(demo::ticks_to_ns(6250, kQemuHz), 100'000u);
    EXPECT_EQ(demo::ticks_to_ns(kOddHz, kOddHz), 1'000'000'000u);
    EXPECT_EQ(demo::ticks_to_ns(1, kOddHz), 52u);  // rounds down
}

TEST(DemoTimeConv, NoOverflowForCenturiesOfTicks)
{
    const uint64_t ticks = kQemuHz * 3600ull * 24 * 365 * 100;  // 100 years
    EXPECT_EQ(demo::ticks_to_ns(ticks, kQemuHz), 3600ull * 24 * 365 * 100 * 1'000'000'000ull);
}

TEST(DemoTimeConv, NsToTicksRoundsUp)
{
    EXPECT_EQ(demo::ns_to_ticks(100'000, kQemuHz), 6250u);
    EXPECT_EQ(demo::ns_to_ticks(1, kQemuHz), 1u);    // never shorter than asked
    EXPECT_EQ(demo::ns_to_ticks(17, kQemuHz), 2u);
    EXPECT_EQ(demo::ns_to_ticks(0, kQemuHz), 0u);
    EXPECT_EQ(demo::ns_to_ticks(2'000'000'000, kOddHz), 2 * kOddHz);
}

TEST(DemoTimeConv, SignedDifferences)
{
    EXPECT_EQ(demo::ticks_to_ns_signed(-4, kQemuHz), -64);
    EXPECT_EQ(demo::ticks_to_ns_signed(4, kQemuHz), 64);
    EXPECT_EQ(demo::ticks_to_ns_signed(0, kQemuHz), 0);
}

}  // namespace
