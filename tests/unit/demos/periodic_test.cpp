// SPDX-License-Identifier: MIT
#include "demo/periodic.hpp"

#include <gtest/gtest.h>

namespace {

constexpr uint64_t kPeriod = 6250;
constexpr uint64_t kFirst = 100'000;

TEST(DemoPeriodicTask, ReleasesFollowAnAbsoluteGrid)
{
    demo::PeriodicTask t(kFirst, kPeriod);
    for (uint64_t n = 0; n < 5; n++) {
        EXPECT_EQ(t.next_release(), kFirst + n * kPeriod);
        // Start and finish at varying offsets: the grid must not drift with them.
        t.start(t.next_release() + 10 * n);
        EXPECT_TRUE(t.complete(t.next_release() + 100 + 10 * n));
    }
    EXPECT_EQ(t.jobs(), 5u);
    EXPECT_EQ(t.misses(), 0u);
}

TEST(DemoPeriodicTask, LatencyAndPeriodJitter)
{
    demo::PeriodicTask t(kFirst, kPeriod);
    auto j0 = t.start(kFirst + 3);
    EXPECT_EQ(j0.release, kFirst);
    EXPECT_EQ(j0.latency, 3);
    EXPECT_EQ(j0.period_jitter, 0);  // no previous job
    EXPECT_TRUE(j0.first);
    t.complete(kFirst + 50);

    auto j1 = t.start(kFirst + kPeriod + 1);  // 2 ticks earlier relative to its release
    EXPECT_EQ(j1.latency, 1);
    EXPECT_EQ(j1.period_jitter, -2);
    EXPECT_FALSE(j1.first);
    t.complete(kFirst + kPeriod + 50);

    auto j2 = t.start(kFirst + 2 * kPeriod + 9);
    EXPECT_EQ(j2.period_jitter, 8);
}

TEST(DemoPeriodicTask, FinishingAfterTheNextReleaseIsAMiss)
{
    demo::PeriodicTask t(kFirst, kPeriod);
    t.start(kFirst);
    EXPECT_TRUE(t.complete(kFirst + kPeriod));  // exactly at the deadline still counts as met
    t.start(kFirst + kPeriod);
    EXPECT_FALSE(t.complete(kFirst + 2 * kPeriod + 1));
    EXPECT_EQ(t.misses(), 1u);
    // The grid continues: the next job is due at once (its release is already past).
    EXPECT_EQ(t.next_release(), kFirst + 2 * kPeriod);
    auto late = t.start(kFirst + 2 * kPeriod + 1);
    EXPECT_EQ(late.latency, 1);
    EXPECT_TRUE(t.complete(kFirst + 2 * kPeriod + 2));
    EXPECT_EQ(t.jobs(), 3u);
    EXPECT_EQ(t.misses(), 1u);
}

TEST(DemoPeriodicTask, CounterWrapDoesNotBreakTheArithmetic)
{
    const uint64_t near_wrap = UINT64_MAX - kPeriod / 2;
    demo::PeriodicTask t(near_wrap, kPeriod);
    t.start(near_wrap + 5);  // wraps past zero
    EXPECT_TRUE(t.complete(near_wrap + 100));
    auto j = t.start(near_wrap + kPeriod + 5);
    EXPECT_EQ(j.latency, 5);
    EXPECT_EQ(j.period_jitter, 0);
}

}  // namespace
