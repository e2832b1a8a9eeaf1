// SPDX-License-Identifier: GPL-2.0
#include "hv/psci.hpp"

namespace moat {

namespace {
constexpr u64 MPIDR_AFF_MASK = 0xff00ffffffull;
}

void PsciState::init(const u64 *mpidr, u32 count)
{
    count_ = count < 32 ? count : 32;
    for (u32 i = 0; i < count_; i++) {
        mpidr_[i] = mpidr[i] & MPIDR_AFF_MASK;
        power_[i] = CpuPower::OFF;
    }
}

int PsciState::cpu_of(u64 mpidr) const
{
    for (u32 i = 0; i < count_; i++)
        if (mpidr_[i] == (mpidr & MPIDR_AFF_MASK))
            return static_cast<int>(i);
    return -1;
}

SmcDecision PsciState::decide(u32 caller, u32 owned_mask, u32 fn, u64 a1, u64 a2, u64 a3, bool root) const
{
    (void)a2;
    (void)a3;
    switch (fn) {
    case psci::VERSION:
    case psci::FEATURES:
    case psci::MIGRATE_INFO_TYPE:
        return {SmcAction::FORWARD, 0, 0};
    case psci::CPU_ON_32:
    case psci::CPU_ON_64: {
        int target = cpu_of(a1);
        if (target < 0)
            return {SmcAction::ANSWER, psci::INVALID_PARAMETERS, 0};
        if (!(owned_mask & (1u << target)))
            return {SmcAction::ANSWER, psci::DENIED, 0};
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
        return {(a1 & psci::POWER_STATE_TYPE_POWERDOWN) ? SmcAction::SUSPEND_POWERDOWN : SmcAction::FORWARD,
                0, caller};
    case psci::AFFINITY_INFO_32:
    case psci::AFFINITY_INFO_64: {
        int target = cpu_of(a1);
        if (target < 0)
            return {SmcAction::ANSWER, psci::INVALID_PARAMETERS, 0};
        if (!(owned_mask & (1u << target)))
            return {SmcAction::ANSWER, psci::DENIED, 0};
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
