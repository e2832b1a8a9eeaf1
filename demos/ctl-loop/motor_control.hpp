// SPDX-License-Identifier: MIT
// The control problem of ctl-loop: keep a simulated DC motor at a speed setpoint with a PID
// controller, against setpoint steps and a load torque. One call of step() is one control
// period. Header-only and FP-only arithmetic, so the host unit tests run the very same code.
#pragma once

#include <stdint.h>

#include "demo/dc_motor.hpp"
#include "demo/pid.hpp"

namespace ctl {

// A small permanent-magnet motor: electrical time constant L/R = 1 ms, mechanical
// J R / K^2 = 40 ms, 19.2 rad/s per volt at steady state.
inline constexpr demo::DcMotorParams kMotor{
    .inertia = 1e-4, .friction = 1e-4, .torque_constant = 0.05, .resistance = 1.0, .inductance = 1e-3};
// PI places the closed loop about ten times faster than the motor (settles in ~50 ms); the
// small D term damps the response to the load step.
inline constexpr demo::PidGains kGains{.kp = 0.2, .ki = 5.0, .kd = 1e-5};
inline constexpr demo::PidLimits kSupply{.out_min = -24.0, .out_max = 24.0};  // volts

// Test profile, repeating every 4 s: setpoint 100 rad/s for 2 s, then 150 rad/s for 2 s; a load
// torque of 0.01 N m from 1 s to 3 s into each cycle.
inline constexpr double kSetpointLow = 100.0;
inline constexpr double kSetpointHigh = 150.0;
inline constexpr double kLoadTorque = 0.01;
inline constexpr uint64_t kProfileSeconds = 4;
inline constexpr uint64_t kSetpointStepSecond = 2;
inline constexpr uint64_t kLoadOnSecond = 1;
inline constexpr uint64_t kLoadOffSecond = 3;

// "Settled": within 1 % of the setpoint.
inline constexpr double kSettleTolerance = 0.01;
// Braking before a shutdown: the controller drives the speed to 0; "at rest" below this.
inline constexpr double kRestSpeed = 1.0;  // rad/s

class MotorControl {
public:
    MotorControl(uint64_t periods_per_second)
        : periods_per_second_(periods_per_second), period_s_(1.0 / static_cast<double>(periods_per_second)),
          pid_(kGains, kSupply, period_s_), motor_(kMotor)
    {
    }

    // One control period: sample the speed, compute the voltage, let the motor run with it.
    void step()
    {
        const uint64_t second = (period_ / periods_per_second_) % kProfileSeconds;
        setpoint_ = braking_ ? 0.0 : holding_ ? held_ : second < kSetpointStepSecond ? kSetpointLow : kSetpointHigh;
        load_ = !braking_ && second >= kLoadOnSecond && second < kLoadOffSecond ? kLoadTorque : 0.0;
        voltage_ = pid_.update(setpoint_, motor_.speed());
        motor_.step(voltage_, period_s_, load_);
        period_++;
    }

    // Steering (steering.hpp): hold `setpoint` from the next period on instead of the profile's
    // (the load profile goes on: it is the plant's, not the controller's); or back to the profile.
    void hold(double setpoint)
    {
        held_ = setpoint;
        holding_ = true;
    }
    void follow_profile() { holding_ = false; }
    bool holding() const { return holding_; }

    // From now on: setpoint 0, no load, until the motor is at rest (and stays there).
    void brake() { braking_ = true; }
    bool braking() const { return braking_; }
    bool at_rest() const { return speed() < kRestSpeed && speed() > -kRestSpeed; }

    double speed() const { return motor_.speed(); }
    double setpoint() const { return setpoint_; }
    double voltage() const { return voltage_; }
    double load() const { return load_; }
    uint64_t periods() const { return period_; }
    bool settled() const
    {
        const double error = speed() - setpoint_;
        return (error < 0 ? -error : error) <= kSettleTolerance * (setpoint_ < 0 ? -setpoint_ : setpoint_);
    }

private:
    uint64_t periods_per_second_;
    double period_s_;
    demo::Pid pid_;
    demo::DcMotor motor_;
    uint64_t period_ = 0;
    double setpoint_ = kSetpointLow;
    double load_ = 0.0;
    double voltage_ = 0.0;
    bool braking_ = false;
    bool holding_ = false;
    double held_ = 0.0;
};

}  // namespace ctl
