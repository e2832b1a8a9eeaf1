// SPDX-License-Identifier: GPL-2.0
#include "arch/psci.hpp"

#include <moat/abi.h>

#include "arch/cell.hpp"
#include "arch/cpu.hpp"
#include "arch/sysreg.h"
#include "hv/console.hpp"
#include "hv/psci.hpp"
#include "hv/spinlock.hpp"
#include "hv/stats.hpp"

extern "C" char hv_cpu_on_entry[];

namespace moat::arm64 {

namespace {
PsciState state;
SpinLock state_lock;
constexpr u32 SMCCC_FUNCTION_MASK = 0xffffffff;
constexpr u32 OWNER_STANDARD_SECURE = 4;

struct SmcResult {
    u64 r[4];
};

SmcResult firmware_call(u64 fn, u64 a1, u64 a2, u64 a3)
{
    register u64 x0 asm("x0") = fn;
    register u64 x1 asm("x1") = a1;
    register u64 x2 asm("x2") = a2;
    register u64 x3 asm("x3") = a3;
    // SMCCC 1.0 firmware may clobber x4-x17.
    asm volatile("smc #0"
                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                 :
                 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                   "x16", "x17", "memory");
    return {{x0, x1, x2, x3}};
}

}  // namespace

void psci_cpu_stopped(u32 cpu)
{
    LockGuard g(state_lock);
    state.set_power(cpu, CpuPower::OFF);
}

int psci_cpu_of(u64 mpidr) { return state.cpu_of(mpidr); }

CpuPower psci_cpu_power(u32 cpu)
{
    LockGuard g(state_lock);
    return state.power(cpu);
}

s64 psci_power_on(u32 cpu)
{
    PerCpu *pc = cpu_data(cpu);
    {
        LockGuard g(state_lock);
        if (state.power(cpu) != CpuPower::OFF)
            return psci::ALREADY_ON;
        state.set_power(cpu, CpuPower::ON_PENDING);
    }
    SmcResult r = firmware_call(psci::CPU_ON_64, pc->mpidr, reinterpret_cast<u64>(hv_cpu_on_entry), cpu);
    if (static_cast<s64>(r.r[0]) != psci::SUCCESS) {
        LockGuard g(state_lock);
        state.set_power(cpu, CpuPower::OFF);
    }
    return static_cast<s64>(r.r[0]);
}

void psci_firmware_cpu_off() { firmware_call(psci::CPU_OFF, 0, 0, 0); }

bool psci_take_if_off(u32 mask, void (*take)(u32 cpu), u32 *busy)
{
    LockGuard g(state_lock);
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if ((mask & (1u << cpu)) && state.power(cpu) != CpuPower::OFF) {
            *busy = cpu;
            return false;
        }
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if (mask & (1u << cpu))
            take(cpu);
    return true;
}

bool psci_firmware_cpu_is_off(u64 mpidr)
{
    s64 r = static_cast<s64>(firmware_call(psci::AFFINITY_INFO_64, mpidr, 0, 0).r[0]);
    // A firmware without AFFINITY_INFO (PSCI 0.1) cannot tell: trust the CPU's own CPU_OFF.
    return r == psci::AFFINITY_OFF || r == psci::NOT_SUPPORTED;
}

void psci_init(const u64 *mpidr, u32 count) { state.init(mpidr, count); }

void psci_cpu_started(u32 cpu)
{
    LockGuard g(state_lock);
    state.set_power(cpu, CpuPower::ON);
}

u64 handle_smc(TrapFrame &f, PerCpu &pc)
{
    // A trapped SMC returns to the instruction after it.
    skip_instruction();
    u32 fn = static_cast<u32>(f.x[0] & SMCCC_FUNCTION_MASK);
    bool is_psci = ((fn >> psci::OWNER_SHIFT) & psci::OWNER_MASK) == OWNER_STANDARD_SECURE;
    stats_count(pc.id, is_psci ? MOAT_EXIT_PSCI : MOAT_EXIT_SMC_OTHER);

    state_lock.lock();
    SmcDecision d = state.decide(pc.id, pc.cell->cpu_mask, fn, f.x[1], f.x[2], f.x[3], pc.cell->is_root());
    if (d.action == SmcAction::CPU_ON)
        state.set_power(d.cpu, CpuPower::ON_PENDING);
    state_lock.unlock();

    u64 entry = reinterpret_cast<u64>(hv_cpu_on_entry);
    SmcResult r{};
    switch (d.action) {
    case SmcAction::ANSWER:
        f.x[0] = static_cast<u64>(d.result);
        return 0;
    case SmcAction::FORWARD:
        r = firmware_call(f.x[0], f.x[1], f.x[2], f.x[3]);
        break;
    case SmcAction::CPU_ON: {
        // A cell's CPU counts as the cell's from here until it is really off again.
        if (!pc.cell->is_root()) {
            s64 refused = cell_cpu_on_request(*pc.cell, d.cpu);
            if (refused != psci::SUCCESS) {
                LockGuard g(state_lock);
                state.set_power(d.cpu, CpuPower::OFF);
                f.x[0] = static_cast<u64>(refused);
                return 0;
            }
        }
        PerCpu *target = cpu_data(d.cpu);
        bool smc32 = !(f.x[0] & psci::SMC64_BIT);
        target->on_entry = smc32 ? (f.x[2] & 0xffffffffull) : f.x[2];
        target->on_context = smc32 ? (f.x[3] & 0xffffffffull) : f.x[3];
        // Always the SMC64 form: the hypervisor's entry may lie above 4 GiB.
        r = firmware_call(psci::CPU_ON_64, cpu_data(d.cpu)->mpidr ? cpu_data(d.cpu)->mpidr : f.x[1], entry, d.cpu);
        if (static_cast<s64>(r.r[0]) != psci::SUCCESS) {
            {
                LockGuard g(state_lock);
                state.set_power(d.cpu, CpuPower::OFF);
            }
            if (!pc.cell->is_root())
                cell_cpu_on_failed(*pc.cell, d.cpu);
        }
        break;
    }
    case SmcAction::SUSPEND_POWERDOWN:
        pc.on_entry = (f.x[0] & psci::SMC64_BIT) ? f.x[2] : (f.x[2] & 0xffffffffull);
        pc.on_context = (f.x[0] & psci::SMC64_BIT) ? f.x[3] : (f.x[3] & 0xffffffffull);
        r = firmware_call(psci::CPU_SUSPEND_64,
                          (f.x[0] & psci::SMC64_BIT) ? f.x[1] : (f.x[1] & 0xffffffffull), entry, pc.id);
        break;
    case SmcAction::CELL_OFF:
        log("CPU %u: cell asked for system %s: its CPUs stop", pc.id,
            (f.x[0] & 0xffffffffull) == psci::SYSTEM_RESET ? "reset" : "off");
        cell_system_off(*pc.cell, pc.id);
        cpu_park(pc);
    case SmcAction::CPU_OFF: {
        if (!pc.cell->is_root())
            cpu_park(pc);  // a cell CPU going off is parked the same way as at shutdown
        log("CPU %u: powering off (PSCI CPU_OFF)", pc.id);
        cpu_stop(pc);
        {
            LockGuard g(state_lock);
            state.set_power(pc.id, CpuPower::OFF);
        }
        r = firmware_call(f.x[0], 0, 0, 0);
        // Only a failed CPU_OFF returns: the CPU carries on under the hypervisor.
        cpu_start(pc, pc.id);
        break;
    }
    }
    f.x[0] = r.r[0];
    f.x[1] = r.r[1];
    f.x[2] = r.r[2];
    f.x[3] = r.r[3];
    return 0;
}

}  // namespace moat::arm64

using namespace moat::arm64;

// hv_cpu_on_entry (head.S) lands here: MMU off, a fresh stack, a frame to fill for the eret.
extern "C" void hv_cpu_warm_boot(moat::u64 cpu, TrapFrame *f)
{
    PerCpu *pc = cpu_data(static_cast<moat::u32>(cpu));
    cpu_warm_start(*pc, static_cast<moat::u32>(cpu));
    for (moat::u64 &x : f->x)
        x = 0;
    f->x[0] = pc->on_context;
    write_sysreg(elr_el2, pc->on_entry);
    write_sysreg(spsr_el2, SPSR_M_EL1H | SPSR_D | SPSR_A | SPSR_I | SPSR_F);
    moat::log("CPU %u powered on under the hypervisor (PSCI CPU_ON), entering EL1 at %#lx",
              static_cast<unsigned>(cpu), static_cast<unsigned long>(pc->on_entry));
}
