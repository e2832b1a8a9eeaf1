// SPDX-License-Identifier: GPL-2.0
// PSCI policy of hv/psci.cpp against Arm DEN 0022 (PSCI) and DEN 0028 (SMCCC):
//  - function IDs: bit 31 fast call, bit 30 SMC64, bits [29:24] owner (0 Arm architecture,
//    1 CPU service, 2 SiP, 3 OEM, 4 standard secure, 5 standard hypervisor, 6 vendor-specific
//    hypervisor, 48-49 trusted applications, 50-63 trusted OS);
//  - return codes: NOT_SUPPORTED -1, INVALID_PARAMETERS -2, DENIED -3, ALREADY_ON -4,
//    ON_PENDING -5;
//  - CPU_SUSPEND power_state, original format: bit 16 StateType, 1 = powerdown;
//  - MPIDR affinity: Aff0 [7:0], Aff1 [15:8], Aff2 [23:16], Aff3 [39:32]; MT (24), U (30) and
//    bit 31 (RES1) are not affinity.
#include <gtest/gtest.h>

#include "hv/psci.hpp"

using namespace moat;

namespace {

// Four CPUs the way an MPIDR_EL1 read reports them (bit 31 is RES1), on two clusters and, for
// the last one, a non-zero Aff3.
constexpr u64 MPIDR_RES1 = u64{1} << 31;
constexpr u64 MPIDRS[] = {
    MPIDR_RES1 | 0x000,          // cluster 0, core 0
    MPIDR_RES1 | 0x001,          // cluster 0, core 1
    MPIDR_RES1 | 0x100,          // cluster 1, core 0
    MPIDR_RES1 | (u64{1} << 32), // Aff3 = 1
};
constexpr u32 ALL = 0xf;

// The values as DEN 0022 lists them, independently of hv/psci.hpp.
constexpr s64 NOT_SUPPORTED = -1, INVALID_PARAMETERS = -2, DENIED = -3, ALREADY_ON = -4,
              ON_PENDING = -5;

struct Psci : ::testing::Test {
    void SetUp() override { s.init(MPIDRS, 4); }
    SmcDecision call(u32 caller, u32 owned, u32 fn, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0) const
    {
        return s.decide(caller, owned, fn, a1, a2, a3);
    }
    PsciState s;
};

void expect_answer(const SmcDecision &d, s64 result)
{
    EXPECT_EQ(d.action, SmcAction::ANSWER);
    EXPECT_EQ(d.result, result);
}

void expect_forward(const SmcDecision &d)
{
    EXPECT_EQ(d.action, SmcAction::FORWARD);
    EXPECT_EQ(d.result, 0);
}

}  // namespace

TEST(PsciIds, MatchDen0022)
{
    EXPECT_EQ(psci::VERSION, 0x84000000u);
    EXPECT_EQ(psci::CPU_SUSPEND_32, 0x84000001u);
    EXPECT_EQ(psci::CPU_SUSPEND_64, 0xc4000001u);
    EXPECT_EQ(psci::CPU_OFF, 0x84000002u);
    EXPECT_EQ(psci::CPU_ON_32, 0x84000003u);
    EXPECT_EQ(psci::CPU_ON_64, 0xc4000003u);
    EXPECT_EQ(psci::AFFINITY_INFO_32, 0x84000004u);
    EXPECT_EQ(psci::AFFINITY_INFO_64, 0xc4000004u);
    EXPECT_EQ(psci::MIGRATE_INFO_TYPE, 0x84000006u);
    EXPECT_EQ(psci::SYSTEM_OFF, 0x84000008u);
    EXPECT_EQ(psci::SYSTEM_RESET, 0x84000009u);
    EXPECT_EQ(psci::FEATURES, 0x8400000au);
    EXPECT_EQ(psci::SUCCESS, 0);
    EXPECT_EQ(psci::NOT_SUPPORTED, NOT_SUPPORTED);
    EXPECT_EQ(psci::INVALID_PARAMETERS, INVALID_PARAMETERS);
    EXPECT_EQ(psci::DENIED, DENIED);
    EXPECT_EQ(psci::ALREADY_ON, ALREADY_ON);
    EXPECT_EQ(psci::ON_PENDING, ON_PENDING);
    EXPECT_EQ(psci::INTERNAL_FAILURE, -6);
}

TEST_F(Psci, InitLeavesEveryCpuOff)
{
    for (u32 cpu = 0; cpu < 4; cpu++)
        EXPECT_EQ(s.power(cpu), CpuPower::OFF) << cpu;
    s.set_power(1, CpuPower::ON);
    s.set_power(2, CpuPower::ON_PENDING);
    EXPECT_EQ(s.power(1), CpuPower::ON);
    EXPECT_EQ(s.power(2), CpuPower::ON_PENDING);
    // A second init (the hypervisor enabled again) starts from scratch.
    s.init(MPIDRS, 4);
    EXPECT_EQ(s.power(1), CpuPower::OFF);
    EXPECT_EQ(s.power(2), CpuPower::OFF);
}

TEST_F(Psci, PowerOfCpusBeyondCountIsOffAndCannotBeSet)
{
    s.set_power(4, CpuPower::ON);
    s.set_power(31, CpuPower::ON);
    EXPECT_EQ(s.power(4), CpuPower::OFF);
    EXPECT_EQ(s.power(31), CpuPower::OFF);
}

TEST_F(Psci, CpuOfMatchesAffinityFields)
{
    EXPECT_EQ(s.cpu_of(0x000), 0);
    EXPECT_EQ(s.cpu_of(0x001), 1);
    EXPECT_EQ(s.cpu_of(0x100), 2);
    EXPECT_EQ(s.cpu_of(u64{1} << 32), 3);
    // Every affinity field takes part.
    EXPECT_EQ(s.cpu_of(0x002), -1);             // Aff0
    EXPECT_EQ(s.cpu_of(0x101), -1);             // Aff1
    EXPECT_EQ(s.cpu_of(0x10000), -1);           // Aff2
    EXPECT_EQ(s.cpu_of(u64{2} << 32), -1);      // Aff3
    EXPECT_EQ(s.cpu_of((u64{1} << 32) | 1), -1);
}

TEST_F(Psci, CpuOfIgnoresBitsOutsideAffinity)
{
    constexpr u64 MT = u64{1} << 24, U = u64{1} << 30;
    constexpr u64 HIGH = 0xffffff0000000000ull;  // bits [63:40], RES0 in MPIDR_EL1
    constexpr u64 RES0_29_25 = u64{0x1f} << 25;
    EXPECT_EQ(s.cpu_of(MPIDR_RES1 | 0x001), 1);
    EXPECT_EQ(s.cpu_of(MT | U | MPIDR_RES1 | RES0_29_25 | 0x001), 1);
    EXPECT_EQ(s.cpu_of(HIGH | 0x100), 2);
    EXPECT_EQ(s.cpu_of(HIGH | MT | U | MPIDR_RES1 | (u64{1} << 32)), 3);
    // CPU_ON and AFFINITY_INFO find the CPU the same way.
    SmcDecision d = call(0, ALL, psci::CPU_ON_64, HIGH | U | MT | 0x100);
    EXPECT_EQ(d.action, SmcAction::CPU_ON);
    EXPECT_EQ(d.cpu, 2u);
    expect_forward(call(0, ALL, psci::AFFINITY_INFO_64, HIGH | MPIDR_RES1 | 0x001));
}

TEST(PsciInit, StoredAffinityIgnoresNonAffinityBits)
{
    // init() masks what it is given as well: MT and U set on the CPUs' own MPIDR reads.
    const u64 mpidr[] = {0xc1000000ull | 0x0, 0xc1000000ull | 0x1};
    PsciState s;
    s.init(mpidr, 2);
    EXPECT_EQ(s.cpu_of(0x0), 0);
    EXPECT_EQ(s.cpu_of(0x1), 1);
}

TEST(PsciInit, KeepsAtMost32Cpus)
{
    u64 mpidr[40];
    for (u32 i = 0; i < 40; i++)
        mpidr[i] = i;
    PsciState s;
    s.init(mpidr, 40);
    EXPECT_EQ(s.cpu_of(0), 0);
    EXPECT_EQ(s.cpu_of(31), 31);
    EXPECT_EQ(s.cpu_of(32), -1);
    EXPECT_EQ(s.cpu_of(39), -1);
    // The 32nd CPU can still be started by a cell owning all 32.
    SmcDecision d = s.decide(0, 0xffffffffu, psci::CPU_ON_64, 31, 0, 0);
    EXPECT_EQ(d.action, SmcAction::CPU_ON);
    EXPECT_EQ(d.cpu, 31u);
}

TEST(PsciInit, NoCpusKnown)
{
    PsciState s;
    EXPECT_EQ(s.cpu_of(0), -1);
    expect_answer(s.decide(0, ~0u, psci::CPU_ON_64, 0, 0, 0), INVALID_PARAMETERS);
}

TEST_F(Psci, CpuOnUnknownMpidrIsInvalidParameters)
{
    for (u32 fn : {psci::CPU_ON_32, psci::CPU_ON_64}) {
        SmcDecision d = call(0, ALL, fn, 0x2, 0x40080000, 0);
        expect_answer(d, INVALID_PARAMETERS);
        EXPECT_EQ(d.cpu, 0u);
        expect_answer(call(0, ALL, fn, 0x10000, 0x40080000, 0), INVALID_PARAMETERS);
    }
}

TEST_F(Psci, CpuOnOutsideOwnedMaskIsAnInvalidParameter)
{
    // The caller's cell owns CPUs 0 and 1; 2 and 3 exist but belong to someone else, which to
    // the caller is as if they did not exist (DEN 0022 has no DENIED for CPU_ON).
    constexpr u32 OWNED = 0x3;
    expect_answer(call(0, OWNED, psci::CPU_ON_32, 0x100, 0x40080000, 0), INVALID_PARAMETERS);
    expect_answer(call(0, OWNED, psci::CPU_ON_64, 0x100, 0x40080000, 0), INVALID_PARAMETERS);
    expect_answer(call(0, OWNED, psci::CPU_ON_64, u64{1} << 32, 0x40080000, 0), INVALID_PARAMETERS);
    // Whatever the target's power state is.
    s.set_power(2, CpuPower::ON);
    expect_answer(call(0, OWNED, psci::CPU_ON_64, 0x100), INVALID_PARAMETERS);
    // An unknown MPIDR is reported as such before ownership is looked at.
    expect_answer(call(0, 0, psci::CPU_ON_64, 0x3), INVALID_PARAMETERS);
}

TEST_F(Psci, CpuOnOfRunningCpuIsAlreadyOn)
{
    s.set_power(1, CpuPower::ON);
    expect_answer(call(0, ALL, psci::CPU_ON_64, 0x001, 0x40080000, 0), ALREADY_ON);
    expect_answer(call(0, ALL, psci::CPU_ON_32, 0x001, 0x40080000, 0), ALREADY_ON);
    // Calling CPU_ON on yourself: you are on.
    expect_answer(call(1, ALL, psci::CPU_ON_64, 0x001), ALREADY_ON);
}

TEST_F(Psci, CpuOnOfStartingCpuIsOnPending)
{
    s.set_power(3, CpuPower::ON_PENDING);
    expect_answer(call(0, ALL, psci::CPU_ON_64, u64{1} << 32, 0x40080000, 0), ON_PENDING);
    // CPU_ON_32 cannot name Aff3 (bits 39:32): its argument is masked to 32 bits.
}

TEST_F(Psci, CpuOnOfOffOwnedCpuIsRedirected)
{
    s.set_power(0, CpuPower::ON);
    for (u32 fn : {psci::CPU_ON_32, psci::CPU_ON_64}) {
        const struct {
            u64 mpidr;
            u32 cpu;
        } all_cases[] = {{0x001, 1}, {0x100, 2}, {u64{1} << 32, 3}};
        // SMC32 arguments are 32 bits: Aff3 (bits 39:32) cannot be named through CPU_ON_32.
        const auto *cases = all_cases;
        const size_t n = fn == psci::CPU_ON_32 ? 2 : 3;
        for (size_t i = 0; i < n; i++) {
            auto c = cases[i];
            SmcDecision d = call(0, ALL, fn, c.mpidr, 0x40080000, 0x1234);
            EXPECT_EQ(d.action, SmcAction::CPU_ON) << std::hex << c.mpidr;
            EXPECT_EQ(d.result, 0);
            EXPECT_EQ(d.cpu, c.cpu);
        }
    }
    // Ownership is by logical id: a cell owning only CPU 2 may start CPU 2.
    SmcDecision d = call(2, 1u << 2, psci::CPU_ON_64, 0x100);
    EXPECT_EQ(d.action, SmcAction::CPU_ON);
    EXPECT_EQ(d.cpu, 2u);
}

TEST_F(Psci, DecideDoesNotChangePowerState)
{
    SmcDecision d = call(0, ALL, psci::CPU_ON_64, 0x001);
    ASSERT_EQ(d.action, SmcAction::CPU_ON);
    EXPECT_EQ(s.power(1), CpuPower::OFF);  // arch code marks it ON_PENDING itself
    d = call(0, ALL, psci::CPU_ON_64, 0x001);
    EXPECT_EQ(d.action, SmcAction::CPU_ON);
}

TEST_F(Psci, CpuOffActsOnTheCaller)
{
    for (u32 caller : {0u, 2u, 3u}) {
        s.set_power(caller, CpuPower::ON);
        SmcDecision d = call(caller, ALL, psci::CPU_OFF);
        EXPECT_EQ(d.action, SmcAction::CPU_OFF);
        EXPECT_EQ(d.result, 0);
        EXPECT_EQ(d.cpu, caller);
    }
}

TEST_F(Psci, CpuSuspendPowerdownIsRedirected)
{
    // Original power_state format: StateID [15:0], StateType [16], PowerLevel [25:24].
    for (u32 fn : {psci::CPU_SUSPEND_32, psci::CPU_SUSPEND_64}) {
        for (u64 power_state : {0x10000ull, 0x1000aull, 0x1010000ull, 0x2010002ull}) {
            SmcDecision d = call(1, ALL, fn, power_state, 0x40080000, 0x55);
            EXPECT_EQ(d.action, SmcAction::SUSPEND_POWERDOWN) << std::hex << power_state;
            EXPECT_EQ(d.result, 0);
            EXPECT_EQ(d.cpu, 1u);
        }
    }
}

TEST_F(Psci, CpuSuspendStandbyIsRedirectedToo)
{
    // The power_state format (bit 16 or bit 30 for powerdown) is the firmware's: every
    // suspend gets the hypervisor's entry, which a standby never uses.
    for (u32 fn : {psci::CPU_SUSPEND_32, psci::CPU_SUSPEND_64}) {
        for (u64 power_state : {0x0ull, 0x1ull, 0xffffull, 0x1000000ull, 0x20000ull, 0x40000000ull}) {
            SmcDecision d = call(2, ALL, fn, power_state, 0x40080000, 0);
            EXPECT_EQ(d.action, SmcAction::SUSPEND_POWERDOWN) << std::hex << power_state;
            EXPECT_EQ(d.cpu, 2u) << std::hex << power_state;
        }
    }
}

TEST_F(Psci, CallsWithUnredirectableEntryPointsAreRefused)
{
    for (u32 fn : {psci::SYSTEM_SUSPEND_32, psci::SYSTEM_SUSPEND_64, psci::CPU_DEFAULT_SUSPEND_32,
                   psci::CPU_DEFAULT_SUSPEND_64, psci::MIGRATE_32, psci::MIGRATE_64, 0xc4000021u,
                   0x84000020u, 0xc400003fu}) {
        SCOPED_TRACE(::testing::Message() << std::hex << fn);
        expect_answer(call(0, ALL, fn, 0x40080000, 0), NOT_SUPPORTED);
        // ... and PSCI_FEATURES says so instead of the firmware's "supported".
        expect_answer(call(0, ALL, psci::FEATURES, fn), NOT_SUPPORTED);
    }
    // The next standard-service function after SDEI is not refused for the root.
    expect_forward(call(0, ALL, 0xc4000040u));
}

TEST_F(Psci, Smc32ArgumentsIgnoreTheUpperHalf)
{
    // CPU_ON_32 with Aff3 = 0xff above bit 31 still names MPIDR 0x1.
    SmcDecision d = call(0, ALL, psci::CPU_ON_32, 0x000000ff00000001ull, 0x40080000, 0);
    EXPECT_EQ(d.action, SmcAction::CPU_ON);
    EXPECT_EQ(d.cpu, 1u);
    // CPU_ON_64 does not mask: the same value is Aff3 = 0xff, an unknown MPIDR.
    expect_answer(call(0, ALL, psci::CPU_ON_64, 0x000000ff00000001ull, 0x40080000, 0), INVALID_PARAMETERS);
}

TEST_F(Psci, CellsCannotSwitchTheMachineOffOrCallTheSiliconProvider)
{
    for (u32 fn : {psci::SYSTEM_OFF, psci::SYSTEM_RESET}) {
        SmcDecision d = s.decide(3, 1u << 3, fn, 0, 0, 0, false);
        EXPECT_EQ(d.action, SmcAction::CELL_OFF);
        EXPECT_EQ(d.cpu, 3u);
    }
    expect_answer(s.decide(3, 1u << 3, 0xc2000001u, 0, 0, 0, false), NOT_SUPPORTED);
    expect_answer(s.decide(3, 1u << 3, 0xc4000040u, 0, 0, 0, false), NOT_SUPPORTED);
    expect_forward(s.decide(3, 1u << 3, 0x80000000u, 0, 0, 0, false));  // SMCCC_VERSION
}

TEST_F(Psci, AffinityInfoOfOwnedCpuIsForwarded)
{
    for (u32 fn : {psci::AFFINITY_INFO_32, psci::AFFINITY_INFO_64}) {
        expect_forward(call(0, ALL, fn, 0x001, 0));
        expect_forward(call(0, ALL, fn, u64{1} << 32, 0));
        // The firmware knows the power state: forwarded whatever moat thinks it is.
        s.set_power(2, CpuPower::ON_PENDING);
        expect_forward(call(0, ALL, fn, 0x100, 0));
    }
}

TEST_F(Psci, AffinityInfoChecksTargetAndOwnership)
{
    for (u32 fn : {psci::AFFINITY_INFO_32, psci::AFFINITY_INFO_64}) {
        expect_answer(call(0, ALL, fn, 0x5, 0), INVALID_PARAMETERS);
        expect_answer(call(0, 0x3, fn, 0x100, 0), INVALID_PARAMETERS);
        if (fn == psci::AFFINITY_INFO_64)
            expect_answer(call(0, 0x3, fn, u64{1} << 32, 0), INVALID_PARAMETERS);
        expect_forward(call(0, 0x3, fn, 0x001, 0));
    }
}

// Above level 0 AFFINITY_INFO answers for a cluster (any CPU of it on): for a cell that is news
// of other cells' and the root's CPUs. Its own CPUs it may ask about, one at a time.
TEST_F(Psci, AffinityInfoAboveLevelZeroIsRefusedToACell)
{
    for (u32 fn : {psci::AFFINITY_INFO_32, psci::AFFINITY_INFO_64}) {
        SCOPED_TRACE(::testing::Message() << std::hex << fn);
        expect_answer(s.decide(1, 1u << 1, fn, 0x001, 1, 0, false), INVALID_PARAMETERS);
        expect_answer(s.decide(1, 1u << 1, fn, 0x001, 2, 0, false), INVALID_PARAMETERS);
        expect_forward(s.decide(1, 1u << 1, fn, 0x001, 0, 0, false));
        // The root is the machine's manager: the firmware answers it at any level.
        expect_forward(s.decide(0, ALL, fn, 0x001, 1, 0, true));
    }
    // SMC32: only the low 32 bits are the argument.
    expect_forward(s.decide(1, 1u << 1, psci::AFFINITY_INFO_32, 0x001, u64{1} << 32, 0, false));
}

TEST_F(Psci, SystemAndInformationCallsAreForwarded)
{
    for (u32 fn : {psci::VERSION, psci::FEATURES, psci::MIGRATE_INFO_TYPE, psci::SYSTEM_OFF,
                   psci::SYSTEM_RESET}) {
        SCOPED_TRACE(::testing::Message() << std::hex << fn);
        // Even from a cell owning nothing: these concern no particular CPU.
        expect_forward(call(0, ALL, fn));
        expect_forward(call(3, 0, fn, 0xdead, 0xbeef, 0xf00d));
    }
    // PSCI_FEATURES with a function ID as its argument.
    expect_forward(call(0, ALL, psci::FEATURES, psci::CPU_SUSPEND_64));
}

TEST_F(Psci, OtherOwnersAreNotSupported)
{
    const u32 refused[] = {
        0x81000000,  // CPU service
        0x83000000,  // OEM service
        0x85000000,  // standard hypervisor service
        0xc6000001,  // vendor-specific hypervisor service (SMC64)
        0x86000000,  // vendor-specific hypervisor service (SMC32)
        0x87000000,  // reserved owner 7
        0xaf000000,  // reserved owner 47
        0xb0000000,  // trusted application (owner 48)
        0xb1000000,  // trusted application (owner 49)
        0xb2000000,  // trusted OS (owner 50)
        0xbf00ffff,  // trusted OS (owner 63)
        0xf2000000,  // trusted OS, SMC64
    };
    for (u32 fn : refused) {
        SmcDecision d = call(0, ALL, fn, 1, 2, 3);
        EXPECT_EQ(d.action, SmcAction::ANSWER) << std::hex << fn;
        EXPECT_EQ(d.result, NOT_SUPPORTED) << std::hex << fn;
    }
}

TEST_F(Psci, ArchitectureAndSiliconProviderCallsAreForwarded)
{
    const u32 forwarded[] = {
        0x80000000,  // SMCCC_VERSION
        0x80000001,  // SMCCC_ARCH_FEATURES
        0x80008000,  // SMCCC_ARCH_WORKAROUND_1
        0x80007fff,  // SMCCC_ARCH_WORKAROUND_2
        0x82000000,  // SiP, SMC32
        0x8200ff00,  // SiP, SMC32
        0xc2000010,  // SiP, SMC64
    };
    for (u32 fn : forwarded) {
        SCOPED_TRACE(::testing::Message() << std::hex << fn);
        expect_forward(call(0, ALL, fn, 1, 2, 3));
    }
}
