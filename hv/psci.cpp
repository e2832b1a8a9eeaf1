// SPDX-License-Identifier: GPL-2.0
#include "hv/psci.hpp"

#include "arch/affinity.hpp"

namespace moat {

namespace {
using arm64::mpidr_affinity;

bool is_smc32(u32 fn) { return !(fn & psci::SMC64_BIT); }

// Calls whose entry point would bypass the hypervisor; never passed on.
bool refused(u32 fn)
{
    u32 base = fn & ~psci::SMC64_BIT & 0x7fffffff;
    switch (fn) {
    case psci::MIGRATE_32: case psci::MIGRATE_64:
    case psci::CPU_DEFAULT_SUSPEND_32: case psci::CPU_DEFAULT_SUSPEND_64:
    case psci::SYSTEM_SUSPEND_32: case psci::SYSTEM_SUSPEND_64:
        return true;
    default:
        return base >= psci::SDEI_FIRST && base <= psci::SDEI_LAST;
    }
}
}  // namespace

void PsciState::init(const u64 *mpidr, u32 count)
{
    count_ = count < 32 ? count : 32;
    for (u32 i = 0; i < count_; i++) {
        mpidr_[i] = mpidr_affinity(mpidr[i]);
        power_[i] = CpuPower::OFF;
    }
}

int PsciState::cpu_of(u64 mpidr) const
{
    for (u32 i = 0; i < count_; i++)
        if (mpidr_[i] == mpidr_affinity(mpidr))
            return static_cast<int>(i);
    return -1;
}

SmcDecision PsciState::decide(u32 caller, u32 owned_mask, u32 fn, u64 a1, u64 a2, u64 a3, bool root) const
{
    (void)a3;
    // SMC32 calls take 32-bit arguments: the upper halves are not part of the call.
    if (is_smc32(fn)) {
        a1 &= 0xffffffffull;
        a2 &= 0xffffffffull;
    }
    if (refused(fn))
        return {SmcAction::ANSWER, psci::NOT_SUPPORTED, 0};
    switch (fn) {
    case psci::FEATURES:
        if (refused(static_cast<u32>(a1)))
            return {SmcAction::ANSWER, psci::NOT_SUPPORTED, 0};
        return {SmcAction::FORWARD, 0, 0};
    case psci::VERSION:
    case psci::MIGRATE_INFO_TYPE:
        return {SmcAction::FORWARD, 0, 0};
    case psci::CPU_ON_32:
    case psci::CPU_ON_64: {
        int target = cpu_of(a1);
        // Another cell's CPU does not exist for the caller (DEN 0022 lists no DENIED here).
        if (target < 0 || !(owned_mask & (1u << target)))
            return {SmcAction::ANSWER, psci::INVALID_PARAMETERS, 0};
        if (power_[target] == CpuPower::ON)
            return {SmcAction::ANSWER, psci::ALREADY_ON, 0};
        if (power_[target] == CpuPower::ON_PENDING)
            return {SmcAction::ANSWER, psci::ON_PENDING, 0};
        return {SmcAction::CPU_ON, 0, static_cast<u32>(target)};
    }
    case psci::CPU_OFF:
        return {SmcAction::CPU_OFF, 0, caller};
    case psci::CPU_SUSPEND_32:
    case psci::CPU_SUSPEND_64:
        // Whether power_state means powerdown depends on its format (bit 16 or bit 30); the
        // entry is redirected either way, and a standby simply returns without using it.
        return {SmcAction::SUSPEND_POWERDOWN, 0, caller};
    case psci::AFFINITY_INFO_32:
    case psci::AFFINITY_INFO_64: {
        int target = cpu_of(a1);
        if (target < 0 || !(owned_mask & (1u << target)))
            return {SmcAction::ANSWER, psci::INVALID_PARAMETERS, 0};
        // Above level 0 (a2) the firmware answers for the CPU's cluster, other owners' CPUs
        // included: a cell asks about its own CPUs only.
        if (!root && a2 != 0)
            return {SmcAction::ANSWER, psci::INVALID_PARAMETERS, 0};
        return {SmcAction::FORWARD, 0, 0};
    }
    case psci::SYSTEM_OFF:
    case psci::SYSTEM_RESET:
        return {root ? SmcAction::FORWARD : SmcAction::CELL_OFF, 0, caller};
    default:
        break;
    }
    // Other Arm-architecture calls (SMCCC version, workarounds) and silicon-provider calls
    // (clocks, power domains on real SoCs) belong to the firmware. Anything else is refused.
    u32 owner = (fn >> psci::OWNER_SHIFT) & psci::OWNER_MASK;
    if (owner == psci::OWNER_ARCH || (root && (owner == psci::OWNER_SIP || owner == psci::OWNER_STANDARD)))
        return {SmcAction::FORWARD, 0, 0};
    return {SmcAction::ANSWER, psci::NOT_SUPPORTED, 0};
}

}  // namespace moat
