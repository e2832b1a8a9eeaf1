// A cell's CPU accounting (hv/include/hv/cell_cpus.hpp): the hand-over cases the review found,
// and random interleavings of start, CPU_ON, arrival, CPU_OFF, faults, stops and destroys run
// against a model of what the CPUs really do, checked against the invariants after every step.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "hv/cell_cpus.hpp"

using moat::CellCpus;
using moat::u32;
using Cpu = CellCpus::Cpu;
using Run = CellCpus::Run;

namespace {
constexpr u32 A = 2, B = 3;  // the cell's two CPUs (logical ids, as on QEMU virt)
constexpr u32 OWNED = (1u << A) | (1u << B);

CellCpus two_cpu_cell()
{
    CellCpus c;
    c.reset(OWNED);
    return c;
}
}  // namespace

TEST(CellCpus, ACpuOnItsWayKeepsTheCellRunningWhenTheOtherPowersOff)
{
    // The review's escape: A powers B on, A powers itself off before B has arrived.
    CellCpus c = two_cpu_cell();
    ASSERT_EQ(c.start(A), CellCpus::Start::OK);
    ASSERT_TRUE(c.arrive(A));
    ASSERT_EQ(c.cpu_on(B), CellCpus::On::OK);
    c.leave(A);
    EXPECT_FALSE(c.off_confirmed(A));  // B is still on its way: the run does not end
    EXPECT_EQ(c.run(), Run::RUNNING);
    EXPECT_EQ(c.active(), 1u << B);
    EXPECT_FALSE(c.quiescent());
    ASSERT_TRUE(c.arrive(B));
    // A forced stop now reaches B.
    bool ended = true;
    EXPECT_EQ(c.stop(&ended), 1u << B);
    EXPECT_FALSE(ended);
    c.leave(B);
    EXPECT_FALSE(c.quiescent());  // the firmware has not confirmed B off
    EXPECT_TRUE(c.off_confirmed(B));
    EXPECT_EQ(c.run(), Run::SHUT_DOWN);
    EXPECT_TRUE(c.quiescent());
}

TEST(CellCpus, AForcedStopRightAfterStartParksTheCpuOnArrival)
{
    CellCpus c = two_cpu_cell();
    ASSERT_EQ(c.start(A), CellCpus::Start::OK);
    bool ended = true;
    EXPECT_EQ(c.stop(&ended), 0u);  // nothing to kick yet
    EXPECT_FALSE(ended);
    EXPECT_EQ(c.run(), Run::RUNNING);  // not "shut down" while A is on its way
    EXPECT_FALSE(c.quiescent());       // and not destroyable
    EXPECT_FALSE(c.arrive(A));         // A parks instead of entering the cell
    c.leave(A);
    EXPECT_TRUE(c.off_confirmed(A));
    EXPECT_EQ(c.run(), Run::SHUT_DOWN);
    EXPECT_TRUE(c.quiescent());
}

TEST(CellCpus, AFaultWithACpuOnItsWayFailsTheCellAndParksThatCpu)
{
    CellCpus c = two_cpu_cell();
    c.start(A);
    c.arrive(A);
    c.cpu_on(B);
    bool newly = false;
    EXPECT_EQ(c.fail(&newly), 1u << A);
    EXPECT_TRUE(newly);
    c.leave(A);
    c.off_confirmed(A);
    EXPECT_EQ(c.run(), Run::FAILED);
    EXPECT_FALSE(c.quiescent());
    EXPECT_FALSE(c.arrive(B));
    c.leave(B);
    c.off_confirmed(B);
    EXPECT_EQ(c.run(), Run::FAILED);
    EXPECT_TRUE(c.quiescent());
}

TEST(CellCpus, AStoppingCellCannotPowerCpusOn)
{
    CellCpus c = two_cpu_cell();
    c.start(A);
    c.arrive(A);
    bool ended;
    c.stop(&ended);
    EXPECT_EQ(c.cpu_on(B), CellCpus::On::STOPPING);
    EXPECT_EQ(c.cpu(B), Cpu::OFF);
}

TEST(CellCpus, CpuOnAnswersLikeTheFirmwareWould)
{
    CellCpus c = two_cpu_cell();
    c.start(A);
    c.arrive(A);
    EXPECT_EQ(c.cpu_on(0), CellCpus::On::NOT_OWNED);
    EXPECT_EQ(c.cpu_on(99), CellCpus::On::NOT_OWNED);
    EXPECT_EQ(c.cpu_on(A), CellCpus::On::ALREADY_ON);
    EXPECT_EQ(c.cpu_on(B), CellCpus::On::OK);
    EXPECT_EQ(c.cpu_on(B), CellCpus::On::ON_PENDING);
    c.arrive(B);
    c.leave(B);
    EXPECT_EQ(c.cpu_on(B), CellCpus::On::ALREADY_ON);  // still powering off
    c.off_confirmed(B);
    EXPECT_EQ(c.cpu_on(B), CellCpus::On::OK);
    EXPECT_FALSE(c.cpu_on_failed(B));  // A still runs
    EXPECT_EQ(c.cpu(B), Cpu::OFF);
}

TEST(CellCpus, StartIsRefusedWhileAnyCpuStillCounts)
{
    CellCpus c = two_cpu_cell();
    EXPECT_EQ(c.start(0), CellCpus::Start::NOT_OWNED);
    c.start(A);
    EXPECT_EQ(c.start(A), CellCpus::Start::ALREADY_RUNNING);
    c.arrive(A);
    bool newly;
    c.fail(&newly);
    c.leave(A);
    EXPECT_EQ(c.start(A), CellCpus::Start::CPUS_STILL_ACTIVE);
    c.off_confirmed(A);
    EXPECT_EQ(c.start(A), CellCpus::Start::OK);  // a failed cell may run again
    EXPECT_FALSE(c.stopping());
}

TEST(CellCpus, AFailedFirstPowerOnLeavesTheCellStopped)
{
    CellCpus c = two_cpu_cell();
    c.start(A);
    c.start_failed(A);
    EXPECT_EQ(c.run(), Run::STOPPED);
    EXPECT_TRUE(c.quiescent());
}

// ---------------------------------------------------------------------------------------------
// Random interleavings. The model is what the hardware does; the rules are those arch/arm64 code
// follows (cell.cpp, psci.cpp, setup.cpp): kick what stop()/fail() return, park a CPU whose
// arrive() says so, leave() before powering off, off_confirmed() once the firmware says off.

namespace {
enum class Phys { OFF, BOOTING, RUNNING, POWERING_OFF };

struct World {
    CellCpus acct;
    Phys phys[CellCpus::MAX] = {};
    bool kicked[CellCpus::MAX] = {};  // stop_request set and the management SGI in flight
    u32 destroys = 0;
    std::string trace;

    World() { acct.reset(OWNED); }

    void park(u32 c)  // the CPU leaves the cell and asks the firmware for CPU_OFF
    {
        acct.leave(c);
        kicked[c] = false;
        phys[c] = Phys::POWERING_OFF;
    }
    void kick(u32 mask)
    {
        for (u32 c : {A, B})
            if (mask & (1u << c))
                kicked[c] = true;
    }

    // The root's operations.
    void root_start(bool firmware_ok)
    {
        if (acct.start(A) != CellCpus::Start::OK)
            return;
        if (firmware_ok && phys[A] == Phys::OFF)
            phys[A] = Phys::BOOTING;
        else
            acct.start_failed(A);
    }
    void root_stop()
    {
        bool ended;
        kick(acct.stop(&ended));
    }
    void root_settle()  // CELL_STATE, shutdown, destroy first ask the firmware about PARKING CPUs
    {
        for (u32 c : {A, B})
            if (acct.cpu(c) == Cpu::PARKING && phys[c] == Phys::OFF)
                acct.off_confirmed(c);
    }
    void root_destroy()
    {
        root_settle();
        if (!acct.quiescent())
            return;
        for (u32 c : {A, B})
            ASSERT_EQ(phys[c], Phys::OFF) << "destroy gave back CPU " << c << " while it was on\n" << trace;
        destroys++;
        acct.reset(OWNED);  // the same cell created again
    }

    // What the cell's CPUs do.
    void cell_cpu_on(u32 from, u32 to, bool firmware_ok)
    {
        if (phys[from] != Phys::RUNNING || acct.cpu_on(to) != CellCpus::On::OK)
            return;
        ASSERT_EQ(phys[to], Phys::OFF) << "CPU_ON passed for CPU " << to << " which is not off\n" << trace;
        if (firmware_ok)
            phys[to] = Phys::BOOTING;
        else
            acct.cpu_on_failed(to);
    }
    void cell_cpu_off(u32 c)
    {
        if (phys[c] == Phys::RUNNING)
            park(c);
    }
    void cell_fault(u32 c)
    {
        if (phys[c] != Phys::RUNNING)
            return;
        bool newly;
        kick(acct.fail(&newly) & ~(1u << c));
        park(c);
    }

    // The hardware making progress.
    void arrive(u32 c)
    {
        if (phys[c] != Phys::BOOTING)
            return;
        phys[c] = Phys::RUNNING;
        if (!acct.arrive(c))
            park(c);
    }
    void deliver_sgi(u32 c)
    {
        if (kicked[c] && phys[c] == Phys::RUNNING)
            park(c);
    }
    void firmware_off(u32 c)
    {
        if (phys[c] == Phys::POWERING_OFF)
            phys[c] = Phys::OFF;
    }

    bool progress_possible() const
    {
        for (u32 c : {A, B})
            if (phys[c] == Phys::BOOTING || phys[c] == Phys::POWERING_OFF ||
                (kicked[c] && phys[c] == Phys::RUNNING) || (acct.cpu(c) == Cpu::PARKING && phys[c] == Phys::OFF))
                return true;
        return false;
    }

    void check() const
    {
        ASSERT_TRUE(acct.consistent()) << trace;
        for (u32 c : {A, B}) {
            // A CPU that is not really off counts as the cell's: nothing may call the cell
            // stopped, or give the CPU away, while it could still run the cell's code.
            if (phys[c] != Phys::OFF) {
                ASSERT_NE(acct.cpu(c), Cpu::OFF) << "CPU " << c << " uncounted\n" << trace;
            }
            if (phys[c] == Phys::RUNNING) {
                ASSERT_EQ(acct.cpu(c), Cpu::ON) << trace;
            }
            // Nothing runs the cell's code once it is stopped, shut down or failed-and-parked.
            if (phys[c] == Phys::RUNNING && !kicked[c]) {
                ASSERT_TRUE(acct.run() == Run::RUNNING && !acct.stopping()) << "CPU " << c << " runs unstopped\n"
                                                                            << trace;
            }
        }
    }

    void step(std::mt19937 &rng, bool world_only)
    {
        u32 op = world_only ? 7 + rng() % 4 : rng() % 11;
        u32 c = rng() % 2 ? A : B, o = c == A ? B : A;
        bool ok = rng() % 8 != 0;
        trace += std::to_string(op) + ":" + std::to_string(c) + (ok ? "" : "!") + " ";
        switch (op) {
        case 0: root_start(ok); break;
        case 1: root_stop(); break;
        case 2: root_destroy(); break;
        case 3: cell_cpu_on(c, o, ok); break;
        case 4: cell_cpu_off(c); break;
        case 5: if (rng() % 4 == 0) cell_fault(c); break;
        case 6: cell_cpu_on(c, o, ok); break;
        case 7: arrive(c); break;
        case 8: deliver_sgi(c); break;
        case 9: firmware_off(c); break;
        default: root_settle(); break;
        }
    }
};
}  // namespace

TEST(CellCpus, RandomInterleavingsKeepEveryInvariant)
{
    for (u32 seed = 1; seed <= 2000; seed++) {
        std::mt19937 rng(seed);
        World w;
        for (int i = 0; i < 200; i++) {
            w.step(rng, false);
            w.check();
            if (HasFatalFailure())
                return;
        }
    }
}

TEST(CellCpus, AForcedStopAlwaysEndsInADestroyableCell)
{
    u32 destroyed = 0;
    for (u32 seed = 1; seed <= 2000; seed++) {
        std::mt19937 rng(seed);
        World w;
        for (u32 i = 0, n = rng() % 60; i < n; i++)
            w.step(rng, false);
        // A forced shutdown, then only the hardware makes progress (in any order) and the root
        // keeps asking: the cell must come to rest with every CPU off, and destroy must succeed.
        w.root_stop();
        w.trace += "| ";
        for (int i = 0; i < 10000 && w.progress_possible(); i++) {
            w.step(rng, true);
            w.check();
            if (HasFatalFailure())
                return;
        }
        ASSERT_FALSE(w.progress_possible()) << w.trace;
        ASSERT_TRUE(w.acct.quiescent()) << "forced stop did not come to rest\n" << w.trace;
        ASSERT_NE(w.acct.run(), Run::RUNNING) << w.trace;
        u32 before = w.destroys;
        w.root_destroy();
        ASSERT_EQ(w.destroys, before + 1) << w.trace;
        destroyed++;
    }
    EXPECT_EQ(destroyed, 2000u);
}
