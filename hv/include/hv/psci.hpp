// SPDX-License-Identifier: GPL-2.0
// PSCI (Arm DEN 0022) as the hypervisor sees it: which calls a cell may make, and the power
// state of every CPU. Arch code forwards to the firmware what this module allows.
#pragma once

#include "lib/types.hpp"

namespace moat {

namespace psci {
constexpr u32 VERSION = 0x84000000;
constexpr u32 CPU_SUSPEND_32 = 0x84000001, CPU_SUSPEND_64 = 0xc4000001;
constexpr u32 CPU_OFF = 0x84000002;
constexpr u32 CPU_ON_32 = 0x84000003, CPU_ON_64 = 0xc4000003;
constexpr u32 AFFINITY_INFO_32 = 0x84000004, AFFINITY_INFO_64 = 0xc4000004;
constexpr u32 MIGRATE_INFO_TYPE = 0x84000006;
constexpr u32 SYSTEM_OFF = 0x84000008, SYSTEM_RESET = 0x84000009;
constexpr u32 FEATURES = 0x8400000a;
// Calls that hand the firmware an entry point the hypervisor could not redirect (or that move
// work between CPUs behind its back): refused, and reported as not supported by FEATURES.
constexpr u32 MIGRATE_32 = 0x84000005, MIGRATE_64 = 0xc4000005;
constexpr u32 CPU_DEFAULT_SUSPEND_32 = 0x8400000c, CPU_DEFAULT_SUSPEND_64 = 0xc400000c;
constexpr u32 SYSTEM_SUSPEND_32 = 0x8400000e, SYSTEM_SUSPEND_64 = 0xc400000e;
// SDEI (DEN 0054) registers event handlers the firmware would enter directly.
constexpr u32 SDEI_FIRST = 0x04000020, SDEI_LAST = 0x0400003f;  // without the SMC32/64 bits
constexpr u32 SMC64_BIT = 0x40000000;
constexpr u32 FUNCTION_NUMBER_MASK = 0x0000ffff;

constexpr s64 SUCCESS = 0, NOT_SUPPORTED = -1, INVALID_PARAMETERS = -2, DENIED = -3;
constexpr s64 ALREADY_ON = -4, ON_PENDING = -5, INTERNAL_FAILURE = -6;
constexpr s64 AFFINITY_ON = 0, AFFINITY_OFF = 1;  // AFFINITY_INFO results


// SMCCC owner of a function ID, bits [29:24].
constexpr u32 OWNER_SHIFT = 24, OWNER_MASK = 0x3f;
constexpr u32 OWNER_ARCH = 0, OWNER_SIP = 2, OWNER_STANDARD = 4;
}  // namespace psci

enum class CpuPower : u8 { OFF, ON_PENDING, ON };

// What arch code must do with a trapped SMC.
enum class SmcAction : u8 {
    FORWARD,          // pass to the firmware unchanged
    CPU_ON,           // pass with the entry point replaced by the hypervisor's (target in `cpu`)
    CPU_OFF,          // the calling CPU leaves: tidy up, then pass
    SUSPEND_POWERDOWN,// CPU_SUSPEND: resume entry redirected like CPU_ON's (harmless for standby)
    ANSWER,           // do not call the firmware: return `result`
    CELL_OFF,         // a non-root cell powers itself off: its CPUs stop, the machine does not
};

struct SmcDecision {
    SmcAction action;
    s64 result;  // for ANSWER
    u32 cpu;     // CPU_ON: logical id of the target
};

class PsciState {
public:
    // Logical CPU i has affinity mpidr[i]; `owned` marks the CPUs of the calling cell.
    void init(const u64 *mpidr, u32 count);
    void set_power(u32 cpu, CpuPower p) { if (cpu < count_) power_[cpu] = p; }
    CpuPower power(u32 cpu) const { return cpu < count_ ? power_[cpu] : CpuPower::OFF; }
    // Logical id of an MPIDR affinity, or -1.
    int cpu_of(u64 mpidr) const;

    // Policy for an SMC from a CPU of the cell owning the CPUs in `owned_mask`.
    // The root cell owns the machine (system off/reset, silicon-provider calls); other cells
    // own only their CPUs.
    SmcDecision decide(u32 caller, u32 owned_mask, u32 function, u64 a1, u64 a2, u64 a3,
                       bool root = true) const;

private:
    u64 mpidr_[32] = {};
    CpuPower power_[32] = {};
    u32 count_ = 0;
};

}  // namespace moat
