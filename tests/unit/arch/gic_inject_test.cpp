// Injection through the list registers (arch/arm64/include/arch/gic.hpp, gicv2.hpp, gicv3.hpp):
// where an interrupt acknowledged at EL2 goes, and the invariant that no two list registers hold
// the same virtual INTID (the architecture leaves that UNPREDICTABLE; a direct-mode cell's
// physical end of interrupt can make a root interrupt come again while its first copy is still
// in a list register: docs/security.md, hostile attack 24).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "arch/gicv2.hpp"
#include "arch/gicv3.hpp"

using namespace moat;
using namespace moat::arm64;

namespace {

// A fake set of list registers: 0 = empty, else the virtual INTID held (pending or active).
struct FakeLrs {
    std::vector<u32> intid;
    explicit FakeLrs(unsigned n) : intid(n, 0) {}
    u64 used() const
    {
        u64 m = 0;
        for (unsigned n = 0; n < intid.size(); n++)
            if (intid[n])
                m |= u64{1} << n;
        return m;
    }
    u64 all() const { return (u64{1} << intid.size()) - 1; }
    GicInject inject(u32 v)
    {
        GicLrPick p = gic_pick_lr(used(), all(), v, [&](unsigned n) { return intid[n] ? intid[n] : GIC_LR_NONE; });
        if (p.result == GicInject::DONE)
            intid[p.lr] = v;
        return p.result;
    }
    unsigned copies(u32 v) const
    {
        unsigned c = 0;
        for (u32 x : intid)
            c += x == v;
        return c;
    }
};

// gic_take/gic_retry_pending want a function of (GicCpu &, u32).
FakeLrs *lrs;
GicInject fake_inject(GicCpu &, u32 v) { return lrs->inject(v); }
// gic_retry_pending's owner check: here every waiting copy is still owned.
bool all_owned(u32) { return true; }

TEST(GicPickLr, FreeRegisterIsTheLowestEmpty)
{
    FakeLrs f(4);
    f.intid[0] = 27;
    GicLrPick p = gic_pick_lr(f.used(), f.all(), 48, [&](unsigned n) { return f.intid[n] ? f.intid[n] : GIC_LR_NONE; });
    EXPECT_EQ(p.result, GicInject::DONE);
    EXPECT_EQ(p.lr, 1u);
}

TEST(GicPickLr, IntidAlreadyInARegisterIsHeldNotInjectedTwice)
{
    FakeLrs f(4);
    f.intid[2] = 48;
    GicLrPick p = gic_pick_lr(f.used(), f.all(), 48, [&](unsigned n) { return f.intid[n] ? f.intid[n] : GIC_LR_NONE; });
    EXPECT_EQ(p.result, GicInject::HELD) << "a second list register with INTID 48 is UNPREDICTABLE";
    EXPECT_EQ(p.lr, 2u) << "the register holding it, to be marked for end-of-interrupt maintenance";
}

TEST(GicPickLr, HeldBeatsFullAndFullWhenNoneFree)
{
    FakeLrs f(2);
    f.intid = {30, 48};
    EXPECT_EQ(f.inject(48), GicInject::HELD);
    EXPECT_EQ(f.inject(33), GicInject::FULL);
}

TEST(GicPickLr, OnlyRegistersInUseAreRead)
{
    unsigned reads = 0;
    gic_pick_lr(0b0101, 0b1111, 48, [&](unsigned n) {
        reads++;
        EXPECT_TRUE(n == 0 || n == 2) << "read list register " << n << ", which is empty";
        return GIC_LR_NONE;
    });
    EXPECT_EQ(reads, 2u);
}

TEST(GicTake, SecondCopyWaitsAndGoesInWhenTheFirstEnds)
{
    FakeLrs f(4);
    lrs = &f;
    GicCpu g{};
    EXPECT_EQ(gic_take(g, 48, fake_inject), GicTake::INJECTED);
    EXPECT_EQ(gic_take(g, 48, fake_inject), GicTake::HELD);
    EXPECT_EQ(f.copies(48), 1u);
    ASSERT_EQ(g.npending, 1u);
    // Retried while the first is still there: still waits, and not for a free register (the
    // underflow maintenance would fire at once with one valid list register).
    EXPECT_EQ(gic_retry_pending(g, all_owned, fake_inject), 0u);
    EXPECT_EQ(g.npending, 1u);
    EXPECT_EQ(f.copies(48), 1u);
    // The guest ends the first (end-of-interrupt maintenance empties its register).
    f.intid[0] = 0;
    EXPECT_EQ(gic_retry_pending(g, all_owned, fake_inject), 0u);
    EXPECT_EQ(g.npending, 0u);
    EXPECT_EQ(f.copies(48), 1u);
}

TEST(GicTake, ThirdCopyMergesWithTheWaitingOne)
{
    FakeLrs f(4);
    lrs = &f;
    GicCpu g{};
    gic_take(g, 48, fake_inject);
    gic_take(g, 48, fake_inject);
    EXPECT_EQ(gic_take(g, 48, fake_inject), GicTake::HELD);
    EXPECT_EQ(g.npending, 1u) << "the GIC keeps one pending state per interrupt";
}

TEST(GicTake, FullRegistersQueueAndCountForUnderflow)
{
    FakeLrs f(2);
    lrs = &f;
    GicCpu g{};
    EXPECT_EQ(gic_take(g, 30, fake_inject), GicTake::INJECTED);
    EXPECT_EQ(gic_take(g, 33, fake_inject), GicTake::INJECTED);
    EXPECT_EQ(gic_take(g, 34, fake_inject), GicTake::WAITING);
    EXPECT_EQ(gic_take(g, 33, fake_inject), GicTake::HELD);
    EXPECT_EQ(gic_retry_pending(g, all_owned, fake_inject), 1u) << "34 waits for a free register, 33 for its first copy";
    f.intid[1] = 0;  // 33 ended
    EXPECT_EQ(gic_retry_pending(g, all_owned, fake_inject), 1u)
        << "in arrival order: 34 takes the freed register, 33 now waits for a free one";
    EXPECT_EQ(f.copies(34), 1u);
    EXPECT_EQ(f.copies(33), 0u);
    ASSERT_EQ(g.npending, 1u);
    EXPECT_EQ(g.pending[0], 33u);
}

// A copy that waits is offered again only while the CPU's owner still owns it: one whose SPI
// changed owners since it was taken is dropped without reaching a list register (gic_take's
// caller checked the owner once at acknowledge; only the queue can outlive an ownership change).
TEST(GicRetryPending, CopyNoLongerOwnedIsDroppedNeverOffered)
{
    FakeLrs f(1);
    lrs = &f;
    GicCpu g{};
    EXPECT_EQ(gic_take(g, 30, fake_inject), GicTake::INJECTED);
    EXPECT_EQ(gic_take(g, 40, fake_inject), GicTake::WAITING);
    EXPECT_EQ(gic_take(g, 41, fake_inject), GicTake::WAITING);
    EXPECT_EQ(gic_take(g, 42, fake_inject), GicTake::WAITING);
    f.intid[0] = 0;  // 30 ended: one register free
    std::vector<u32> offered;
    auto inject = [&](GicCpu &c, u32 v) { offered.push_back(v); return fake_inject(c, v); };
    auto owned = [](u32 v) { return v != 40 && v != 42; };  // 40 and 42 went to another cell
    EXPECT_EQ(gic_retry_pending(g, owned, inject), 0u);
    EXPECT_EQ(offered, std::vector<u32>{41});
    EXPECT_EQ(f.copies(41), 1u);
    EXPECT_EQ(f.copies(40) + f.copies(42), 0u);
    EXPECT_EQ(g.npending, 0u) << "the foreign copies are gone from the queue, not kept";
}

TEST(GicTake, QueueFullIsReported)
{
    FakeLrs f(1);
    lrs = &f;
    GicCpu g{};
    gic_take(g, 30, fake_inject);
    for (u32 i = 0; i < GIC_PENDING_MAX; i++)
        EXPECT_EQ(gic_take(g, 100 + i, fake_inject), GicTake::WAITING);
    EXPECT_EQ(gic_take(g, 200, fake_inject), GicTake::NO_ROOM);
    EXPECT_EQ(gic_take(g, 100, fake_inject), GicTake::HELD) << "already waiting: merged, no room needed";
}

TEST(GicV2Sgi, SameSgiFromTwoSourcesWaitsAndMergesPerSource)
{
    FakeLrs f(4);
    lrs = &f;
    GicCpu g{};
    const u32 from0 = 1, from2 = 1 | (2u << gicc::IAR_CPUID_SHIFT);
    // The fake compares the virtual INTID only, as gicv2's try_inject does.
    auto inject = [](GicCpu &, u32 iar) { return lrs->inject(gicv2_iar_intid(iar)); };
    EXPECT_EQ(gic_take(g, from0, inject), GicTake::INJECTED);
    EXPECT_EQ(gic_take(g, from2, inject), GicTake::HELD);
    EXPECT_EQ(gic_take(g, from2, inject), GicTake::HELD);
    EXPECT_EQ(g.npending, 1u);
    EXPECT_EQ(gic_take(g, from0, inject), GicTake::HELD);
    EXPECT_EQ(g.npending, 2u) << "one pending state per source";
}

// ---- the hold against a model of a GICv3 CPU interface (review2) -------------------------------
// Real gic_take / gic_retry_pending / gic_pick_lr / gicv3_lr_value / gicv3_lr_hold, on list
// registers whose ELRSR, EISR and underflow follow the architecture: ELRSR has a bit per register
// that is invalid and (HW or not EOI); EISR per register invalid, not HW and EOI; underflow (with
// UIE) while at most one register is valid. `try_inject` below restates arch/arm64/gicv3.cpp's.
// Random guest acknowledges and ends, device interrupts, and a direct-mode cell ending physical
// activations behind the registers' back. After every step: no two valid registers hold one
// INTID, a handled maintenance interrupt is no longer asserted (no maintenance loop); at the end,
// with the attacker and devices quiet and the guest ending what it gets, everything drains: no
// interrupt lost in the queue, no physical activation left, no register left asking for EOI.
namespace model {
constexpr unsigned NR_LRS = 4;
constexpr u32 FIRST = 32, COUNT = 6;  // SPIs 32..37
u64 lr[NR_LRS];
bool phys_pending[COUNT], phys_active[COUNT];
bool uie;
unsigned held;  // copies that came while their INTID was in a register or waiting

u64 state(unsigned n) { return gicv3_lr_state(lr[n]); }
u64 elrsr()
{
    u64 m = 0;
    for (unsigned n = 0; n < NR_LRS; n++)
        if (!state(n) && ((lr[n] & ICH_LR_HW) || !(lr[n] & ICH_LR_EOI)))
            m |= u64{1} << n;
    return m;
}
u64 eisr()
{
    u64 m = 0;
    for (unsigned n = 0; n < NR_LRS; n++)
        if (!state(n) && !(lr[n] & ICH_LR_HW) && (lr[n] & ICH_LR_EOI))
            m |= u64{1} << n;
    return m;
}
unsigned valid()
{
    unsigned v = 0;
    for (unsigned n = 0; n < NR_LRS; n++)
        v += state(n) != 0;
    return v;
}
bool maintenance() { return eisr() || (uie && valid() <= 1); }

GicInject try_inject(GicCpu &, u32 intid)
{
    u64 all = (u64{1} << NR_LRS) - 1;
    u64 used = ~elrsr() & all;
    GicLrPick pick = gic_pick_lr(used, all, intid, [](unsigned n) { return gicv3_lr_live_intid(lr[n]); });
    if (pick.result == GicInject::DONE)
        lr[pick.lr] = gicv3_lr_value(intid, intid >= 16, 0xa0);
    else if (pick.result == GicInject::HELD)
        lr[pick.lr] = gicv3_lr_hold(lr[pick.lr]);
    return pick.result;
}
void flush(GicCpu &g) { uie = gic_retry_pending(g, all_owned, try_inject) != 0; }

void handle_maintenance(GicCpu &g)
{
    for (u64 ended = eisr(); ended; ended &= ended - 1)
        lr[__builtin_ctzll(ended)] = 0;  // clear_ended_holds
    flush(g);
}
// EL2 takes a physical interrupt (EOImode 1: priority dropped, still active).
void el2_take(GicCpu &g, u32 i)
{
    phys_pending[i] = false;
    phys_active[i] = true;
    GicTake t = gic_take(g, FIRST + i, try_inject);
    held += t == GicTake::HELD;
    if (t == GicTake::NO_ROOM) {
        phys_active[i] = false;
        phys_pending[i] = true;
    }
    flush(g);
}
void set_state(unsigned n, u64 st) { lr[n] = (lr[n] & ~(ICH_LR_STATE_MASK << ICH_LR_STATE_SHIFT)) | (st << ICH_LR_STATE_SHIFT); }
void guest_ack(unsigned n) { set_state(n, ICH_LR_STATE_ACTIVE); }
// The guest's end (EOImode 0): the virtual one, and through the hardware bit the physical one.
void guest_end(unsigned n)
{
    set_state(n, state(n) & ~ICH_LR_STATE_ACTIVE);
    if (lr[n] & ICH_LR_HW)
        phys_active[((lr[n] >> ICH_LR_PINTID_SHIFT) & ICH_LR_PINTID_MASK) - FIRST] = false;
}
void check_no_duplicates()
{
    for (unsigned a = 0; a < NR_LRS; a++)
        for (unsigned b = a + 1; b < NR_LRS; b++)
            if (state(a) && state(b)) {
                ASSERT_NE(lr[a] & ICH_LR_VINTID_MASK, lr[b] & ICH_LR_VINTID_MASK) << "LRs " << a << ", " << b;
            }
}
// One event; `hostile`: devices and the direct cell act too. False when nothing could happen.
bool step(GicCpu &g, std::mt19937 &rng, bool hostile)
{
    if (maintenance()) {
        handle_maintenance(g);
        EXPECT_FALSE(maintenance()) << "maintenance still asserted after its handler: it would loop";
        return true;
    }
    std::vector<int> moves;
    for (u32 i = 0; i < COUNT; i++)
        if (phys_pending[i] && !phys_active[i])
            moves.push_back(int(i));  // EL2 takes it
    for (unsigned n = 0; n < NR_LRS; n++)
        if (state(n) == ICH_LR_STATE_PENDING)
            moves.push_back(100 + int(n));  // guest acknowledges
        else if (state(n) & ICH_LR_STATE_ACTIVE)
            moves.push_back(200 + int(n));  // guest ends
    if (hostile) {
        moves.push_back(300 + int(rng() % COUNT));  // the device raises it
        moves.push_back(400 + int(rng() % COUNT));  // the direct cell ends it physically
    }
    if (moves.empty())
        return false;
    int m = moves[rng() % moves.size()];
    if (m < 100)
        el2_take(g, u32(m));
    else if (m < 200)
        guest_ack(unsigned(m - 100));
    else if (m < 300)
        guest_end(unsigned(m - 200));
    else if (m < 400)
        phys_pending[m - 300] = true;
    else
        phys_active[m - 400] = false;
    return true;
}
}  // namespace model

TEST(GicHoldModel, NoDuplicateNoLoopAndEverythingDrains)
{
    using namespace model;
    held = 0;
    for (unsigned seed = 1; seed <= 300; seed++) {
        std::mt19937 rng(seed);
        GicCpu g{};
        std::fill(std::begin(lr), std::end(lr), 0);
        std::fill(std::begin(phys_pending), std::end(phys_pending), false);
        std::fill(std::begin(phys_active), std::end(phys_active), false);
        uie = false;
        for (int i = 0; i < 400; i++) {
            step(g, rng, true);
            check_no_duplicates();
            if (HasFailure())
                FAIL() << "seed " << seed << " step " << i;
        }
        int quiet = 0;
        while (step(g, rng, false) && quiet < 10000) {
            quiet++;
            check_no_duplicates();
            if (HasFailure())
                FAIL() << "seed " << seed << " drain step " << quiet;
        }
        ASSERT_LT(quiet, 10000) << "seed " << seed << ": never drains";
        EXPECT_EQ(g.npending, 0u) << "seed " << seed << ": an interrupt left waiting for ever";
        for (unsigned n = 0; n < NR_LRS; n++)
            EXPECT_EQ(lr[n] & ((ICH_LR_STATE_MASK << ICH_LR_STATE_SHIFT) | ICH_LR_EOI), 0u) << "seed " << seed << " LR " << n;
        for (u32 i = 0; i < COUNT; i++) {
            EXPECT_FALSE(phys_active[i]) << "seed " << seed << ": INTID " << FIRST + i << " left active";
            EXPECT_FALSE(phys_pending[i]) << "seed " << seed;
        }
        EXPECT_FALSE(uie) << "seed " << seed;
        if (HasFailure())
            return;
    }
    EXPECT_GT(held, 1000u) << "the attack must make copies come again, or this tests nothing";
}

// ---- encodings --------------------------------------------------------------------------------

TEST(GicV3Lr, LiveIntidOnlyWhenPendingOrActive)
{
    u64 lr = gicv3_lr_value(48, true, 0xa0);
    EXPECT_EQ(gicv3_lr_live_intid(lr), 48u);
    u64 active = (lr & ~(ICH_LR_STATE_MASK << ICH_LR_STATE_SHIFT)) | (ICH_LR_STATE_ACTIVE << ICH_LR_STATE_SHIFT);
    EXPECT_EQ(gicv3_lr_live_intid(active), 48u);
    EXPECT_EQ(gicv3_lr_live_intid(active | (ICH_LR_STATE_PENDING << ICH_LR_STATE_SHIFT)), 48u);
    EXPECT_EQ(gicv3_lr_live_intid(lr & ~(ICH_LR_STATE_MASK << ICH_LR_STATE_SHIFT)), GIC_LR_NONE);
}

TEST(GicV3Lr, HoldDropsHardwareLinkAndAsksForEoiMaintenance)
{
    u64 lr = gicv3_lr_value(48, true, 0xa0) | (ICH_LR_STATE_ACTIVE << ICH_LR_STATE_SHIFT);
    u64 held = gicv3_lr_hold(lr);
    EXPECT_FALSE(held & ICH_LR_HW) << "its physical activation is the waiting copy's now";
    EXPECT_TRUE(held & ICH_LR_EOI);
    EXPECT_EQ(held & ((u64{0x1fff} << 32) & ~ICH_LR_EOI), 0u) << "no physical INTID left";
    EXPECT_EQ(gicv3_lr_state(held), gicv3_lr_state(lr));
    EXPECT_EQ(gicv3_lr_live_intid(held), 48u);
    EXPECT_EQ(held >> ICH_LR_PRIORITY_SHIFT & 0xff, 0xa0u);
    EXPECT_TRUE(held & ICH_LR_GROUP1);
    EXPECT_EQ(gicv3_lr_hold(held), held) << "marking twice changes nothing";
    u64 sgi = gicv3_lr_value(3, false, 0xa0);
    EXPECT_EQ(gicv3_lr_hold(sgi), sgi | ICH_LR_EOI);
}

TEST(GicV2Lr, HoldDropsHardwareLinkAndAsksForEoiMaintenance)
{
    u32 lr = gicv2_lr_value(48, 0xa0) | (gich::LR_STATE_ACTIVE << gich::LR_STATE_SHIFT);
    u32 held = gicv2_lr_hold(lr);
    EXPECT_FALSE(held & gich::LR_HW);
    EXPECT_EQ(held, (lr & ~(gich::LR_HW | (0x3ffu << 10))) | gich::LR_EOI);
    EXPECT_EQ(gicv2_lr_live_intid(held), 48u);
    EXPECT_EQ(gicv2_lr_hold(held), held);
    // An SGI keeps its source CPU.
    u32 sgi = gicv2_lr_value(1 | (2u << gicc::IAR_CPUID_SHIFT), 0xa0);
    EXPECT_EQ(gicv2_lr_hold(sgi), sgi | gich::LR_EOI);
    EXPECT_EQ(gicv2_lr_iar(gicv2_lr_hold(sgi)), 1u | (2u << gicc::IAR_CPUID_SHIFT));
    EXPECT_EQ(gicv2_lr_live_intid(sgi & ~(gich::LR_STATE_MASK << gich::LR_STATE_SHIFT)), GIC_LR_NONE);
}

}  // namespace
