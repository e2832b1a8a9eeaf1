// SPDX-License-Identifier: MIT
// Statistics the demos report: running min/avg/max and a fixed-bucket histogram. Header-only
// and allocation-free so that an interrupt handler can feed them; also built on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace demo {

// Min, max, sum and count of a stream of signed samples (ticks or nanoseconds).
class RunningStats {
public:
    void add(int64_t sample)
    {
        if (count_ == 0 || sample < min_)
            min_ = sample;
        if (count_ == 0 || sample > max_)
            max_ = sample;
        sum_ += sample;
        count_++;
    }
    void reset() { *this = RunningStats{}; }

    uint64_t count() const { return count_; }
    int64_t sum() const { return sum_; }
    // 0 when empty: callers print "no samples" from count() rather than trusting these.
    int64_t min() const { return count_ ? min_ : 0; }
    int64_t max() const { return count_ ? max_ : 0; }
    // Rounded to the nearest integer (halves away from zero), so that a stream of identical
    // samples reports exactly that sample and small biases are not hidden by truncation.
    int64_t avg() const
    {
        if (count_ == 0)
            return 0;
        const int64_t n = static_cast<int64_t>(count_);
        return sum_ >= 0 ? (sum_ + n / 2) / n : (sum_ - n / 2) / n;
    }

private:
    uint64_t count_ = 0;
    int64_t sum_ = 0;
    int64_t min_ = 0;
    int64_t max_ = 0;
};

// Buckets of equal width starting at `lower`; samples outside land in below()/above() so that no
// sample is ever lost from the total.
template <size_t Buckets>
class Histogram {
    static_assert(Buckets > 0, "a histogram needs at least one bucket");

public:
    constexpr Histogram(int64_t lower, int64_t width) : lower_(lower), width_(width > 0 ? width : 1) {}

    void add(int64_t sample)
    {
        if (sample < lower_) {
            below_++;
            return;
        }
        const uint64_t index = static_cast<uint64_t>(sample - lower_) / static_cast<uint64_t>(width_);
        if (index >= Buckets)
            above_++;
        else
            counts_[index]++;
    }
    void clear()
    {
        for (auto &c : counts_)
            c = 0;
        below_ = above_ = 0;
    }

    static constexpr size_t buckets() { return Buckets; }
    int64_t bucket_lower(size_t i) const { return lower_ + static_cast<int64_t>(i) * width_; }
    int64_t bucket_upper(size_t i) const { return bucket_lower(i) + width_; }  // exclusive
    uint64_t count(size_t i) const { return i < Buckets ? counts_[i] : 0; }
    uint64_t below() const { return below_; }
    uint64_t above() const { return above_; }
    uint64_t total() const
    {
        uint64_t t = below_ + above_;
        for (auto c : counts_)
            t += c;
        return t;
    }
    int64_t lower() const { return lower_; }
    int64_t width() const { return width_; }

private:
    int64_t lower_;
    int64_t width_;
    uint64_t counts_[Buckets] = {};
    uint64_t below_ = 0;
    uint64_t above_ = 0;
};

// Power-of-two buckets for samples spanning orders of magnitude (latencies on an emulator and on
// hardware differ by 100x): bucket 0 holds 0, bucket k >= 1 holds [2^(k-1), 2^k). Negative
// samples go to below(), samples past the last bucket to above().
template <size_t Buckets>
class Log2Histogram {
    static_assert(Buckets > 1 && Buckets < 64, "bucket k covers up to 2^k");

public:
    void add(int64_t sample)
    {
        if (sample < 0) {
            below_++;
            return;
        }
        const size_t index = bucket_of(static_cast<uint64_t>(sample));
        if (index >= Buckets)
            above_++;
        else
            counts_[index]++;
    }

    static constexpr size_t buckets() { return Buckets; }
    static constexpr uint64_t bucket_lower(size_t i) { return i == 0 ? 0 : uint64_t{1} << (i - 1); }
    static constexpr uint64_t bucket_upper(size_t i) { return uint64_t{1} << i; }  // exclusive
    uint64_t count(size_t i) const { return i < Buckets ? counts_[i] : 0; }
    uint64_t below() const { return below_; }
    uint64_t above() const { return above_; }
    uint64_t total() const
    {
        uint64_t t = below_ + above_;
        for (auto c : counts_)
            t += c;
        return t;
    }

private:
    // Number of significant bits: 0 -> 0, 1 -> 1, 2..3 -> 2, 4..7 -> 3, ...
    static constexpr size_t bucket_of(uint64_t v)
    {
        size_t bits = 0;
        while (v) {
            bits++;
            v >>= 1;
        }
        return bits;
    }

    uint64_t counts_[Buckets] = {};
    uint64_t below_ = 0;
    uint64_t above_ = 0;
};

// The samples themselves, up to Capacity, for exact percentiles (the median and the 99th of a
// round): a percentile says how most samples fared where an average moves with one outlier.
// percentile() sorts the samples in place (insertion sort: a round is ~1000 samples, sorted
// once, after the measurement). Samples past Capacity are counted in dropped(), not kept.
template <size_t Capacity>
class Samples {
    static_assert(Capacity > 0, "room for one sample at least");

public:
    void add(int64_t sample)
    {
        if (count_ == Capacity) {
            dropped_++;
            return;
        }
        values_[count_++] = sample;
        sorted_ = false;
    }
    void clear()
    {
        count_ = 0;
        dropped_ = 0;
        sorted_ = true;
    }
    size_t count() const { return count_; }
    uint64_t dropped() const { return dropped_; }
    // The nearest-rank percentile: the smallest sample with at least `percent` % of the samples
    // at or below it (percent 50: the median, 100: the maximum). 0 when empty.
    int64_t percentile(unsigned percent)
    {
        if (count_ == 0)
            return 0;
        sort();
        if (percent > 100)
            percent = 100;
        size_t rank = (static_cast<size_t>(percent) * count_ + 99) / 100;  // ceil(p/100 * n)
        if (rank == 0)
            rank = 1;
        return values_[rank - 1];
    }

private:
    void sort()
    {
        if (sorted_)
            return;
        for (size_t i = 1; i < count_; i++) {
            const int64_t v = values_[i];
            size_t j = i;
            for (; j > 0 && values_[j - 1] > v; j--)
                values_[j] = values_[j - 1];
            values_[j] = v;
        }
        sorted_ = true;
    }

    int64_t values_[Capacity] = {};
    size_t count_ = 0;
    uint64_t dropped_ = 0;
    bool sorted_ = true;
};

}  // namespace demo
