// MPIDR affinity and where the GICv3 registers put it (arch/arm64/include/arch/affinity.hpp),
// against values written out by hand from the register layouts (GICv3 architecture
// specification, IHI 0069: GICR_TYPER 12.11.37, GICD_IROUTER 12.9.22, ICC_SGI1R_EL1 12.2.22).
#include <gtest/gtest.h>

#include "arch/affinity.hpp"

using namespace moat;
using namespace moat::arm64;

namespace {

// Aff3 0x0a, Aff2 0x03, Aff1 0x02, Aff0 0x01, with RES1 bit 31, U (bit 30) clear and MT (bit 24)
// set: the non-affinity bits must never reach a GIC register.
constexpr u64 MPIDR = 0x0000000a81030201ull;

TEST(Affinity, MaskKeepsOnlyTheFourAffinityFields)
{
    EXPECT_EQ(mpidr_affinity(MPIDR), 0x0a00030201ull);
    EXPECT_EQ(mpidr_aff(MPIDR, 0), 0x01u);
    EXPECT_EQ(mpidr_aff(MPIDR, 1), 0x02u);
    EXPECT_EQ(mpidr_aff(MPIDR, 2), 0x03u);
    EXPECT_EQ(mpidr_aff(MPIDR, 3), 0x0au);
    EXPECT_TRUE(same_cpu(MPIDR, 0x0a00030201ull));
    EXPECT_FALSE(same_cpu(MPIDR, 0x0a00030202ull));
    EXPECT_FALSE(same_cpu(MPIDR, 0x0b00030201ull));
}

TEST(Affinity, GicrTyperPacksAff3Aff2Aff1Aff0)
{
    EXPECT_EQ(gicr_typer_affinity(MPIDR), 0x0a030201u);
    EXPECT_EQ(gicr_typer_affinity(0), 0u);
    EXPECT_EQ(gicr_typer_affinity(0xff00ffffffull), 0xffffffffu);
}

TEST(Affinity, IrouterKeepsTheMpidrPositionsWithoutIrm)
{
    EXPECT_EQ(irouter_of(MPIDR), 0x0a00030201ull);
    EXPECT_EQ(irouter_of(MPIDR) & IROUTER_IRM, 0u);
    EXPECT_EQ(IROUTER_IRM, u64{1} << 31);
}

TEST(Affinity, Sgi1rAddressesOneCpu)
{
    // INTID 15 [27:24], Aff1 2 [23:16], Aff2 3 [39:32], Aff3 0x0a [55:48], RS 0, TargetList bit 1.
    EXPECT_EQ(sgi1r_to(MPIDR, 15), 0x000a00030f020002ull);
    EXPECT_EQ(sgi1r_intid(0x000a00030f020002ull), 15u);
    // Aff0 19 is in range 1 (RS [47:44]), bit 3 of the target list.
    EXPECT_EQ(sgi1r_to(0x0000000000000013ull, 2), 0x0000100002000008ull);
    // An INTID above 15 is not an SGI: only its low four bits fit.
    EXPECT_EQ(sgi1r_to(0, 0x1f) >> sgi1r::INTID_SHIFT, 0xfu);
}

TEST(Affinity, Sgi1rTargetsGoBackToTheirMpidr)
{
    const u64 cpus[] = {0, 1, 0x0f, 0x10, 0x13, 0xff, 0x0100, 0x0a00030201ull, 0xff00ffffffull};
    for (u64 mpidr : cpus) {
        u64 v = sgi1r_to(mpidr, 1);
        u64 range = (v >> sgi1r::RS_SHIFT) & sgi1r::RS_MASK;
        unsigned bit = __builtin_ctzll(v & sgi1r::TARGET_LIST_MASK);
        EXPECT_EQ(sgi1r_mpidr(v, range * sgi1r::TARGETS_PER_RANGE + bit), mpidr) << std::hex << mpidr;
        EXPECT_EQ(sgi1r_group(mpidr), v & sgi1r::GROUP_MASK) << std::hex << mpidr;
    }
}

}  // namespace
