// SPDX-License-Identifier: GPL-2.0
// Which CPUs a cell has, from the moment one is asked to power on until the firmware really has
// it off, and the cell's run state that follows from them. Pure state, no locking: the caller
// holds the cell's CPU lock; arch code does what the returned decisions say (kick CPUs with the
// management SGI, park an arriving CPU, ask the firmware whether a CPU is off yet).
//
// Why a CPU counts from CPU_ON on: a CPU on its way (started by the root or by another CPU of
// the cell) will enter the cell unless told otherwise. If it were not counted, the cell could be
// called shut down, or be destroyed and its CPU handed to the root, while that CPU still boots
// into the cell's code. It counts until the firmware confirms it off: until then the firmware
// would refuse to power it on for its next owner.
#pragma once

#include <moat/abi.h>

#include "lib/types.hpp"

namespace moat {

class CellCpus {
public:
    static constexpr u32 MAX = 32;

    enum class Cpu : u8 {
        OFF,      // not running for this cell
        PENDING,  // CPU_ON accepted, the CPU has not arrived yet
        ON,       // arrived: runs the cell (or is suspended in it)
        PARKING,  // left the cell; the firmware has not confirmed it off yet
    };
    // The cell's state as MOAT_HC_CELL_STATE reports it (MOAT_CELL_STATE_*).
    enum class Run : u32 {
        STOPPED = MOAT_CELL_STATE_STOPPED,
        RUNNING = MOAT_CELL_STATE_RUNNING,
        SHUT_DOWN = MOAT_CELL_STATE_SHUT_DOWN,
        FAILED = MOAT_CELL_STATE_FAILED,
    };
    enum class Start { OK, NOT_OWNED, ALREADY_RUNNING, CPUS_STILL_ACTIVE };
    enum class On { OK, NOT_OWNED, STOPPING, ALREADY_ON, ON_PENDING };

    // A new cell owning the CPUs in `owned` (logical ids), none on.
    void reset(u32 owned)
    {
        *this = CellCpus{};
        owned_ = owned;
    }

    // The root starts the cell on `cpu`: it counts from now on, as on its way.
    Start start(u32 cpu)
    {
        if (!owns(cpu))
            return Start::NOT_OWNED;
        if (run_ == Run::RUNNING)
            return Start::ALREADY_RUNNING;
        if (active())
            return Start::CPUS_STILL_ACTIVE;
        run_ = Run::RUNNING;
        stopping_ = false;
        cpu_[cpu] = Cpu::PENDING;
        return Start::OK;
    }

    // The firmware would not power the first CPU on: the cell did not start.
    void start_failed(u32 cpu)
    {
        if (!owns(cpu) || cpu_[cpu] != Cpu::PENDING)
            return;
        cpu_[cpu] = Cpu::OFF;
        if (!active())
            run_ = Run::STOPPED;
    }

    // A CPU of the running cell asks (PSCI CPU_ON) for `cpu`. Refused once the cell is being
    // stopped: it would only have to be stopped too.
    On cpu_on(u32 cpu)
    {
        if (!owns(cpu))
            return On::NOT_OWNED;
        if (stopping_ || run_ != Run::RUNNING)
            return On::STOPPING;
        if (cpu_[cpu] == Cpu::PENDING)
            return On::ON_PENDING;
        if (cpu_[cpu] != Cpu::OFF)
            return On::ALREADY_ON;  // ON, or PARKING: the firmware still has it on
        cpu_[cpu] = Cpu::PENDING;
        return On::OK;
    }

    // The firmware refused a CPU_ON the cell asked for. True if that ended the cell's run.
    bool cpu_on_failed(u32 cpu)
    {
        if (!owns(cpu) || cpu_[cpu] != Cpu::PENDING)
            return false;
        cpu_[cpu] = Cpu::OFF;
        return settle_run();
    }

    // `cpu` arrived under the hypervisor for this cell (first entry, or back from a powerdown
    // suspend). True: enter the cell. False: park it at once, the cell is being stopped (or is
    // not running at all).
    bool arrive(u32 cpu)
    {
        if (!owns(cpu))
            return false;
        // Only a CPU this cell powered on (PENDING) or had suspended (ON) may enter it: one that
        // came on some other way (a root CPU_ON racing the create) parks and stays counted.
        if (cpu_[cpu] != Cpu::PENDING && cpu_[cpu] != Cpu::ON) {
            if (cpu_[cpu] == Cpu::OFF)
                cpu_[cpu] = Cpu::ON;
            return false;
        }
        cpu_[cpu] = Cpu::ON;
        return run_ == Run::RUNNING && !stopping_;
    }

    // `cpu` left the cell (parked, CPU_OFF): it counts until the firmware confirms it off.
    void leave(u32 cpu)
    {
        if (owns(cpu) && cpu_[cpu] == Cpu::ON)
            cpu_[cpu] = Cpu::PARKING;
    }

    // The firmware says `cpu` is off. True if that ended the cell's run (RUNNING -> SHUT_DOWN).
    bool off_confirmed(u32 cpu)
    {
        if (!owns(cpu) || cpu_[cpu] != Cpu::PARKING)
            return false;
        cpu_[cpu] = Cpu::OFF;
        return settle_run();
    }

    // Stop the cell (forced, or it approved): CPUs that are on must be kicked (returned mask),
    // CPUs on their way park when they arrive. True in *ended if no CPU was left to stop.
    u32 stop(bool *ended)
    {
        stopping_ = true;
        *ended = settle_run();
        return mask(Cpu::ON);
    }

    // The cell did something forbidden: it fails and stops. Returns the CPUs to kick; *newly
    // says whether this is the first failure of the run (to log it once).
    u32 fail(bool *newly)
    {
        *newly = run_ == Run::RUNNING;
        if (*newly)
            run_ = Run::FAILED;
        stopping_ = true;
        return mask(Cpu::ON);
    }

    // Nothing of the cell runs, is on its way or is still powering off: destroy, load and start
    // are safe.
    bool quiescent() const { return !active() && run_ != Run::RUNNING; }

    Run run() const { return run_; }
    bool stopping() const { return stopping_; }
    Cpu cpu(u32 c) const { return c < MAX ? cpu_[c] : Cpu::OFF; }
    u32 owned() const { return owned_; }
    // CPUs that count as the cell's now: on, on their way or still powering off.
    u32 active() const { return mask(Cpu::PENDING) | mask(Cpu::ON) | mask(Cpu::PARKING); }
    u32 mask(Cpu s) const
    {
        u32 m = 0;
        for (u32 c = 0; c < MAX; c++)
            if (cpu_[c] == s)
                m |= 1u << c;
        return m;
    }

    // The invariants every sequence of calls keeps (checked by the host tests): a running cell
    // has a CPU, a stopped or shut-down one has none, a failed one is being stopped, only owned
    // CPUs are ever counted.
    bool consistent() const
    {
        if (active() & ~owned_)
            return false;
        switch (run_) {
        case Run::RUNNING:
            return active() != 0;
        case Run::STOPPED:
        case Run::SHUT_DOWN:
            return active() == 0;
        case Run::FAILED:
            return stopping_;
        }
        return false;
    }

private:
    bool owns(u32 c) const { return c < MAX && (owned_ >> c) & 1; }
    // The last CPU gone ends a running cell.
    bool settle_run()
    {
        if (run_ != Run::RUNNING || active())
            return false;
        run_ = Run::SHUT_DOWN;
        return true;
    }

    Cpu cpu_[MAX] = {};
    u32 owned_ = 0;
    Run run_ = Run::STOPPED;
    bool stopping_ = false;
};

}  // namespace moat
