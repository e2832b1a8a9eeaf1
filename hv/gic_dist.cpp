// SPDX-License-Identifier: GPL-2.0
#include "hv/gic_dist.hpp"

#include "arch/affinity.hpp"

namespace moat {

namespace {
using namespace gicd;

bool owns(const GicdOwner &o, u32 intid)
{
    return intid < GIC_INTID_LIMIT && (o.irq_bitmap[intid / 32] >> (intid % 32)) & 1;
}

// Mask of the bits in a 32-bit register at `offset` (from the start of a register block with
// `bits` bits per INTID) that belong to interrupts the owner has.
u32 owned_mask(const GicdOwner &o, u64 offset, unsigned bits)
{
    u32 per_reg = 32 / bits;
    u32 first = static_cast<u32>(offset / 4) * per_reg;
    u32 field = bits == 32 ? ~0u : (1u << bits) - 1;
    u32 mask = 0;
    for (u32 i = 0; i < per_reg; i++)
        if (owns(o, first + i))
            mask |= field << (i * bits);
    return mask;
}

bool routable(const GicdOwner &o, u64 route)
{
    if (route & arm64::IROUTER_IRM)
        return false;  // "any CPU" could be another cell's
    for (u32 i = 0; i < o.num_cpus; i++)
        if (arm64::irouter_of(o.cpu_mpidr[i]) == (route & arm64::IROUTER_AFF_MASK))
            return true;
    return false;
}

// Registers with `bits` bits per INTID, starting at `base`, 128 bytes long per bit of width.
MmioResult per_irq_register(const GicdBackend &hw, const GicdOwner &o, MmioAccess &a, u64 base,
                            unsigned bits, bool set_clear)
{
    u64 rel = a.offset - base;
    u64 word = rel & ~u64{3};
    u32 mask = owned_mask(o, word, bits);
    if (a.size == 1 && bits == 8) {
        // Byte access to a priority: allowed when that one interrupt is owned.
        u32 shift = static_cast<u32>(rel & 3) * 8;
        if (!((mask >> shift) & 0xff))
            return a.write ? MmioResult::HANDLED : (a.value = 0, MmioResult::HANDLED);
        u32 cur = hw.read32(base + word);
        if (a.write)
            hw.write32(base + word, (cur & ~(0xffu << shift)) | (static_cast<u32>(a.value & 0xff) << shift));
        else
            a.value = (cur >> shift) & 0xff;
        return MmioResult::HANDLED;
    }
    if (a.size != 4)
        return MmioResult::DENIED;
    if (!a.write) {
        a.value = mask ? hw.read32(a.offset) & mask : 0;
        return MmioResult::HANDLED;
    }
    if (!mask)
        return MmioResult::HANDLED;
    u32 v = static_cast<u32>(a.value);
    if (set_clear)  // writing 0 leaves a bit alone: just drop the foreign ones
        hw.write32(a.offset, v & mask);
    else
        hw.write32(a.offset, (hw.read32(a.offset) & ~mask) | (v & mask));
    return MmioResult::HANDLED;
}

MmioResult irouter(const GicdBackend &hw, const GicdOwner &o, MmioAccess &a)
{
    u64 rel = a.offset - IROUTER;
    u32 intid = static_cast<u32>(rel / 8);
    bool high = rel & 4;
    if (!(a.size == 8 && !high) && a.size != 4)
        return MmioResult::DENIED;
    u64 reg = IROUTER + u64{intid} * 8;
    if (!owns(o, intid)) {
        if (!a.write)
            a.value = 0;
        return MmioResult::HANDLED;
    }
    if (!a.write) {
        u64 v = hw.read64(reg);
        a.value = a.size == 8 ? v : (high ? v >> 32 : v & 0xffffffff);
        return MmioResult::HANDLED;
    }
    u64 route = a.value;
    if (a.size == 4) {
        u64 cur = hw.read64(reg);
        route = high ? (cur & 0xffffffffull) | (a.value << 32) : (cur & ~0xffffffffull) | (a.value & 0xffffffff);
    }
    if (routable(o, route))
        hw.write64(reg, route);
    // A route to a foreign CPU is ignored: the interrupt stays where it was.
    return MmioResult::HANDLED;
}

MmioResult read_only(const GicdBackend &hw, MmioAccess &a)
{
    if (a.size != 4)
        return MmioResult::DENIED;
    if (!a.write)
        a.value = hw.read32(a.offset);
    return MmioResult::HANDLED;
}

MmioResult raz_wi(MmioAccess &a)
{
    if (!a.write)
        a.value = 0;
    return MmioResult::HANDLED;
}

// GICD_ITARGETSR<n>: one byte per INTID. 0..7 (SGIs, PPIs) are banked and read-only: they
// tell the calling CPU its own bit.
MmioResult itargetsr(const GicdBackend &hw, const GicdOwner &o, MmioAccess &a)
{
    if (a.size != 1 && a.size != 4)
        return MmioResult::DENIED;
    u64 rel = a.offset - ITARGETSR;
    u64 word = rel & ~u64{3};
    u32 shift = static_cast<u32>(rel & 3) * 8;
    u32 bytes = a.size == 4 ? ~0u : 0xffu << shift;
    u32 cur = hw.read32(ITARGETSR + word);
    // One byte per INTID: the byte offset is the INTID. SGIs and PPIs are banked and read-only.
    u32 mask = word < GIC_PRIVATE_COUNT ? ~0u : owned_mask(o, word, 8);
    if (!a.write) {
        u32 v = cur & mask;
        a.value = a.size == 4 ? v : (v >> shift) & 0xff;
        return MmioResult::HANDLED;
    }
    if (word < GIC_PRIVATE_COUNT)
        return MmioResult::HANDLED;
    u32 req = a.size == 4 ? static_cast<u32>(a.value) : static_cast<u32>(a.value & 0xff) << shift;
    u32 v = itargetsr_filter(cur, req, mask & bytes, o.targets);
    if (v != cur)
        hw.write32(ITARGETSR + word, v);
    return MmioResult::HANDLED;
}
// The per-interrupt registers both GIC versions lay out alike: group, set/clear enable,
// pending and active, priority, configuration. False if the access is to none of them.
bool shared_per_irq_register(const GicdBackend &hw, const GicdOwner &o, MmioAccess &a, MmioResult &r)
{
    u64 off = a.offset;
    if (off >= IGROUPR && off < IGROUPR + 0x80)
        r = a.write ? (a.size == 4 ? MmioResult::HANDLED : MmioResult::DENIED)
                    : per_irq_register(hw, o, a, IGROUPR, 1, false);
    else if (off >= ISENABLER && off < ICACTIVER + 0x80)
        r = per_irq_register(hw, o, a, off & ~u64{0x7f}, 1, true);
    else if (off >= IPRIORITYR && off < IPRIORITYR + 0x400)
        r = per_irq_register(hw, o, a, IPRIORITYR, 8, false);
    else if (off >= ICFGR && off < ICFGR + 0x100)
        r = per_irq_register(hw, o, a, ICFGR, 2, false);
    else
        return false;
    return true;
}

// GICD_IGRPMODR / GICR_IGRPMODR0: groups are the hypervisor's; reads show the owned bits, a
// 32-bit write is ignored, any other write refused.
MmioResult group_modifier(const GicdBackend &hw, const GicdOwner &o, MmioAccess &a)
{
    if (a.write)
        return a.size == 4 ? MmioResult::HANDLED : MmioResult::DENIED;
    return per_irq_register(hw, o, a, IGRPMODR, 1, false);
}
}  // namespace

u32 gicd::sgir_filter(u32 value, u32 targets, u32 self, u32 reserved_sgi)
{
    u32 intid = value & SGIR_INTID_MASK;
    if (intid == reserved_sgi)
        return 0;
    u32 list;
    switch ((value >> SGIR_FILTER_SHIFT) & SGIR_FILTER_MASK) {
    case SGIR_FILTER_LIST:
        list = (value >> SGIR_TARGETS_SHIFT) & SGIR_TARGETS_MASK;
        break;
    case SGIR_FILTER_OTHERS:
        list = ~self;
        break;
    case SGIR_FILTER_SELF:
        list = self;
        break;
    default:
        return 0;
    }
    list &= targets & SGIR_TARGETS_MASK;
    if (!list)
        return 0;
    return (list << SGIR_TARGETS_SHIFT) | (value & SGIR_NSATT) | intid;
}

u32 gicd::itargetsr_filter(u32 cur, u32 req, u32 writable, u32 targets)
{
    u32 v = cur;
    for (u32 shift = 0; shift < 32; shift += 8) {
        if (!((writable >> shift) & 0xff))
            continue;
        u32 t = (req >> shift) & targets & 0xff;
        if (t)
            v = (v & ~(0xffu << shift)) | (t << shift);
    }
    return v;
}

MmioResult gicd_access_v2(const GicdBackend &hw, const GicdOwner &owner, MmioAccess &a)
{
    u64 off = a.offset;
    if (off >= SIZE || (off & (a.size - 1)))
        return MmioResult::DENIED;
    // The calling CPU's banked SGIs and PPIs count as its own, as far as the hypervisor lets.
    u32 bits[32];
    for (u32 i = 0; i < 32; i++)
        bits[i] = owner.irq_bitmap[i];
    bits[0] = owner.private_mask;
    GicdOwner o = owner;
    o.irq_bitmap = bits;
    if (off == CTLR || off == TYPER || off == IIDR || (off >= V2_ID_REGS && off < 0x1000))
        return read_only(hw, a);
    MmioResult r;
    if (shared_per_irq_register(hw, o, a, r))
        return r;
    if (off >= ITARGETSR && off < ITARGETSR + 0x400)
        return itargetsr(hw, o, a);
    if (off == SGIR) {
        if (a.size != 4)
            return MmioResult::DENIED;
        if (a.write) {
            u32 v = sgir_filter(static_cast<u32>(a.value), owner.targets, owner.self_target, MGMT_SGI);
            if (v)
                hw.write32(SGIR, v);
        } else {
            a.value = 0;  // write-only
        }
        return MmioResult::HANDLED;
    }
    return raz_wi(a);  // NSACR, CPENDSGIR/SPENDSGIR, implementation defined, reserved
}

MmioResult gicd_access(const GicdBackend &hw, const GicdOwner &o, MmioAccess &a)
{
    u64 off = a.offset;
    if (off >= SIZE || (off & (a.size - 1)))
        return MmioResult::DENIED;
    if (off == CTLR || off == TYPER || off == IIDR || off == TYPER2 || off >= ID_REGS)
        return read_only(hw, a);  // the hypervisor set the distributor up; cells only look
    MmioResult r;
    if (shared_per_irq_register(hw, o, a, r))
        return r;
    if (off >= IGRPMODR && off < IGRPMODR + 0x80)
        return group_modifier(hw, o, a);
    if (off >= IROUTER + GIC_SPI_FIRST * 8 && off < IROUTER + GIC_SPI_END * 8)
        return irouter(hw, o, a);
    return raz_wi(a);  // ITARGETSR (unused with affinity routing), NSACR, SGIR, reserved
}

MmioResult gicr_sgi_access(const GicdBackend &hw, u32 private_mask, MmioAccess &a)
{
    u64 off = a.offset;
    if (off >= SIZE || (off & (a.size - 1)))
        return MmioResult::DENIED;
    u32 bits[32] = {private_mask};
    GicdOwner o{bits, nullptr, 0, private_mask, 0, 0};
    MmioResult r;
    if (shared_per_irq_register(hw, o, a, r))
        return r;
    if (off >= IGRPMODR && off < IGRPMODR + 0x80)
        return group_modifier(hw, o, a);
    return raz_wi(a);  // NSACR (Secure only), extended PPI ranges beyond word 0, reserved
}

namespace {
u32 word_of(u32 intid) { return intid / 32 * 4; }
u32 bit_of(u32 intid) { return 1u << (intid % 32); }

void spi_quiesce(const GicdBackend &hw, u32 intid)
{
    hw.write32(ICENABLER + word_of(intid), bit_of(intid));
    hw.write32(ICPENDR + word_of(intid), bit_of(intid));
    hw.write32(ICACTIVER + word_of(intid), bit_of(intid));
}

void set_bit(const GicdBackend &hw, u64 reg, u32 intid, bool on)
{
    u32 cur = hw.read32(reg + word_of(intid));
    u32 v = on ? cur | bit_of(intid) : cur & ~bit_of(intid);
    if (v != cur)
        hw.write32(reg + word_of(intid), v);
}

void set_byte(const GicdBackend &hw, u64 reg, u32 intid, u8 value)
{
    u64 word = reg + (intid & ~3u);
    u32 shift = (intid % 4) * 8;
    hw.write32(word, (hw.read32(word) & ~(0xffu << shift)) | (u32{value} << shift));
}
}  // namespace

void gicd_spi_lend(const GicdBackend &hw, u32 version, u32 intid, GicdSpiSaved &saved)
{
    u32 cfg_shift = (intid % 16) * 2 + 1;  // Int_config[1]: 1 edge, 0 level
    saved = {};
    saved.priority = static_cast<u8>(hw.read32(IPRIORITYR + (intid & ~3u)) >> ((intid % 4) * 8));
    if (hw.read32(IGROUPR + word_of(intid)) & bit_of(intid))
        saved.flags |= SAVED_GROUP1;
    if (version == 3 && (hw.read32(IGRPMODR + word_of(intid)) & bit_of(intid)))
        saved.flags |= SAVED_GRPMOD;
    if (hw.read32(ISENABLER + word_of(intid)) & bit_of(intid))
        saved.flags |= SAVED_ENABLED;
    if ((hw.read32(ICFGR + intid / 16 * 4) >> cfg_shift) & 1)
        saved.flags |= SAVED_EDGE;
    if (version == 3) {
        u64 route = hw.read64(IROUTER + u64{intid} * 8);
        saved.route_lo = static_cast<u32>(route);
        saved.route_hi = static_cast<u8>(route >> 32);
    } else {
        saved.route_lo = (hw.read32(ITARGETSR + (intid & ~3u)) >> ((intid % 4) * 8)) & 0xff;
    }
    spi_quiesce(hw, intid);
}

u64 route_of(const GicdBackend &hw, u32 version, u32 intid)
{
    if (version == 3)
        return hw.read64(IROUTER + u64{intid} * 8);
    return (hw.read32(ITARGETSR + (intid & ~3u)) >> ((intid % 4) * 8)) & 0xff;
}

void set_route(const GicdBackend &hw, u32 version, u32 intid, u64 route)
{
    if (version == 3)
        hw.write64(IROUTER + u64{intid} * 8, route);
    else
        set_byte(hw, ITARGETSR, intid, static_cast<u8>(route));
}

u64 gicd::reroute(u32 version, u64 route, const GicdReroute &r)
{
    if (version != 3) {
        u64 rest = route & ~u64{r.off_targets} & 0xff;
        return rest == (route & 0xff) ? route : (rest ? rest : r.to);
    }
    if (route & arm64::IROUTER_IRM)
        return r.num_off ? r.to : route;
    for (u32 i = 0; i < r.num_off; i++)
        if (arm64::irouter_of(r.off_mpidr[i]) == (route & arm64::IROUTER_AFF_MASK))
            return r.to;
    return route;
}

u32 gicd_reroute_spis(const GicdBackend &hw, u32 version, const u32 *irqs, const GicdReroute &r)
{
    u32 moved = 0;
    for (u32 intid = GIC_PRIVATE_COUNT; intid < GIC_SPI_END; intid++) {
        if (!((irqs[intid / 32] >> (intid % 32)) & 1))
            continue;
        u64 cur = route_of(hw, version, intid);
        u64 want = gicd::reroute(version, cur, r);
        if (want != cur) {
            set_route(hw, version, intid, want);
            moved++;
        }
    }
    return moved;
}

void gicd_spi_return(const GicdBackend &hw, u32 version, u32 intid, const GicdSpiSaved &saved,
                     const GicdReroute *off)
{
    spi_quiesce(hw, intid);
    set_bit(hw, IGROUPR, intid, saved.flags & SAVED_GROUP1);
    if (version == 3)
        set_bit(hw, IGRPMODR, intid, saved.flags & SAVED_GRPMOD);
    set_byte(hw, IPRIORITYR, intid, saved.priority);
    // The trigger is changed only while the interrupt is disabled (above).
    u64 cfg = ICFGR + intid / 16 * 4;
    u32 cfg_bit = 1u << ((intid % 16) * 2 + 1);
    u32 cur = hw.read32(cfg);
    u32 want = (saved.flags & SAVED_EDGE) ? cur | cfg_bit : cur & ~cfg_bit;
    if (want != cur)
        hw.write32(cfg, want);
    u64 route = version == 3 ? u64{saved.route_lo} | u64{saved.route_hi} << 32 : saved.route_lo;
    set_route(hw, version, intid, off ? gicd::reroute(version, route, *off) : route);
    if (saved.flags & SAVED_ENABLED)
        hw.write32(ISENABLER + word_of(intid), bit_of(intid));
}

}  // namespace moat
