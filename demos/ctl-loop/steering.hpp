// SPDX-License-Identifier: MIT
// The cell's end of the steering protocol (include/moat/ctl_link.h, docs/steering.md): once per
// control period, after the control job, period() takes at most one command from Linux's queue,
// checks it with moat_ctl_decode(), applies it or refuses it, answers it, and pushes a telemetry
// message when one is due. Bounded work, no waiting and no exit: the queues are plain memory,
// and the doorbell that tells Linux an answer is there is rung outside the 10 kHz path by whoever
// calls unrung_answers(). Header-only, so the host tests run this very code.
#pragma once

#include <moat/ctl_link.h>
#include <moat/link_queue.h>
#include <stdint.h>

#include "demo/stats.hpp"
#include "demo/time_conv.hpp"
#include "motor_control.hpp"

namespace ctl {

// How one control period went, in timer ticks.
struct PeriodTiming {
    bool has_jitter;  // the first period has no previous start
    int64_t jitter;
    int64_t latency;
    int64_t exec;
    bool missed;
};

class Steering {
public:
    Steering(moat_linkq *from_linux, moat_linkq *to_linux, uint64_t periods_per_second, uint64_t ticks_per_second)
        : in_(from_linux), out_(to_linux), periods_per_second_(periods_per_second), ticks_per_second_(ticks_per_second)
    {
    }

    // One control period has run (`c` stepped, `t` its timing, `total_misses` so far).
    void period(MotorControl &c, const PeriodTiming &t, uint64_t total_misses)
    {
        take_command(c);  // first: a new rate starts its first window with this period
        account(t);
        if (interval_ && ++since_sample_ >= interval_) {
            since_sample_ = 0;
            publish(c, total_misses);
        }
    }

    // Answers pushed so far; the caller rings Linux when this moved since it last rang.
    uint32_t answers() const { return __atomic_load_n(&answers_, __ATOMIC_ACQUIRE); }
    uint32_t accepted() const { return accepted_; }
    uint32_t refused() const { return refused_; }
    uint32_t dropped() const { return dropped_; }
    uint32_t rate_hz() const { return rate_hz_; }

private:
    void account(const PeriodTiming &t)
    {
        if (t.has_jitter)
            jitter_.add(t.jitter);
        latency_.add(t.latency);
        exec_.add(t.exec);
        window_periods_++;
        window_misses_ += t.missed ? 1 : 0;
    }

    void take_command(MotorControl &c)
    {
        uint8_t raw[MOAT_LINKQ_MAX_MSG];
        const int n = moat_linkq_pop(in_, raw, sizeof(raw));
        if (n < 0)
            return;
        moat_ctl_msg m = moat_ctl_new(0, 0);
        uint32_t verdict = moat_ctl_decode(raw, static_cast<uint32_t>(n), MOAT_CTL_TO_CELL, &m);
        if (verdict == MOAT_CTL_E_SIZE)
            copy_header(raw, static_cast<uint32_t>(n), m);
        if (verdict == MOAT_CTL_OK)
            verdict = apply(c, m);
        if (verdict == MOAT_CTL_OK)
            accepted_++;
        else
            refused_++;
        moat_ctl_msg ack = moat_ctl_new(MOAT_CTL_ACK, m.seq);
        ack.u.ack.command = m.type;
        ack.u.ack.status = verdict;
        ack.u.ack.accepted = accepted_;
        ack.u.ack.refused = refused_;
        if (push(ack))
            __atomic_store_n(&answers_, answers_ + 1, __ATOMIC_RELEASE);
    }

    // A message of the wrong size is answered with the type and seq of its header if it has
    // one (16 bytes), else with type 0, seq 0.
    static void copy_header(const uint8_t *raw, uint32_t n, moat_ctl_msg &m)
    {
        m = moat_ctl_new(0, 0);
        uint8_t *dst = reinterpret_cast<uint8_t *>(&m);
        for (uint32_t i = 0; n >= 16 && i < 16; i++)
            dst[i] = raw[i];
    }

    uint32_t apply(MotorControl &c, const moat_ctl_msg &m)
    {
        if (m.type == MOAT_CTL_RATE) {
            rate_hz_ = m.u.rate.hz;
            interval_ = rate_hz_ ? periods_per_second_ / rate_hz_ : 0;
            if (rate_hz_ && !interval_)
                interval_ = 1;
            since_sample_ = 0;
            reset_window();
            return MOAT_CTL_OK;
        }
        if (c.braking())
            return MOAT_CTL_E_STATE;
        if (m.u.setpoint.mode == MOAT_CTL_MODE_PROFILE)
            c.follow_profile();
        else
            c.hold(static_cast<double>(m.u.setpoint.milli_rad_s) / 1000.0);
        return MOAT_CTL_OK;
    }

    void publish(const MotorControl &c, uint64_t total_misses)
    {
        moat_ctl_msg m = moat_ctl_new(MOAT_CTL_TELEMETRY, ++sent_);
        moat_ctl_telemetry &t = m.u.telemetry;
        t.period = c.periods();
        t.misses = total_misses;
        t.speed = milli(c.speed(), MOAT_CTL_SPEED_MAX);
        t.setpoint = milli(c.setpoint(), MOAT_CTL_SETPOINT_MAX);
        t.voltage = milli(c.voltage(), MOAT_CTL_VOLTAGE_MAX);
        t.load = milli(c.load() * 1000.0, MOAT_CTL_LOAD_MAX);
        t.window_periods = window_periods_;
        t.window_misses = window_misses_;
        t.jitter_min_ns = ns32(jitter_.min());
        t.jitter_max_ns = ns32(jitter_.max());
        t.latency_max_ns = static_cast<uint32_t>(ns32(latency_.max() > 0 ? latency_.max() : 0));
        t.exec_max_ns = static_cast<uint32_t>(ns32(exec_.max() > 0 ? exec_.max() : 0));
        t.rate_hz = rate_hz_;
        t.accepted = accepted_;
        t.refused = refused_;
        t.flags = (c.settled() ? MOAT_CTL_TF_SETTLED : 0) | (c.holding() ? MOAT_CTL_TF_HOLD : 0) |
                  (c.braking() ? MOAT_CTL_TF_BRAKING : 0);
        // dropped is as of this message: if it is lost itself, the next one counts it.
        t.dropped = dropped_;
        push(m);
        reset_window();
    }

    bool push(const moat_ctl_msg &m)
    {
        if (moat_linkq_push(out_, &m, sizeof(m)) == 0)
            return true;
        dropped_++;
        return false;
    }

    void reset_window()
    {
        jitter_.reset();
        latency_.reset();
        exec_.reset();
        window_periods_ = 0;
        window_misses_ = 0;
    }

    // A plant value in thousandths, clamped to what the protocol allows.
    static int32_t milli(double v, int32_t limit)
    {
        double m = v * 1000.0 + (v < 0 ? -0.5 : 0.5);
        if (!(m > -limit))  // also catches NaN
            return v > 0 ? limit : -limit;
        return m < limit ? static_cast<int32_t>(m) : limit;
    }

    int32_t ns32(int64_t ticks) const
    {
        const int64_t ns = demo::ticks_to_ns_signed(ticks, ticks_per_second_);
        return ns > INT32_MAX ? INT32_MAX : ns < INT32_MIN ? INT32_MIN : static_cast<int32_t>(ns);
    }

    moat_linkq *in_;
    moat_linkq *out_;
    uint64_t periods_per_second_;
    uint64_t ticks_per_second_;
    uint32_t rate_hz_ = 0;
    uint64_t interval_ = 0;  // periods between telemetry messages; 0: none
    uint64_t since_sample_ = 0;
    uint32_t sent_ = 0;
    uint32_t accepted_ = 0;
    uint32_t refused_ = 0;
    uint32_t dropped_ = 0;
    uint32_t answers_ = 0;
    demo::RunningStats jitter_, latency_, exec_;
    uint32_t window_periods_ = 0;
    uint32_t window_misses_ = 0;
};

}  // namespace ctl
