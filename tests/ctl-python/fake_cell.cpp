// SPDX-License-Identifier: MIT
// The ctl-loop cell's end of link "ctl" on the host, for the Python example's test: the very
// steering code of the cell (demos/ctl-loop/steering.hpp) and its controller, run for a number
// of control periods over a section the test maps (ctypes).
#include <optional>

#include "ctl-loop/steering.hpp"

namespace {
std::optional<ctl::MotorControl> control;
std::optional<ctl::Steering> steering;
uint64_t periods;
}  // namespace

extern "C" {

// A fresh cell on the 64 KiB section at `section` (zeroed by the caller).
void fake_cell_start(void *section)
{
    auto *base = static_cast<uint8_t *>(section);
    control.emplace(10000);
    steering.emplace(reinterpret_cast<moat_linkq *>(base + MOAT_CTL_QUEUE_TO_CELL),
                     reinterpret_cast<moat_linkq *>(base + MOAT_CTL_QUEUE_TO_LINUX), 10000, 62500000);
    periods = 0;
}

// `n` control periods; returns the answers pushed so far (the cell rings once per answer).
unsigned fake_cell_run(unsigned n)
{
    for (unsigned i = 0; i < n; i++, periods++) {
        control->step();
        steering->period(*control, {periods > 0, 0, 100, 1000, false}, 0);
    }
    return steering->answers();
}

unsigned fake_cell_refused() { return steering->refused(); }
double fake_cell_setpoint() { return control->setpoint(); }
}
