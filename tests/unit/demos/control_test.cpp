// SPDX-License-Identifier: MIT
// The PID controller, the DC motor model, and the ctl-loop closed loop they form.
#include "ctl-loop/motor_control.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

constexpr double kDt = 1e-4;  // the demo's 10 kHz period
constexpr uint64_t kRateHz = 10'000;

TEST(DemoPid, ProportionalOnly)
{
    demo::Pid pid({.kp = 2.0, .ki = 0.0, .kd = 0.0}, {-100, 100}, kDt);
    EXPECT_DOUBLE_EQ(pid.update(10.0, 4.0), 12.0);
    EXPECT_DOUBLE_EQ(pid.update(10.0, 12.0), -4.0);
}

TEST(DemoPid, IntegralAccumulatesErrorTimesTime)
{
    demo::Pid pid({.kp = 0.0, .ki = 1.0, .kd = 0.0}, {-100, 100}, 0.5);
    EXPECT_DOUBLE_EQ(pid.update(2.0, 0.0), 1.0);  // 2 * 0.5
    EXPECT_DOUBLE_EQ(pid.update(2.0, 0.0), 2.0);
    EXPECT_DOUBLE_EQ(pid.integral(), 2.0);
    pid.reset();
    EXPECT_DOUBLE_EQ(pid.integral(), 0.0);
}

TEST(DemoPid, DerivativeActsOnMeasurementNotSetpoint)
{
    demo::Pid pid({.kp = 0.0, .ki = 0.0, .kd = 1.0}, {-100, 100}, 0.1);
    EXPECT_DOUBLE_EQ(pid.update(0.0, 1.0), 0.0);   // first sample: no derivative
    EXPECT_DOUBLE_EQ(pid.update(50.0, 1.0), 0.0);  // setpoint step: no kick
    EXPECT_DOUBLE_EQ(pid.update(50.0, 2.0), -10.0);  // measurement rose 1 in 0.1 s
}

TEST(DemoPid, OutputIsClampedAndIntegralDoesNotWindUp)
{
    demo::Pid pid({.kp = 1.0, .ki = 10.0, .kd = 0.0}, {-5, 5}, 0.1);
    for (int i = 0; i < 100; i++)
        EXPECT_DOUBLE_EQ(pid.update(100.0, 0.0), 5.0);
    // Saturated the whole time: the integral must not have grown to 100 * 100 * 0.1.
    EXPECT_DOUBLE_EQ(pid.integral(), 0.0);
    // When the error reverses, the output leaves saturation at once.
    EXPECT_LT(pid.update(0.0, 1.0), 0.0);
}

TEST(DemoPid, IntegratesAgainWhenErrorPullsOutOfSaturation)
{
    demo::Pid pid({.kp = 0.0, .ki = 10.0, .kd = 0.0}, {-1, 1}, 0.1);
    pid.update(10.0, 0.0);                     // integral 1 -> output 10 clamped: not kept
    EXPECT_DOUBLE_EQ(pid.integral(), 0.0);
    pid.update(0.5, 0.0);                      // integral 0.05 -> output 0.5: kept
    EXPECT_DOUBLE_EQ(pid.integral(), 0.05);
}

TEST(DemoDcMotor, StaysAtRestWithoutVoltage)
{
    demo::DcMotor m(ctl::kMotor);
    for (int i = 0; i < 1000; i++)
        m.step(0.0, kDt);
    EXPECT_DOUBLE_EQ(m.speed(), 0.0);
    EXPECT_DOUBLE_EQ(m.current(), 0.0);
}

TEST(DemoDcMotor, ReachesTheAnalyticSteadyState)
{
    constexpr double kVolts = 6.0;
    demo::DcMotor m(ctl::kMotor);
    for (int i = 0; i < 20'000; i++)  // 2 s: 50 mechanical time constants
        m.step(kVolts, kDt);
    const double expected = demo::DcMotor::steady_state_speed(ctl::kMotor, kVolts);
    EXPECT_NEAR(m.speed(), expected, expected * 1e-6);
    // At steady state the torque only overcomes friction: K i = b w.
    EXPECT_NEAR(ctl::kMotor.torque_constant * m.current(), ctl::kMotor.friction * m.speed(), 1e-9);
}

TEST(DemoDcMotor, MechanicalTimeConstant)
{
    // With a fast armature the speed follows a first-order step response with
    // tau = J R / (b R + K^2): 63.2 % of the final value after one tau.
    const auto &p = ctl::kMotor;
    const double tau = p.inertia * p.resistance / (p.friction * p.resistance + p.torque_constant * p.torque_constant);
    demo::DcMotor m(p);
    const int steps = static_cast<int>(std::lround(tau / kDt));
    for (int i = 0; i < steps; i++)
        m.step(1.0, kDt);
    const double final_speed = demo::DcMotor::steady_state_speed(p, 1.0);
    EXPECT_NEAR(m.speed() / final_speed, 1.0 - std::exp(-1.0), 0.03);  // 3 %: the armature lag
}

TEST(DemoDcMotor, LoadTorqueLowersTheSteadyState)
{
    // With a load T the steady state is w = (K V - R T) / (b R + K^2).
    constexpr double kVolts = 6.0;
    const auto &p = ctl::kMotor;
    demo::DcMotor free_running(p), loaded(p);
    for (int i = 0; i < 20'000; i++) {
        free_running.step(kVolts, kDt);
        loaded.step(kVolts, kDt, ctl::kLoadTorque);
    }
    const double expected = (p.torque_constant * kVolts - p.resistance * ctl::kLoadTorque) /
                            (p.friction * p.resistance + p.torque_constant * p.torque_constant);
    EXPECT_NEAR(loaded.speed(), expected, expected * 1e-6);
    EXPECT_LT(loaded.speed(), free_running.speed());
}

// Runs the ctl-loop control law for `seconds` and returns the largest |error| / setpoint seen in
// the last 100 ms of each second (after the step responses of that second died out).
double worst_tail_error(ctl::MotorControl &c, uint64_t seconds)
{
    double worst = 0.0;
    for (uint64_t s = 0; s < seconds; s++) {
        for (uint64_t n = 0; n < kRateHz; n++) {
            c.step();
            if (n >= kRateHz - kRateHz / 10)
                worst = std::fmax(worst, std::fabs(c.speed() - c.setpoint()) / c.setpoint());
        }
    }
    return worst;
}

TEST(DemoMotorControl, FollowsTheProfile)
{
    ctl::MotorControl c(kRateHz);
    c.step();
    EXPECT_DOUBLE_EQ(c.setpoint(), ctl::kSetpointLow);
    EXPECT_DOUBLE_EQ(c.load(), 0.0);
    while (c.periods() < kRateHz * ctl::kLoadOnSecond + 1)
        c.step();
    EXPECT_DOUBLE_EQ(c.load(), ctl::kLoadTorque);
    while (c.periods() < kRateHz * ctl::kSetpointStepSecond + 1)
        c.step();
    EXPECT_DOUBLE_EQ(c.setpoint(), ctl::kSetpointHigh);
    while (c.periods() < kRateHz * ctl::kProfileSeconds + 1)
        c.step();
    EXPECT_DOUBLE_EQ(c.setpoint(), ctl::kSetpointLow);  // the profile repeats
    EXPECT_DOUBLE_EQ(c.load(), 0.0);
}

TEST(DemoMotorControl, SettlesWithin100msOfEveryStep)
{
    ctl::MotorControl c(kRateHz);
    // Two full profile cycles: setpoint up and down, load on and off, twice.
    EXPECT_LT(worst_tail_error(c, 2 * ctl::kProfileSeconds), ctl::kSettleTolerance / 10);
    EXPECT_TRUE(c.settled());
}

TEST(DemoMotorControl, StepResponseIsFastAndDoesNotOvershootMuch)
{
    ctl::MotorControl c(kRateHz);
    double peak = 0.0;
    uint64_t settled_at = 0;
    for (uint64_t n = 0; n < kRateHz; n++) {  // first second: step from rest to 100 rad/s, no load
        c.step();
        peak = std::fmax(peak, c.speed());
        if (!c.settled())
            settled_at = 0;
        else if (!settled_at)
            settled_at = c.periods();
    }
    EXPECT_LT(peak, ctl::kSetpointLow * 1.02);
    EXPECT_GT(settled_at, 0u);
    EXPECT_LT(settled_at, kRateHz / 10);  // inside 1 % within 100 ms
    // The voltage never leaves the supply range.
    EXPECT_LE(std::fabs(c.voltage()), ctl::kSupply.out_max);
}

TEST(DemoMotorControl, WithoutIntegralActionTheLoadLeavesAnOffset)
{
    // Why the controller needs its I term: a P-only loop under the same load does not settle.
    demo::Pid p_only({.kp = ctl::kGains.kp, .ki = 0.0, .kd = 0.0}, ctl::kSupply, kDt);
    demo::DcMotor m(ctl::kMotor);
    for (int i = 0; i < 2 * static_cast<int>(kRateHz); i++)
        m.step(p_only.update(ctl::kSetpointLow, m.speed()), kDt, ctl::kLoadTorque);
    EXPECT_GT(std::fabs(m.speed() - ctl::kSetpointLow), ctl::kSettleTolerance * ctl::kSetpointLow);
}

}  // namespace

// Before a cooperative shutdown ctl-loop brakes: from the high setpoint under load, the motor is
// at rest well within the driver's default 3 s answer timeout, and stays there.
TEST(DemoMotorControl, BrakesToRestQuicklyAndStaysThere)
{
    ctl::MotorControl c(kRateHz);
    while (c.periods() < kRateHz * ctl::kSetpointStepSecond + kRateHz / 2)  // 150 rad/s, loaded
        c.step();
    ASSERT_GT(c.speed(), ctl::kSetpointHigh * 0.9);
    EXPECT_FALSE(c.at_rest());
    c.brake();
    uint64_t periods = 0;
    while (!c.at_rest() && periods < kRateHz) {
        c.step();
        periods++;
    }
    EXPECT_TRUE(c.at_rest());
    EXPECT_LT(periods, kRateHz / 5);  // under 200 ms
    EXPECT_DOUBLE_EQ(c.setpoint(), 0.0);
    EXPECT_DOUBLE_EQ(c.load(), 0.0);
    for (uint64_t n = 0; n < kRateHz; n++) {
        c.step();
        ASSERT_TRUE(c.at_rest()) << "after " << n << " periods at rest: speed " << c.speed();
    }
}
