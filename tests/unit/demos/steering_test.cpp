// SPDX-License-Identifier: MIT
// The steering protocol (include/moat/ctl_link.h) and the cell's end of it (demos/ctl-loop/
// steering.hpp) on queues in host memory: what is accepted, what is refused and counted, and
// that nothing refused reaches the controller.
#include "ctl-loop/steering.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

namespace {

constexpr uint64_t kRate = 10'000;
constexpr uint64_t kTicks = 62'500'000;  // QEMU virt's CNTFRQ

moat_ctl_msg valid_setpoint(int32_t milli)
{
    moat_ctl_msg m = moat_ctl_new(MOAT_CTL_SETPOINT, 7);
    m.u.setpoint.milli_rad_s = milli;
    return m;
}

uint32_t decode(const moat_ctl_msg &m, uint32_t direction)
{
    moat_ctl_msg out;
    return moat_ctl_decode(&m, sizeof(m), direction, &out);
}

TEST(CtlProtocol, NewMessageIsValidAndZeroed)
{
    moat_ctl_msg m = moat_ctl_new(MOAT_CTL_RATE, 3);
    EXPECT_EQ(m.magic, MOAT_CTL_MAGIC);
    EXPECT_EQ(m.version, MOAT_CTL_VERSION);
    EXPECT_EQ(m.seq, 3u);
    EXPECT_EQ(m.u.rate.hz, 0u);
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_OK);
    // "MCTL" in memory: a Python or shell writer can build it byte by byte.
    EXPECT_EQ(std::memcmp(&m, "MCTL\x01\x00\x02\x00", 8), 0);
}

TEST(CtlProtocol, SetpointRange)
{
    EXPECT_EQ(decode(valid_setpoint(MOAT_CTL_SETPOINT_MAX), MOAT_CTL_TO_CELL), MOAT_CTL_OK);
    EXPECT_EQ(decode(valid_setpoint(-MOAT_CTL_SETPOINT_MAX), MOAT_CTL_TO_CELL), MOAT_CTL_OK);
    EXPECT_EQ(decode(valid_setpoint(MOAT_CTL_SETPOINT_MAX + 1), MOAT_CTL_TO_CELL), MOAT_CTL_E_RANGE);
    EXPECT_EQ(decode(valid_setpoint(-MOAT_CTL_SETPOINT_MAX - 1), MOAT_CTL_TO_CELL), MOAT_CTL_E_RANGE);
    EXPECT_EQ(decode(valid_setpoint(INT32_MIN), MOAT_CTL_TO_CELL), MOAT_CTL_E_RANGE);
    moat_ctl_msg m = valid_setpoint(0);
    m.u.setpoint.mode = 2;
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_E_RANGE);
    m.u.setpoint.mode = MOAT_CTL_MODE_PROFILE;
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_OK);
    m.u.setpoint.milli_rad_s = 1;  // the profile takes no value
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_E_RANGE);
}

TEST(CtlProtocol, HeaderChecks)
{
    moat_ctl_msg m = valid_setpoint(1000), out;
    EXPECT_EQ(moat_ctl_decode(&m, sizeof(m) - 1, MOAT_CTL_TO_CELL, &out), MOAT_CTL_E_SIZE);
    EXPECT_EQ(moat_ctl_decode(&m, 0, MOAT_CTL_TO_CELL, &out), MOAT_CTL_E_SIZE);
    m.magic ^= 1;
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_E_MAGIC);
    m = valid_setpoint(1000);
    m.version = 2;
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_E_VERSION);
    m = valid_setpoint(1000);
    m.reserved = 1;
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_E_RESERVED);
    m = valid_setpoint(1000);
    m.u.setpoint.reserved[71] = 1;
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_E_RESERVED);
}

TEST(CtlProtocol, TypesBelongToOneDirection)
{
    EXPECT_EQ(decode(valid_setpoint(0), MOAT_CTL_TO_LINUX), MOAT_CTL_E_TYPE);
    EXPECT_EQ(decode(moat_ctl_new(MOAT_CTL_ACK, 1), MOAT_CTL_TO_CELL), MOAT_CTL_E_TYPE);
    EXPECT_EQ(decode(moat_ctl_new(MOAT_CTL_ACK, 1), MOAT_CTL_TO_LINUX), MOAT_CTL_OK);
    EXPECT_EQ(decode(moat_ctl_new(MOAT_CTL_TELEMETRY, 1), MOAT_CTL_TO_LINUX), MOAT_CTL_OK);
    EXPECT_EQ(decode(moat_ctl_new(0, 1), MOAT_CTL_TO_CELL), MOAT_CTL_E_TYPE);
    EXPECT_EQ(decode(moat_ctl_new(MOAT_CTL_RATE, 1), 5), MOAT_CTL_E_TYPE);
}

TEST(CtlProtocol, RateAndTelemetryRanges)
{
    moat_ctl_msg m = moat_ctl_new(MOAT_CTL_RATE, 1);
    m.u.rate.hz = MOAT_CTL_RATE_MAX;
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_OK);
    m.u.rate.hz = MOAT_CTL_RATE_MAX + 1;
    EXPECT_EQ(decode(m, MOAT_CTL_TO_CELL), MOAT_CTL_E_RANGE);

    // Linux checks the cell's messages as strictly.
    moat_ctl_msg t = moat_ctl_new(MOAT_CTL_TELEMETRY, 1);
    t.u.telemetry.window_periods = 10;
    t.u.telemetry.window_misses = 11;
    EXPECT_EQ(decode(t, MOAT_CTL_TO_LINUX), MOAT_CTL_E_RANGE);
    t = moat_ctl_new(MOAT_CTL_TELEMETRY, 1);
    t.u.telemetry.voltage = MOAT_CTL_VOLTAGE_MAX + 1;
    EXPECT_EQ(decode(t, MOAT_CTL_TO_LINUX), MOAT_CTL_E_RANGE);
    t = moat_ctl_new(MOAT_CTL_TELEMETRY, 1);
    t.u.telemetry.flags = 0x8;
    EXPECT_EQ(decode(t, MOAT_CTL_TO_LINUX), MOAT_CTL_E_RESERVED);
    moat_ctl_msg a = moat_ctl_new(MOAT_CTL_ACK, 1);
    a.u.ack.status = MOAT_CTL_E_COUNT;
    EXPECT_EQ(decode(a, MOAT_CTL_TO_LINUX), MOAT_CTL_E_RANGE);
}

// A cell's steering on host memory, with the control loop it steers.
struct Cell {
    std::unique_ptr<moat_linkq> in = std::make_unique<moat_linkq>();
    std::unique_ptr<moat_linkq> out = std::make_unique<moat_linkq>();
    ctl::MotorControl control{kRate};
    ctl::Steering steering{in.get(), out.get(), kRate, kTicks};

    Cell()
    {
        std::memset(in.get(), 0, sizeof(moat_linkq));
        std::memset(out.get(), 0, sizeof(moat_linkq));
    }
    void send(const void *bytes, uint32_t len) { ASSERT_EQ(moat_linkq_push(in.get(), bytes, len), 0); }
    void send(const moat_ctl_msg &m) { send(&m, sizeof(m)); }
    void run(uint64_t periods)
    {
        for (uint64_t i = 0; i < periods; i++) {
            control.step();
            steering.period(control, {i > 0, 3, 100, 2000, false}, 0);
        }
    }
    // Every message from the cell, each checked as Linux checks it.
    std::vector<moat_ctl_msg> received()
    {
        std::vector<moat_ctl_msg> v;
        uint8_t buf[MOAT_LINKQ_MAX_MSG];
        int n;
        while ((n = moat_linkq_pop(out.get(), buf, sizeof(buf))) >= 0) {
            moat_ctl_msg m;
            EXPECT_EQ(moat_ctl_decode(buf, static_cast<uint32_t>(n), MOAT_CTL_TO_LINUX, &m), MOAT_CTL_OK);
            v.push_back(m);
        }
        return v;
    }
};

TEST(CtlSteering, SetpointIsHeldAndAnswered)
{
    Cell c;
    c.send(valid_setpoint(123'500));
    c.run(1);
    auto got = c.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type, MOAT_CTL_ACK);
    EXPECT_EQ(got[0].seq, 7u);
    EXPECT_EQ(got[0].u.ack.status, MOAT_CTL_OK);
    EXPECT_EQ(got[0].u.ack.accepted, 1u);
    EXPECT_EQ(c.steering.answers(), 1u);
    c.run(5000);  // half a second: well settled (the loop settles in ~50 ms)
    EXPECT_DOUBLE_EQ(c.control.setpoint(), 123.5);
    EXPECT_NEAR(c.control.speed(), 123.5, 123.5 * 0.01);
    EXPECT_TRUE(c.control.holding());
    // Held across the profile's own step at 2 s.
    c.run(20000);
    EXPECT_DOUBLE_EQ(c.control.setpoint(), 123.5);
    c.send(moat_ctl_new(MOAT_CTL_SETPOINT, 8));  // mode 0, value 0: hold 0
    moat_ctl_msg profile = moat_ctl_new(MOAT_CTL_SETPOINT, 9);
    profile.u.setpoint.mode = MOAT_CTL_MODE_PROFILE;
    c.send(profile);
    c.run(2);  // one command per period; each takes effect at the next step
    EXPECT_DOUBLE_EQ(c.control.setpoint(), 0.0);
    EXPECT_FALSE(c.control.holding());
}

TEST(CtlSteering, OutOfRangeAndGarbageAreRefusedCountedAndNotApplied)
{
    Cell c;
    c.run(100);
    const double before = c.control.setpoint();
    c.send(valid_setpoint(MOAT_CTL_SETPOINT_MAX + 1));
    c.send("garbage", 7);
    moat_ctl_msg bad_magic = valid_setpoint(50'000);
    bad_magic.magic = 0x12345678;
    c.send(bad_magic);
    c.run(3);
    EXPECT_DOUBLE_EQ(c.control.setpoint(), before);
    EXPECT_FALSE(c.control.holding());
    EXPECT_EQ(c.steering.refused(), 3u);
    EXPECT_EQ(c.steering.accepted(), 0u);
    auto got = c.received();
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].u.ack.status, MOAT_CTL_E_RANGE);
    EXPECT_EQ(got[0].seq, 7u);
    EXPECT_EQ(got[1].u.ack.status, MOAT_CTL_E_SIZE);
    EXPECT_EQ(got[1].seq, 0u);  // too short to have a seq
    EXPECT_EQ(got[2].u.ack.status, MOAT_CTL_E_MAGIC);
    EXPECT_EQ(got[2].u.ack.refused, 3u);
}

TEST(CtlSteering, AtMostOneCommandPerPeriod)
{
    Cell c;
    for (int i = 0; i < 5; i++)
        c.send(valid_setpoint(1000 * i));
    c.run(1);
    EXPECT_EQ(c.steering.accepted(), 1u);
    EXPECT_EQ(moat_linkq_count(c.in.get()), 4u);
    c.run(4);
    EXPECT_EQ(c.steering.accepted(), 5u);
}

TEST(CtlSteering, BrakingRefusesSetpoints)
{
    Cell c;
    c.control.brake();
    c.send(valid_setpoint(100'000));
    c.run(1);
    auto got = c.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].u.ack.status, MOAT_CTL_E_STATE);
    EXPECT_DOUBLE_EQ(c.control.setpoint(), 0.0);
}

TEST(CtlSteering, TelemetryAtTheChosenRate)
{
    Cell c;
    moat_ctl_msg rate = moat_ctl_new(MOAT_CTL_RATE, 1);
    rate.u.rate.hz = 20;
    c.send(rate);
    c.run(1 + 2000);  // the command's period, then 0.2 s: 4 messages, one per 500 periods
    auto got = c.received();
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[0].type, MOAT_CTL_ACK);
    for (size_t i = 1; i < got.size(); i++) {
        const moat_ctl_telemetry &t = got[i].u.telemetry;
        EXPECT_EQ(got[i].type, MOAT_CTL_TELEMETRY);
        EXPECT_EQ(got[i].seq, i);
        EXPECT_EQ(t.period, 500 * i);
        EXPECT_EQ(t.window_periods, 500u);
        EXPECT_EQ(t.rate_hz, 20u);
        EXPECT_EQ(t.jitter_max_ns, 48);  // 3 ticks at 62.5 MHz
        EXPECT_EQ(t.exec_max_ns, 32000u);
        EXPECT_EQ(t.setpoint, 100'000);
    }
    // No doorbell for telemetry: only the answer counts.
    EXPECT_EQ(c.steering.answers(), 1u);
    rate.u.rate.hz = 0;
    c.send(rate);
    c.run(2000);
    EXPECT_EQ(c.received().size(), 1u);  // the answer only
}

TEST(CtlSteering, FullQueueDropsAndCounts)
{
    Cell c;
    moat_ctl_msg rate = moat_ctl_new(MOAT_CTL_RATE, 1);
    rate.u.rate.hz = MOAT_CTL_RATE_MAX;
    c.send(rate);
    c.run(10 * (MOAT_LINKQ_SLOTS + 5));  // one message per 10 periods; nobody reads
    // The answer and SLOTS + 5 telemetry messages for SLOTS slots.
    EXPECT_EQ(c.steering.dropped(), 6u);
    auto got = c.received();
    EXPECT_EQ(got.size(), MOAT_LINKQ_SLOTS);
}

}  // namespace
