// SPDX-License-Identifier: MIT
// A simulated plant: a permanent-magnet DC motor driven by a voltage.
//
//   J dw/dt = K i - b w - T_load        (mechanics: inertia J, viscous friction b)
//   L di/dt = V - R i - K w             (armature: inductance L, resistance R, back-EMF K w)
//
// integrated with semi-implicit Euler in sub-steps short against the electrical time constant
// L/R, so that the model stays stable and close to the continuous solution at a 100 us control
// period. Header-only; also built on the host.
#pragma once

namespace demo {

struct DcMotorParams {
    double inertia;          // J, kg m^2
    double friction;         // b, N m s/rad
    double torque_constant;  // K, N m/A (equal to the back-EMF constant in V s/rad)
    double resistance;       // R, ohm
    double inductance;       // L, H
};

class DcMotor {
public:
    explicit constexpr DcMotor(DcMotorParams p) : p_(p) {}

    // Advances the model by dt seconds with a constant voltage and load torque.
    void step(double voltage, double dt, double load_torque = 0.0)
    {
        const double h = dt / kSubSteps;
        for (int n = 0; n < kSubSteps; n++) {
            // Current first, then speed from the new current: semi-implicit Euler, which keeps
            // the coupled electrical/mechanical oscillation from gaining energy.
            current_ += h * (voltage - p_.resistance * current_ - p_.torque_constant * speed_) / p_.inductance;
            speed_ += h * (p_.torque_constant * current_ - p_.friction * speed_ - load_torque) / p_.inertia;
        }
    }

    double speed() const { return speed_; }      // rad/s
    double current() const { return current_; }  // A

    // Speed at rest of the transients for a constant voltage and no load: from dw/dt = di/dt = 0.
    static constexpr double steady_state_speed(const DcMotorParams &p, double voltage)
    {
        return p.torque_constant * voltage / (p.friction * p.resistance + p.torque_constant * p.torque_constant);
    }

private:
    static constexpr int kSubSteps = 10;
    DcMotorParams p_;
    double speed_ = 0.0;
    double current_ = 0.0;
};

}  // namespace demo
