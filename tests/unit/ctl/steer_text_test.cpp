// SPDX-License-Identifier: GPL-2.0
// moat-ctl's command-line parsing and output (tools/ctl/steer_text.cpp).
#include "steer_text.hpp"

#include <gtest/gtest.h>
#include <moat/link_queue.h>

namespace {

using moat_ctl::parse_setpoint;

TEST(MoatCtl, ParsesSetpointsInMilli)
{
    std::int32_t v = 0;
    std::string err;
    ASSERT_TRUE(parse_setpoint("150", false, v, err));
    EXPECT_EQ(v, 150000);
    ASSERT_TRUE(parse_setpoint("-42.5", false, v, err));
    EXPECT_EQ(v, -42500);
    ASSERT_TRUE(parse_setpoint("0.125", false, v, err));
    EXPECT_EQ(v, 125);
    ASSERT_TRUE(parse_setpoint("300", false, v, err));
    EXPECT_EQ(v, MOAT_CTL_SETPOINT_MAX);
}

TEST(MoatCtl, RefusesBadSetpointsWithTheReason)
{
    std::int32_t v = 7;
    std::string err;
    EXPECT_FALSE(parse_setpoint("300.001", false, v, err));
    EXPECT_NE(err.find("out of range"), std::string::npos) << err;
    EXPECT_FALSE(parse_setpoint("1.2345", false, v, err));
    EXPECT_NE(err.find("three decimals"), std::string::npos) << err;
    for (const char *bad : {"", "-", "abc", "1e3", "12x", ".5", "nan"}) {
        EXPECT_FALSE(parse_setpoint(bad, false, v, err)) << bad;
        EXPECT_NE(err.find("not a number"), std::string::npos) << err;
    }
    EXPECT_FALSE(parse_setpoint("99999999999", true, v, err));
    EXPECT_EQ(v, 7);
    // --unchecked lets an out-of-range value through, for the cell to refuse.
    ASSERT_TRUE(parse_setpoint("5000", true, v, err));
    EXPECT_EQ(v, 5000000);
}

TEST(MoatCtl, RatesAndHex)
{
    std::uint32_t hz = 0;
    std::string err, bytes;
    EXPECT_TRUE(moat_ctl::parse_rate("20", hz, err));
    EXPECT_EQ(hz, 20u);
    for (const char *bad : {"0", "1001", "-1", "x", ""})
        EXPECT_FALSE(moat_ctl::parse_rate(bad, hz, err)) << bad;
    ASSERT_TRUE(moat_ctl::parse_hex("4d 54 43 4C", bytes, err));
    EXPECT_EQ(bytes, "MTCL");
    EXPECT_FALSE(moat_ctl::parse_hex("4d5", bytes, err));
    EXPECT_FALSE(moat_ctl::parse_hex("zz", bytes, err));
    EXPECT_FALSE(moat_ctl::parse_hex(std::string(2 * (MOAT_LINKQ_MAX_MSG + 1), 'a'), bytes, err));
}

TEST(MoatCtl, CommandsPassTheCellsCheck)
{
    moat_ctl_msg out;
    moat_ctl_msg m = moat_ctl::setpoint_command(4, -300000);
    EXPECT_EQ(moat_ctl_decode(&m, sizeof(m), MOAT_CTL_TO_CELL, &out), MOAT_CTL_OK);
    m = moat_ctl::profile_command(5);
    EXPECT_EQ(moat_ctl_decode(&m, sizeof(m), MOAT_CTL_TO_CELL, &out), MOAT_CTL_OK);
    m = moat_ctl::rate_command(6, MOAT_CTL_RATE_MAX);
    EXPECT_EQ(moat_ctl_decode(&m, sizeof(m), MOAT_CTL_TO_CELL, &out), MOAT_CTL_OK);
}

TEST(MoatCtl, TextOfMessages)
{
    EXPECT_EQ(moat_ctl::milli_text(150000), "150.000");
    EXPECT_EQ(moat_ctl::milli_text(-42), "-0.042");
    moat_ctl_msg t = moat_ctl_new(MOAT_CTL_TELEMETRY, 3);
    t.u.telemetry.period = 1500;
    t.u.telemetry.speed = 149876;
    t.u.telemetry.setpoint = 150000;
    t.u.telemetry.load = 10000;
    t.u.telemetry.flags = MOAT_CTL_TF_HOLD | MOAT_CTL_TF_SETTLED;
    const std::string line = moat_ctl::telemetry_line(t);
    EXPECT_NE(line.find("telemetry #3: period=1500 speed=149.876 setpoint=150.000"), std::string::npos) << line;
    EXPECT_NE(line.find("load=0.010 settled=1 mode=hold"), std::string::npos) << line;
    moat_ctl_msg a = moat_ctl_new(MOAT_CTL_ACK, 9);
    a.u.ack.command = MOAT_CTL_SETPOINT;
    a.u.ack.status = MOAT_CTL_E_RANGE;
    a.u.ack.refused = 1;
    EXPECT_EQ(moat_ctl::ack_line(a), "answer to #9 (type 1): refused: value out of range; the cell has accepted 0, refused 1");
}

TEST(MoatCtl, RateMeterUsesTheCellsClock)
{
    moat_ctl::RateMeter meter;
    moat_ctl_telemetry t{};
    for (std::uint32_t i = 1; i <= 5; i++) {
        t.period = 500 * i;
        t.window_misses = i == 3 ? 2 : i == 1 ? 7 : 0;  // the first window is before the first message
        t.misses = 10 + (i >= 3 ? 2 : 0);
        meter.add(t, i, 1000 + 50 * i);
    }
    EXPECT_DOUBLE_EQ(meter.hz(10000), 20.0);
    EXPECT_DOUBLE_EQ(meter.linux_hz(), 20.0);
    EXPECT_EQ(meter.window_misses, 2u);
    EXPECT_EQ(meter.total_misses(), 2u);
    EXPECT_EQ(meter.gaps, 0u);
    t.period = 4000;
    meter.add(t, 8);
    EXPECT_EQ(meter.gaps, 1u);
}

}  // namespace
