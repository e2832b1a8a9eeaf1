// SPDX-License-Identifier: MIT
// A discrete PID controller for a fixed sample period. Header-only, no allocation; the same code
// runs in the ctl-loop interrupt handler and in the host unit tests.
#pragma once

namespace demo {

struct PidGains {
    double kp;  // output per unit of error
    double ki;  // output per unit of error-second
    double kd;  // output per unit of measurement change per second
};

struct PidLimits {
    double out_min;  // actuator range: the controller never asks for more than the plant takes
    double out_max;
};

class Pid {
public:
    constexpr Pid(PidGains gains, PidLimits limits, double period_s)
        : gains_(gains), limits_(limits), period_s_(period_s)
    {
    }

    // One sample: returns the actuator command, clamped to the limits.
    double update(double setpoint, double measurement)
    {
        const double error = setpoint - measurement;
        // Derivative on the measurement rather than the error: a setpoint step then causes no
        // output spike ("derivative kick"), only a change of the plant does.
        const double derivative = primed_ ? -(measurement - last_measurement_) / period_s_ : 0.0;
        last_measurement_ = measurement;
        primed_ = true;

        const double candidate_integral = integral_ + error * period_s_;
        const double unclamped = gains_.kp * error + gains_.ki * candidate_integral + gains_.kd * derivative;
        const double output = clamp(unclamped);
        // Anti-windup by conditional integration: keep the new integral only if the output is not
        // saturated, or if the error pulls it back out of saturation. Otherwise the integral would
        // keep growing while the actuator is at its limit and overshoot badly afterwards.
        const bool saturated_high = unclamped > limits_.out_max && error > 0;
        const bool saturated_low = unclamped < limits_.out_min && error < 0;
        if (!saturated_high && !saturated_low)
            integral_ = candidate_integral;
        return output;
    }

    void reset()
    {
        integral_ = 0.0;
        last_measurement_ = 0.0;
        primed_ = false;
    }

    double integral() const { return integral_; }

private:
    double clamp(double v) const
    {
        if (v > limits_.out_max)
            return limits_.out_max;
        if (v < limits_.out_min)
            return limits_.out_min;
        return v;
    }

    PidGains gains_;
    PidLimits limits_;
    double period_s_;
    double integral_ = 0.0;
    double last_measurement_ = 0.0;
    bool primed_ = false;  // no derivative on the very first sample: there is no previous one
};

}  // namespace demo
