// SPDX-License-Identifier: GPL-2.0
#include "arch/gicv3.hpp"

#include <moat/abi.h>

#include "arch/affinity.hpp"
#include "arch/cpu.hpp"
#include "arch/sysreg.h"
#include "hv/spinlock.hpp"
#include "hv/stats.hpp"

namespace moat::arm64 {

namespace {
struct GicConfig {
    u64 gicd_base, gicd_size;
    u64 gicr_base, gicr_size;
    u32 maint_intid;
    // Where the redistributor frames really end (after the one whose GICR_TYPER says Last): the
    // board tree may declare room for more (QEMU virt: 123 frames for 4 CPUs), and nothing
    // answers past the last. A read there is an external abort, at EL2 if the hypervisor does it.
    u64 gicr_end;
} gic;

// Linux's default interrupt priority; injected interrupts keep the guest's masking working.
constexpr u8 INJECT_PRIORITY = 0xa0;

u32 read32(u64 a) { return *reinterpret_cast<volatile u32 *>(a); }
void write32(u64 a, u32 v) { *reinterpret_cast<volatile u32 *>(a) = v; }
u64 read64(u64 a) { return *reinterpret_cast<volatile u64 *>(a); }
void write64(u64 a, u64 v) { *reinterpret_cast<volatile u64 *>(a) = v; }

// The distributor as the filter sees it: offsets from GICD base.
u32 gicd_read32(u64 off) { return *reinterpret_cast<volatile u32 *>(gic.gicd_base + off); }
void gicd_write32(u64 off, u32 v) { write32(gic.gicd_base + off, v); }
u64 gicd_read64(u64 off) { return read64(gic.gicd_base + off); }
void gicd_write64(u64 off, u64 v) { write64(gic.gicd_base + off, v); }
constexpr GicdBackend gicd_hw{gicd_read32, gicd_write32, gicd_read64, gicd_write64};
// Read-modify-write of shared distributor registers by two cells at once must not interleave.
SpinLock gicd_lock;

}  // namespace

// ICH_LR<n>_EL2 by number: the register is in the instruction's encoding, so each is a branch
// into a table of 16 two-instruction entries (`mrs`/`msr`, `ret`), n taken modulo 16 (the
// architecture has at most 16). Five instructions, where a `switch` took thirteen; this is on
// every interrupt's path.
extern "C" u64 gicv3_lr_read(unsigned n);
extern "C" void gicv3_lr_write(unsigned n, u64 v);
asm(R"(
	.pushsection .text.gicv3_lr, "ax", %progbits
	.balign	8
	.globl	gicv3_lr_read
	.type	gicv3_lr_read, %function
gicv3_lr_read:
	and	x0, x0, #15
	adr	x1, 1f
	add	x1, x1, x0, lsl #3
	br	x1
1:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	mrs	x0, ich_lr\n\()_el2
	ret
	.endr
	.size	gicv3_lr_read, . - gicv3_lr_read
	.globl	gicv3_lr_write
	.type	gicv3_lr_write, %function
gicv3_lr_write:
	and	x0, x0, #15
	adr	x2, 1f
	add	x2, x2, x0, lsl #3
	br	x2
1:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	msr	ich_lr\n\()_el2, x1
	ret
	.endr
	.size	gicv3_lr_write, . - gicv3_lr_write
	.popsection
)");

namespace {
u64 lr_read(unsigned n) { return gicv3_lr_read(n); }
void lr_write(unsigned n, u64 v) { gicv3_lr_write(n, v); }


// SGIs were already deactivated physically when taken: they go in without the hardware bit.
// ICH_ELRSR_EL2 has a bit per empty list register: one read, and only the ones in use (a
// handful) are read for an INTID already there (this is on every interrupt's path).
// The owner was checked by the caller (gic_take after gicv3_handle_irq's check; a waiting copy
// by gic_retry_pending).
[[gnu::always_inline]] inline GicInject try_inject(GicCpu &g, u32 intid)
{
    u64 all = (u64{1} << g.nr_lrs) - 1;
    u64 used = ~read_sysreg(ich_elrsr_el2) & all;
    GicLrPick pick = gic_pick_lr(used, all, intid, [](unsigned n) { return gicv3_lr_live_intid(lr_read(n)); });
    if (pick.result == GicInject::DONE)
        lr_write(pick.lr, gicv3_lr_value(intid, intid >= GIC_SGI_COUNT, INJECT_PRIORITY));
    else if (pick.result == GicInject::HELD)
        lr_write(pick.lr, gicv3_lr_hold(lr_read(pick.lr)));
    return pick.result;
}

// List registers the guest deactivated that asked for an end-of-interrupt maintenance interrupt
// (gicv3_lr_hold): emptied, so that the copy waiting for them can go in.
void clear_ended_holds()
{
    for (u64 ended = read_sysreg(ich_eisr_el2); ended; ended &= ended - 1)
        lr_write(static_cast<unsigned>(__builtin_ctzll(ended)), 0);
}

// Offer the waiting interrupts (still owned by the CPU's owner `cpu`) to free list registers;
// keep the underflow maintenance interrupt armed exactly while some still wait.
[[gnu::noinline]] void flush_waiting(GicCpu &g, u32 cpu)
{
    bool waiting = gic_retry_pending(g, [cpu](u32 intid) { return gic_owner_has(cpu, intid); }, try_inject) != 0;
    if (waiting == g.underflow_armed)
        return;
    u64 hcr = read_sysreg(ich_hcr_el2);
    write_sysreg(ich_hcr_el2, waiting ? (hcr | ICH_HCR_EL2_UIE) : (hcr & ~ICH_HCR_EL2_UIE));
    g.underflow_armed = waiting;
}
// Nothing waiting and nothing armed (the common case) costs one test, inline.
inline void flush_pending(GicCpu &g, u32 cpu)
{
    if (g.npending || g.underflow_armed)
        flush_waiting(g, cpu);
}

// Make `intid` pending again in the physical GIC (it was acknowledged at EL2 but not delivered).
void repend_physical(GicCpu &g, u32 intid)
{
    if (intid < GIC_PRIVATE_COUNT)
        write32(g.redist + gicr::ISPENDR0, 1u << intid);
    else
        write32(gic.gicd_base + gicd::ISPENDR + (intid / 32) * 4, 1u << (intid % 32));
}
}  // namespace

namespace {
MmioResult gicv3_dist_access(const GicdOwner &owner, MmioAccess &a)
{
    LockGuard guard(gicd_lock);
    return gicd_access(gicd_hw, owner, a);
}

// Every active priority of the physical CPU interface forgotten: a cell with direct delivery
// may have acknowledged interrupts it never ended, or written ICC_AP1R<n>_EL1 itself, and an
// active priority left behind masks every interrupt at or below it. ICC_AP<g>R1..3 exist only
// with 6 or more priority bits (ICC_CTLR_EL1.PRIbits).
void clear_active_priorities()
{
    u64 bits = ((read_sysreg(icc_ctlr_el1) >> ICC_CTLR_EL1_PRIBITS_SHIFT) & ICC_CTLR_EL1_PRIBITS_MASK) + 1;
    write_sysreg(icc_ap0r0_el1, 0);
    write_sysreg(icc_ap1r0_el1, 0);
    if (bits >= 6) {
        write_sysreg(icc_ap0r1_el1, 0);
        write_sysreg(icc_ap1r1_el1, 0);
    }
    if (bits >= 7) {
        write_sysreg(icc_ap0r2_el1, 0);
        write_sysreg(icc_ap1r2_el1, 0);
        write_sysreg(icc_ap0r3_el1, 0);
        write_sysreg(icc_ap1r3_el1, 0);
    }
}

// Direct delivery: EL1 uses the physical CPU interface for Group 1 (HCR_EL2.IMO clear: IAR1, EOIR1,
// IGRPEN1, BPR1, AP1R are the physical registers), while HCR_EL2.FMO stays set, so that the
// SGI registers still trap and ICC_PMR_EL1, ICC_CTLR_EL1, ICC_DIR_EL1, ICC_RPR_EL1 and every Group 0
// register are the virtual ones (GICv3 architecture: those four are virtual when IMO or FMO is
// set). So the physical priority mask and EOI mode stay the hypervisor's: every priority let
// through, and EOImode 0 (the cell's EOIR both drops the priority and deactivates; its DIR goes to
// the virtual interface, which is off: ICH_HCR_EL2.En clear, no list register used).
void enter_direct(GicCpu &g)
{
    g.stub_ctlr = read_sysreg(icc_ctlr_el1);
    write_sysreg(ich_vmcr_el2, 0);
    write_sysreg(ich_hcr_el2, 0);
    g.underflow_armed = false;
    clear_active_priorities();
    write_sysreg(icc_pmr_el1, ICC_PMR_ALLOW_ALL);
    write_sysreg(icc_bpr1_el1, 0);
    write_sysreg(icc_ctlr_el1, g.stub_ctlr & ~(ICC_CTLR_EL1_EOIMODE | ICC_CTLR_EL1_CBPR));
    write_sysreg(icc_igrpen1_el1, ICC_IGRPEN1_EN);
    isb();
}

// The cell is gone from this CPU: whatever it did to the physical CPU interface is undone
// (active priorities, group enable, binary point) and EL2's settings are back. Its SGIs and PPIs
// pending or active in the redistributor are cleared when the CPU goes back to the root
// (gicv3_return_cpu); the CPU is powered off next and opened again by gicv3_cpu_power_on.
void leave_direct(GicCpu &g)
{
    write_sysreg(icc_igrpen1_el1, 0);
    clear_active_priorities();
    write_sysreg(icc_pmr_el1, ICC_PMR_ALLOW_ALL);
    write_sysreg(icc_bpr1_el1, 0);
    write_sysreg(icc_ctlr_el1, ICC_CTLR_EL1_EOIMODE);
    write_sysreg(ich_vmcr_el2, 0);
    write_sysreg(ich_ap1r0_el2, 0);
    g.npending = 0;
    g.direct = false;
    isb();
}

// The redistributor frame whose GICR_TYPER names the CPU with affinity `mpidr`, or 0.
u64 find_redist(u64 mpidr)
{
    u64 want = gicr_typer_affinity(mpidr);
    for (u64 f = gic.gicr_base; f + gicr::FRAME_STRIDE <= gic.gicr_base + gic.gicr_size;
         f += gicr::FRAME_STRIDE) {
        u64 typer = read64(f + gicr::TYPER);
        if ((typer >> gicr::TYPER_AFFINITY_SHIFT) == want)
            return f;
        if (typer & gicr::TYPER_LAST)
            break;
    }
    return 0;
}

bool gicv3_cpu_enter(GicCpu &g, u64 mpidr, bool direct)
{
    g.redist = find_redist(mpidr);
    if (!g.redist)
        return false;
    g.nr_lrs = static_cast<u32>((read_sysreg(ich_vtr_el2) & ICH_VTR_EL2_LISTREGS_MASK) + 1);
    g.npending = 0;
    for (unsigned n = 0; n < g.nr_lrs; n++)
        lr_write(n, 0);
    write_sysreg(ich_ap1r0_el2, 0);
    g.direct = direct;
    if (direct) {
        enter_direct(g);
        return true;
    }

    // The virtual interface starts where the kernel left the physical one.
    u64 ctlr = read_sysreg(icc_ctlr_el1);
    g.stub_ctlr = ctlr;
    u64 vmcr = ((read_sysreg(icc_pmr_el1) & ICH_VMCR_EL2_VPMR_MASK) << ICH_VMCR_EL2_VPMR_SHIFT) |
               ((read_sysreg(icc_bpr1_el1) & ICH_VMCR_EL2_VBPR1_MASK) << ICH_VMCR_EL2_VBPR1_SHIFT) |
               ((read_sysreg(icc_bpr0_el1) & ICH_VMCR_EL2_VBPR0_MASK) << ICH_VMCR_EL2_VBPR0_SHIFT);
    if (ctlr & ICC_CTLR_EL1_EOIMODE)
        vmcr |= ICH_VMCR_EL2_VEOIM;
    if (ctlr & ICC_CTLR_EL1_CBPR)
        vmcr |= ICH_VMCR_EL2_VCBPR;
    if (read_sysreg(icc_igrpen1_el1) & ICC_IGRPEN1_EN)
        vmcr |= ICH_VMCR_EL2_VENG1;
    write_sysreg(ich_vmcr_el2, vmcr);
    write_sysreg(ich_hcr_el2, ICH_HCR_EL2_EN);
    g.underflow_armed = false;

    // At EL2: EOIR only drops the priority; the cell's deactivation of the virtual interrupt
    // deactivates the physical one through the hardware bit.
    write_sysreg(icc_ctlr_el1, ctlr | ICC_CTLR_EL1_EOIMODE);
    write32(g.redist + gicr::ISENABLER0, 1u << gic.maint_intid);
    isb();
    return true;
}

void gicv3_cpu_power_on()
{
    // A CPU fresh from power-on has its physical interface masked (PMR 0, group 1 off). The
    // kernel will program the virtual one; the physical one is the hypervisor's to open.
    write_sysreg(icc_pmr_el1, ICC_PMR_ALLOW_ALL);
    write_sysreg(icc_bpr1_el1, 0);
    // No priority active from whatever ran here before (nothing is active on a fresh CPU; an
    // active priority left set would mask every interrupt at or below it).
    write_sysreg(icc_ap0r0_el1, 0);
    write_sysreg(icc_ap1r0_el1, 0);
    write_sysreg(icc_ctlr_el1, ICC_CTLR_EL1_EOIMODE);
    write_sysreg(icc_igrpen1_el1, ICC_IGRPEN1_EN);
    isb();
}

// The physical interface as EL2 uses it, for gicv3_leave_in_flight.
struct LeaveHw {
    GicCpu &g;
    u64 lr_read(unsigned n) { return moat::arm64::lr_read(n); }
    void lr_write(unsigned n, u64 v) { moat::arm64::lr_write(n, v); }
    void deactivate(u32 intid) { write_sysreg(icc_dir_el1, intid); }
    void repend(u32 intid) { repend_physical(g, intid); }
};

void gicv3_cpu_leave(GicCpu &g, bool isolated)
{
    if (g.direct) {
        leave_direct(g);
        return;
    }
    write32(g.redist + gicr::ICENABLER0, 1u << gic.maint_intid);
    // The root's interrupts not taken yet go back to the physical GIC as pending; an isolated
    // cell's go nowhere, nor does anything it left pending or active in the CPU's SGIs and PPIs
    // (docs/security.md, invariant 1; gicv3_return_cpu clears them again before the root gets the
    // CPU back). Enables, groups and priorities stay: the management SGI keeps EL2's settings.
    LeaveHw hw{g};
    gicv3_leave_in_flight(g, !isolated, hw);
    if (isolated) {
        write32(g.redist + gicr::ICPENDR0, ~0u);
        write32(g.redist + gicr::ICACTIVER0, ~0u);
    }

    // Back to the physical interface with the kernel's current settings.
    u64 vmcr = read_sysreg(ich_vmcr_el2);
    write_sysreg(icc_pmr_el1, (vmcr >> ICH_VMCR_EL2_VPMR_SHIFT) & ICH_VMCR_EL2_VPMR_MASK);
    write_sysreg(icc_bpr1_el1, (vmcr >> ICH_VMCR_EL2_VBPR1_SHIFT) & ICH_VMCR_EL2_VBPR1_MASK);
    u64 ctlr = g.stub_ctlr & ~(ICC_CTLR_EL1_EOIMODE | ICC_CTLR_EL1_CBPR);
    if (vmcr & ICH_VMCR_EL2_VEOIM)
        ctlr |= ICC_CTLR_EL1_EOIMODE;
    if (vmcr & ICH_VMCR_EL2_VCBPR)
        ctlr |= ICC_CTLR_EL1_CBPR;
    write_sysreg(icc_ctlr_el1, ctlr);
    write_sysreg(icc_igrpen1_el1, (vmcr & ICH_VMCR_EL2_VENG1) ? ICC_IGRPEN1_EN : 0);
    write_sysreg(ich_hcr_el2, 0);
    g.underflow_armed = false;
    write_sysreg(ich_vmcr_el2, 0);
    write_sysreg(ich_ap1r0_el2, 0);
    isb();
}

u32 gicv3_handle_irq(GicCpu &g, u32 cpu)
{
    u32 intid = static_cast<u32>(read_sysreg(icc_iar1_el1) & ICC_IAR_INTID_MASK);
    if (intid >= GIC_INTID_SPECIAL_FIRST && intid < GIC_INTID_LIMIT)
        return intid;
    write_sysreg(icc_eoir1_el1, intid);  // priority drop only (EOImode 1)
    if (intid == gic.maint_intid) {
        write_sysreg(icc_dir_el1, intid);
        stats_count(cpu, MOAT_EXIT_MAINTENANCE);
        clear_ended_holds();
    } else if (intid == GIC_MGMT_SGI) {
        write_sysreg(icc_dir_el1, intid);
    } else {
        stats_count(cpu, MOAT_EXIT_IRQ);
        if (intid < GIC_SGI_COUNT)
            write_sysreg(icc_dir_el1, intid);  // SGIs have no hardware link: done physically
        if (!gic_owner_has(cpu, intid)) {
            // An SPI of another owner routed here (a route the create could not move, or one in
            // flight while it moved): never injected, never linked; ended here.
            write_sysreg(icc_dir_el1, intid);
            flush_pending(g, cpu);
            return intid;
        }
        GicTake t = gic_take(g, intid, try_inject);
        if (t == GicTake::HELD) {
            stats_count(cpu, MOAT_EXIT_IRQ_HELD);
        } else if (t == GicTake::NO_ROOM) {
            // Nowhere to keep it: give it back to the distributor to be taken again later.
            if (intid >= GIC_SGI_COUNT)
                write_sysreg(icc_dir_el1, intid);
            repend_physical(g, intid);
        }
    }
    flush_pending(g, cpu);
    return intid;
}

void gicv3_route_irqs(const u32 *irqs, u32, u64 mpidr)
{
    LockGuard guard(gicd_lock);
    u64 route = irouter_of(mpidr);
    for (u32 intid = GIC_PRIVATE_COUNT; intid < GIC_SPI_END; intid++) {
        if (!((irqs[intid / 32] >> (intid % 32)) & 1))
            continue;
        write32(gic.gicd_base + gicd::ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
        write64(gic.gicd_base + gicd::IROUTER + u64{intid} * 8, route);
    }
}

// The management SGI's state in a redistributor as the hypervisor needs it: Group 1
// Non-secure (what ICC_IAR1_EL1 takes at EL2), not active, enabled, the highest priority, the
// redistributor awake. Cells cannot change any of it (their SGI_base and RD_base frames are
// trapped and filtered); this is asserted again before every stop all the same, in case a
// redistributor comes back from somewhere in a state the hypervisor did not set.
void assert_mgmt_sgi(u64 redist)
{
    constexpr u32 bit = 1u << GIC_MGMT_SGI;
    write32(redist + gicr::IGROUPR0, read32(redist + gicr::IGROUPR0) | bit);
    write32(redist + gicr::IGRPMODR0, read32(redist + gicr::IGRPMODR0) & ~bit);
    write32(redist + gicr::ICACTIVER0, bit);
    write32(redist + gicr::ISENABLER0, bit);
    u64 prio = redist + gicr::IPRIORITYR0 + (GIC_MGMT_SGI & ~3u);
    write32(prio, read32(prio) & ~(0xffu << ((GIC_MGMT_SGI & 3) * 8)));
    // GICR_WAKER is left alone: cells cannot write it (their RD_base frame is trapped), so
    // ProcessorSleep is set only by the firmware around a powerdown suspend, and clearing it from
    // another CPU could lose the wake request that brings that CPU back to park.
    dsb(ish);
}

void gicv3_send_sgi_to(u32 cpu, u64 mpidr, u32 intid)
{
    const GicCpu &target = cpu_data(cpu)->gic;
    if (intid == GIC_MGMT_SGI && target.redist)
        assert_mgmt_sgi(target.redist);
    write_sysreg(icc_sgi1r_el1, sgi1r_to(mpidr, intid));
    isb();
}

bool gicv3_send_sgi(u64 value, unsigned which)
{
    // The management SGI is the hypervisor's: a cell asking for it gets nothing.
    if (sgi1r_intid(value) == GIC_MGMT_SGI)
        return true;
    switch (which) {
    case 0:
        write_sysreg(icc_sgi1r_el1, value);
        break;
    case 1:
        write_sysreg(icc_asgi1r_el1, value);
        break;
    default:
        write_sysreg(icc_sgi0r_el1, value);
        break;
    }
    isb();
    return true;
}

// A cell's own redistributor frames: those of the CPUs it has, taken from the root meanwhile.
// An isolated cell reaches both through the hypervisor (own_redist_handler): nothing of them is
// mapped for it.
u64 redist_of(u32 cpu)
{
    PerCpu *pc = cpu_data(cpu);
    if (pc && pc->gic.redist)
        return pc->gic.redist;
    // A CPU that has not run under the hypervisor yet (offline in Linux since before enable):
    // found by its affinity, never by its logical number, which need not be the frame's index (a
    // wrong guess would lend the cell another CPU's SGIs and PPIs, a root CPU's timer among them).
    u64 f = pc ? find_redist(pc->mpidr) : 0;
    return f ? f : gic.gicr_base + u64{cpu} * gicr::FRAME_STRIDE;
}

GicFrame gicv3_cpu_frame(u32 cpu, bool)
{
    u64 frame = redist_of(cpu);
    return {frame, frame, gicr::FRAME_STRIDE, true, gicr::FRAME_STRIDE};
}

// A cell (the root included, once it has given CPUs away) sees the other CPUs' redistributor
// frames only as far as walking them to find its own needs: GICR_TYPER and the ID registers
// (PIDR2 says "this is a redistributor") come from the hardware, everything else reads as zero
// and ignores writes.

MmioResult foreign_gicr_handler(void *, MmioAccess &a)
{
    if (a.write)
        return MmioResult::HANDLED;
    u64 frame = a.offset & ~(gicr::FRAME_STRIDE - 1);
    u64 reg = a.offset - frame;
    a.value = 0;
    if (gic.gicr_base + frame >= gic.gicr_end)
        return MmioResult::HANDLED;  // no redistributor there: reads as zero
    if ((reg == gicr::TYPER && (a.size == 8 || a.size == 4)) || (reg == gicr::TYPER + 4 && a.size == 4))
        a.value = read64(gic.gicr_base + frame + gicr::TYPER) >> ((reg - gicr::TYPER) * 8);
    else if (reg >= gicr::ID_REGS && reg < gicr::RD_FRAME_SIZE && a.size == 4)
        a.value = *reinterpret_cast<volatile u32 *>(gic.gicr_base + a.offset);
    if (a.size == 4)
        a.value &= 0xffffffff;
    return MmioResult::HANDLED;
}

// An isolated cell's own RD_base frame (ctx: its physical address). Its SGI frame is mapped, but
// RD_base holds the LPI configuration and pending table addresses: a redistributor with LPIs
// enabled reads and writes those tables by DMA, wherever they point. Cells get no LPIs: those
// registers read as zero and ignore writes, and EnableLPIs reads as zero and keeps what the root
// cell set (Linux enables LPIs on every redistributor at boot, with its own tables, and gets the
// CPU back). What a cell needs to find its redistributor and see it awake passes through; WAKER
// is read-only (a sleeping redistributor would hold back the management SGI).

MmioResult own_rd_handler(void *ctx, MmioAccess &a)
{
    const u64 rd = reinterpret_cast<u64>(ctx);
    const u64 reg = a.offset;
    const bool typer = (reg == gicr::TYPER && (a.size == 8 || a.size == 4)) || (reg == gicr::TYPER + 4 && a.size == 4);
    const bool passes = a.size == 4 && (reg == gicr::CTLR || reg == gicr::IIDR || reg == gicr::STATUSR ||
                                        reg == gicr::WAKER || reg >= gicr::ID_REGS);
    if (a.write) {
        // GICR_CTLR is read-only for a cell: besides EnableLPIs (the root's) its writable bits
        // are DPG0/DPG1NS/DPG1S, which would take the CPU out of 1-of-N distribution and stay so
        // when the CPU goes back to the root (nothing resets them). No cell needs them.
        if (passes && reg == gicr::STATUSR)
            write32(rd + reg, static_cast<u32>(a.value));
        // GICR_WAKER: a cell sees its redistributor awake and cannot put it to sleep
        // (ProcessorSleep may hold back the management SGI).
        return MmioResult::HANDLED;
    }
    a.value = 0;
    if (typer)
        a.value = read64(rd + gicr::TYPER) >> ((reg - gicr::TYPER) * 8);
    else if (passes)
        a.value = *reinterpret_cast<volatile u32 *>(rd + reg) & (reg == gicr::CTLR ? ~gicr::CTLR_ENABLE_LPIS : ~0u);
    if (a.size == 4)
        a.value &= 0xffffffff;
    return MmioResult::HANDLED;
}

// The SGI_base frame of a cell's own redistributor (ctx: its physical address), through the
// distributor's per-interrupt filter. The filter's backend takes offsets from one base: the
// frame being accessed, set under the lock.
u64 sgi_frame;
u32 sgi_read32(u64 off) { return read32(sgi_frame + off); }
void sgi_write32(u64 off, u32 v) { write32(sgi_frame + off, v); }
u64 sgi_read64(u64 off) { return read64(sgi_frame + off); }
void sgi_write64(u64 off, u64 v) { write64(sgi_frame + off, v); }
constexpr GicdBackend sgi_frame_hw{sgi_read32, sgi_write32, sgi_read64, sgi_write64};

// Every SGI and PPI but the management SGI and the maintenance PPI, which are the hypervisor's.
u32 cell_private_mask() { return ~((1u << GIC_MGMT_SGI) | (1u << gic.maint_intid)); }

MmioResult own_redist_handler(void *ctx, MmioAccess &a)
{
    if (a.offset < gicr::RD_FRAME_SIZE)
        return own_rd_handler(ctx, a);
    MmioAccess sub = a;
    sub.offset -= gicr::SGI_BASE;
    LockGuard guard(gicd_lock);
    sgi_frame = reinterpret_cast<u64>(ctx) + gicr::SGI_BASE;
    MmioResult r = gicr_sgi_access(sgi_frame_hw, cell_private_mask(), sub);
    a.value = sub.value;
    return r;
}

// SGIs and PPIs of a CPU a cell takes from the root, as the root left them: given back at
// destroy. Taken and given while the CPU is off.
struct PrivateSaved {
    u32 group, grpmod, enabled, cfg1;
    u32 priority[gicr::PRIORITY_WORDS];
} private_saved[MOAT_MAX_CPUS];
// The root's configuration of each SPI a cell has taken (an SPI has one owner at a time).
GicdSpiSaved spi_saved[GIC_SPI_END];

void wait_redist_write(u64 redist)
{
    for (u32 i = 0; i < 1000000 && (read32(redist + gicr::CTLR) & gicr::CTLR_RWP); i++) {
    }
}

// Nothing of the CPU's SGIs and PPIs enabled, pending or active.
void quiesce_private(u64 redist)
{
    write32(redist + gicr::ICENABLER0, ~0u);
    wait_redist_write(redist);
    write32(redist + gicr::ICPENDR0, ~0u);
    write32(redist + gicr::ICACTIVER0, ~0u);
}

// The CPU goes to a cell: the root's settings saved; the cell finds every SGI and PPI disabled,
// idle, Group 1 Non-secure at the injection priority, and the management SGI ready.
void gicv3_lend_cpu(u32 cpu)
{
    u64 r = redist_of(cpu);
    PrivateSaved &s = private_saved[cpu];
    s.group = read32(r + gicr::IGROUPR0);
    s.grpmod = read32(r + gicr::IGRPMODR0);
    s.enabled = read32(r + gicr::ISENABLER0);
    s.cfg1 = read32(r + gicr::ICFGR1);
    for (u32 i = 0; i < gicr::PRIORITY_WORDS; i++)
        s.priority[i] = read32(r + gicr::IPRIORITYR0 + i * 4);
    quiesce_private(r);
    write32(r + gicr::IGROUPR0, ~0u);
    write32(r + gicr::IGRPMODR0, 0);
    for (u32 i = 0; i < gicr::PRIORITY_WORDS; i++)
        write32(r + gicr::IPRIORITYR0 + i * 4, INJECT_PRIORITY * 0x01010101u);
    assert_mgmt_sgi(r);
}

// The CPU comes back: whatever the cell left, the root's settings as they were, nothing pending
// or active.
void gicv3_return_cpu(u32 cpu)
{
    u64 r = redist_of(cpu);
    const PrivateSaved &s = private_saved[cpu];
    quiesce_private(r);
    write32(r + gicr::IGROUPR0, s.group);
    write32(r + gicr::IGRPMODR0, s.grpmod);
    write32(r + gicr::ICFGR1, s.cfg1);
    for (u32 i = 0; i < gicr::PRIORITY_WORDS; i++)
        write32(r + gicr::IPRIORITYR0 + i * 4, s.priority[i]);
    write32(r + gicr::ISENABLER0, s.enabled);
    dsb(ish);
}

void gicv3_lend_spis(const u32 *irqs)
{
    LockGuard guard(gicd_lock);
    for (u32 intid = GIC_PRIVATE_COUNT; intid < GIC_SPI_END; intid++)
        if ((irqs[intid / 32] >> (intid % 32)) & 1)
            gicd_spi_lend(gicd_hw, 3, intid, spi_saved[intid]);
}

void gicv3_return_spis(const u32 *irqs, const GicdReroute &off)
{
    LockGuard guard(gicd_lock);
    for (u32 intid = GIC_PRIVATE_COUNT; intid < GIC_SPI_END; intid++)
        if ((irqs[intid / 32] >> (intid % 32)) & 1)
            gicd_spi_return(gicd_hw, 3, intid, spi_saved[intid], &off);
}

u32 gicv3_reroute_spis(const u32 *irqs, const GicdReroute &r)
{
    LockGuard guard(gicd_lock);
    return gicd_reroute_spis(gicd_hw, 3, irqs, r);
}

void gicv3_add_cell_mmio(MmioMap &m, u32 cpu_mask)
{
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if (cpu_mask & (1u << cpu)) {
            GicFrame f = gicv3_cpu_frame(cpu, false);
            m.add(f.pa, f.trapped, own_redist_handler, reinterpret_cast<void *>(f.pa));
        }
    m.add(gic.gicr_base, gic.gicr_size, foreign_gicr_handler, nullptr);
}

// The physical priority mask is EL2's (the cell's ICC_PMR_EL1 is the virtual one): open.
bool gicv3_mgmt_sgi_can_signal()
{
    return (read_sysreg(icc_igrpen1_el1) & ICC_IGRPEN1_EN) && (read_sysreg(icc_rpr_el1) & 0xff) != 0;
}

constexpr GicOps gicv3_ops{
    3,
    gicv3_cpu_enter,
    gicv3_cpu_power_on,
    gicv3_cpu_leave,
    gicv3_handle_irq,
    gicv3_send_sgi,
    gicv3_route_irqs,
    gicv3_send_sgi_to,
    gicv3_dist_access,
    gicv3_cpu_frame,
    gicv3_add_cell_mmio,
    gicv3_lend_spis,
    gicv3_return_spis,
    gicv3_reroute_spis,
    gicv3_lend_cpu,
    gicv3_return_cpu,
    gicv3_mgmt_sgi_can_signal,
};
}  // namespace

const GicOps *gicv3_setup(const moat_cell_platform &p)
{
    gic = {p.gicd_base, p.gicd_size, p.gicr_base, p.gicr_size, p.maint_irq, p.gicr_base + p.gicr_size};
    for (u64 f = p.gicr_base; f + gicr::FRAME_STRIDE <= p.gicr_base + p.gicr_size; f += gicr::FRAME_STRIDE) {
        if (read64(f + gicr::TYPER) & gicr::TYPER_LAST) {
            gic.gicr_end = f + gicr::FRAME_STRIDE;
            break;
        }
    }
    return &gicv3_ops;
}

}  // namespace moat::arm64
