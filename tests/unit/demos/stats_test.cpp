// SPDX-License-Identifier: MIT
#include "demo/stats.hpp"

#include <gtest/gtest.h>

namespace {

TEST(DemoRunningStats, EmptyReportsZeroes)
{
    demo::RunningStats s;
    EXPECT_EQ(s.count(), 0u);
    EXPECT_EQ(s.min(), 0);
    EXPECT_EQ(s.max(), 0);
    EXPECT_EQ(s.avg(), 0);
}

TEST(DemoRunningStats, MinMaxAvgWithNegativeSamples)
{
    demo::RunningStats s;
    for (int64_t v : {5, -3, 10, 0})
        s.add(v);
    EXPECT_EQ(s.count(), 4u);
    EXPECT_EQ(s.min(), -3);
    EXPECT_EQ(s.max(), 10);
    EXPECT_EQ(s.sum(), 12);
    EXPECT_EQ(s.avg(), 3);
}

TEST(DemoRunningStats, FirstSampleSetsBothBounds)
{
    demo::RunningStats s;
    s.add(-7);  // a naive min/max initialised to 0 would keep max = 0
    EXPECT_EQ(s.min(), -7);
    EXPECT_EQ(s.max(), -7);
}

TEST(DemoRunningStats, AverageRoundsToNearest)
{
    demo::RunningStats s;
    s.add(1);
    s.add(2);  // 1.5 -> 2
    EXPECT_EQ(s.avg(), 2);
    demo::RunningStats n;
    n.add(-1);
    n.add(-2);  // -1.5 -> -2
    EXPECT_EQ(n.avg(), -2);
    demo::RunningStats t;
    for (int i = 0; i < 3; i++)
        t.add(i == 0 ? 1 : 0);  // 0.33 -> 0
    EXPECT_EQ(t.avg(), 0);
}

TEST(DemoRunningStats, ResetForgetsEverything)
{
    demo::RunningStats s;
    s.add(100);
    s.reset();
    s.add(1);
    EXPECT_EQ(s.count(), 1u);
    EXPECT_EQ(s.max(), 1);
}

TEST(DemoHistogram, LinearBucketsAndOutliers)
{
    demo::Histogram<4> h(10, 5);  // [10,15) [15,20) [20,25) [25,30)
    for (int64_t v : {9, 10, 14, 15, 29, 30, 1000})
        h.add(v);
    EXPECT_EQ(h.below(), 1u);
    EXPECT_EQ(h.count(0), 2u);
    EXPECT_EQ(h.count(1), 1u);
    EXPECT_EQ(h.count(2), 0u);
    EXPECT_EQ(h.count(3), 1u);
    EXPECT_EQ(h.above(), 2u);
    EXPECT_EQ(h.total(), 7u);
    EXPECT_EQ(h.bucket_lower(3), 25);
    EXPECT_EQ(h.bucket_upper(3), 30);
    h.clear();
    EXPECT_EQ(h.total(), 0u);
}

TEST(DemoLog2Histogram, PowerOfTwoBuckets)
{
    demo::Log2Histogram<5> h;  // {0} [1,2) [2,4) [4,8) [8,16)
    for (int64_t v : {-1, 0, 1, 2, 3, 4, 7, 8, 15, 16})
        h.add(v);
    EXPECT_EQ(h.below(), 1u);
    EXPECT_EQ(h.count(0), 1u);
    EXPECT_EQ(h.count(1), 1u);
    EXPECT_EQ(h.count(2), 2u);
    EXPECT_EQ(h.count(3), 2u);
    EXPECT_EQ(h.count(4), 2u);
    EXPECT_EQ(h.above(), 1u);
    EXPECT_EQ(h.total(), 10u);
    EXPECT_EQ(h.bucket_lower(0), 0u);
    EXPECT_EQ(h.bucket_upper(0), 1u);
    EXPECT_EQ(h.bucket_lower(4), 8u);
    EXPECT_EQ(h.bucket_upper(4), 16u);
}

}  // namespace

namespace {

TEST(DemoSamples, EmptyPercentileIsZero)
{
    demo::Samples<4> s;
    EXPECT_EQ(s.count(), 0u);
    EXPECT_EQ(s.percentile(50), 0);
}

TEST(DemoSamples, NearestRankPercentiles)
{
    demo::Samples<100> s;
    for (int64_t v = 100; v >= 1; v--)  // unsorted on purpose: 100, 99, ..., 1
        s.add(v);
    EXPECT_EQ(s.percentile(50), 50);
    EXPECT_EQ(s.percentile(99), 99);
    EXPECT_EQ(s.percentile(100), 100);
    EXPECT_EQ(s.percentile(1), 1);
    EXPECT_EQ(s.percentile(0), 1);  // rank 0 is taken as the first sample
    EXPECT_EQ(s.percentile(250), 100);
}

TEST(DemoSamples, OneOutlierInAHundredMovesNeitherMedianNorP99)
{
    // The reason the timer-latency demo prints percentiles: one sample delayed by QEMU running
    // another vCPU shifts the average by max/n, the 99th percentile of 100 samples not at all.
    demo::Samples<100> s;
    for (int i = 0; i < 99; i++)
        s.add(4);
    s.add(3000);
    EXPECT_EQ(s.percentile(50), 4);
    EXPECT_EQ(s.percentile(99), 4);
    EXPECT_EQ(s.percentile(100), 3000);
}

TEST(DemoSamples, TwoOutliersInAHundredShowInP99)
{
    demo::Samples<100> s;
    for (int i = 0; i < 98; i++)
        s.add(4);
    s.add(3000);
    s.add(2000);
    EXPECT_EQ(s.percentile(99), 2000);
}

TEST(DemoSamples, NegativeSamplesSortFirst)
{
    demo::Samples<5> s;
    for (int64_t v : {3, -7, 0, 12, -1})
        s.add(v);
    EXPECT_EQ(s.percentile(20), -7);
    EXPECT_EQ(s.percentile(50), 0);
    EXPECT_EQ(s.percentile(100), 12);
}

TEST(DemoSamples, PastCapacityIsCountedNotKept)
{
    demo::Samples<3> s;
    for (int64_t v : {1, 2, 3, 4, 5})
        s.add(v);
    EXPECT_EQ(s.count(), 3u);
    EXPECT_EQ(s.dropped(), 2u);
    EXPECT_EQ(s.percentile(100), 3);
}

TEST(DemoSamples, AddAfterPercentileResorts)
{
    demo::Samples<4> s;
    s.add(10);
    s.add(20);
    EXPECT_EQ(s.percentile(100), 20);
    s.add(5);
    EXPECT_EQ(s.percentile(1), 5);
}

}  // namespace
