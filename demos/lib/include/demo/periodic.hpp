// SPDX-License-Identifier: MIT
// Book-keeping of a periodic real-time task driven by a one-shot timer: release times on an
// absolute grid (no drift), implicit deadlines (a job must finish before the next release),
// and per-job timing. Pure arithmetic on counter ticks; also built on the host.
//
// A job that finishes late is a miss. The next release is still the next grid point, even if it
// is already past: the timer then fires at once and the late job runs immediately, so a
// transient overload shows up as misses rather than silently shifting the grid.
#pragma once

#include <stdint.h>

namespace demo {

class PeriodicTask {
public:
    struct Job {
        uint64_t release;       // when the job became due (the timer deadline)
        int64_t latency;        // start - release: how late the job started
        int64_t period_jitter;  // (start - previous start) - period; 0 for the first job
        bool first;             // no previous job: period_jitter means nothing
    };

    constexpr PeriodicTask(uint64_t first_release, uint64_t period) : release_(first_release), period_(period) {}

    // The time the timer must be armed for.
    uint64_t next_release() const { return release_; }
    uint64_t period() const { return period_; }

    // The job released at next_release() starts at `now`.
    Job start(uint64_t now)
    {
        Job job{release_, static_cast<int64_t>(now - release_), 0, !started_};
        if (started_)
            job.period_jitter = static_cast<int64_t>(now - last_start_) - static_cast<int64_t>(period_);
        last_start_ = now;
        started_ = true;
        return job;
    }

    // The current job finished at `now`: true if it met its deadline. Advances to the next release.
    bool complete(uint64_t now)
    {
        const uint64_t deadline = release_ + period_;
        // Compare through the signed difference, which stays right across a counter wrap.
        const bool met = static_cast<int64_t>(now - deadline) <= 0;
        if (!met)
            misses_++;
        jobs_++;
        release_ = deadline;
        return met;
    }

    uint64_t jobs() const { return jobs_; }
    uint64_t misses() const { return misses_; }

private:
    uint64_t release_;
    uint64_t period_;
    uint64_t last_start_ = 0;
    bool started_ = false;
    uint64_t jobs_ = 0;
    uint64_t misses_ = 0;
};

}  // namespace demo
