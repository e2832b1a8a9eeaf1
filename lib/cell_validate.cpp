// SPDX-License-Identifier: GPL-2.0
// Cell descriptor validation. Every check names the field it rejects, so that a bad descriptor
// can be traced back to the overlay that produced it. Runs on untrusted bytes: all arithmetic
// on addresses is checked for wrap-around before it is used.
#include "lib/cell_validate.hpp"

#include <stdarg.h>

#include "lib/format.hpp"

namespace moat {

namespace {

constexpr size_t CHECKSUM_OFFSET = offsetof(moat_cell_desc, checksum);
constexpr u32 FNV32_OFFSET_BASIS = 0x811c9dc5u;
constexpr u32 FNV32_PRIME = 0x01000193u;
// MPIDR_EL1 affinity fields: Aff3 (39:32), Aff2 (23:16), Aff1 (15:8), Aff0 (7:0).
constexpr u32 FIRST_PPI = 16;
constexpr u32 LAST_PPI = 31;

unsigned long long ull(u64 v) { return static_cast<unsigned long long>(v); }

// Writes the reason into the caller's buffer; always returns false so checks can
// `return fail(...)`.
class Reporter {
public:
    Reporter(char *err, size_t errlen) : err_(err), errlen_(errlen) {}

    bool fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        if (err_ && errlen_) {
            va_list ap;
            va_start(ap, fmt);
            format_v(err_, errlen_, fmt, ap);
            va_end(ap);
        }
        return false;
    }

private:
    char *err_;
    size_t errlen_;
};

bool is_page_aligned(u64 v) { return (v & (MOAT_CELL_PAGE_SIZE - 1)) == 0; }

// [base, base + size) is representable: size > 0 and the end does not wrap past 2^64.
bool range_fits(u64 base, u64 size) { return size != 0 && base + size - 1 >= base; }

bool ranges_overlap(u64 a, u64 asize, u64 b, u64 bsize)
{
    return a <= b + (bsize - 1) && b <= a + (asize - 1);
}

bool irq_bit(const moat_cell_desc &d, u32 intid)
{
    return d.irq_bitmap[intid / 32] & (1u << (intid % 32));
}

bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
}

bool check_name(const moat_cell_desc &d, Reporter &r)
{
    size_t len = 0;
    while (len < MOAT_CELL_NAME_LEN && d.name[len])
        len++;
    if (len == 0)
        return r.fail("name: empty; every cell needs a name");
    if (len == MOAT_CELL_NAME_LEN)
        return r.fail("name: not NUL-terminated within %d bytes", MOAT_CELL_NAME_LEN);
    for (size_t i = 0; i < len; i++)
        if (!is_name_char(d.name[i]))
            return r.fail("name: character %zu (0x%02x) is not one of [A-Za-z0-9._-]", i,
                          static_cast<unsigned>(static_cast<u8>(d.name[i])));
    for (size_t i = len; i < MOAT_CELL_NAME_LEN; i++)
        if (d.name[i])
            return r.fail("name: byte %zu after the terminating NUL is not zero", i);
    return true;
}

bool check_cpus(const moat_cell_desc &d, Reporter &r)
{
    if (d.num_cpus == 0)
        return r.fail("num_cpus: 0; a cell needs at least one CPU");
    if (d.num_cpus > MOAT_CELL_MAX_CPUS)
        return r.fail("num_cpus: %u is more than MOAT_CELL_MAX_CPUS (%d)", d.num_cpus,
                      MOAT_CELL_MAX_CPUS);
    for (u32 i = 0; i < MOAT_CELL_MAX_CPUS; i++) {
        u64 mpidr = d.cpu_mpidr[i];
        if (i >= d.num_cpus) {
            if (mpidr)
                return r.fail("cpu_mpidr[%u]: unused entry is 0x%llx, not zero", i, ull(mpidr));
            continue;
        }
        if (mpidr & ~MOAT_MPIDR_AFFINITY_MASK)
            return r.fail("cpu_mpidr[%u]: 0x%llx has bits outside the affinity fields", i,
                          ull(mpidr));
        for (u32 j = 0; j < i; j++)
            if (d.cpu_mpidr[j] == mpidr)
                return r.fail("cpu_mpidr[%u]: 0x%llx is listed twice (also cpu_mpidr[%u])", i,
                              ull(mpidr), j);
    }
    return true;
}

bool check_region_flags(u32 i, const moat_cell_mem_region &m, bool root, Reporter &r)
{
    u32 f = m.flags;
    if (f & ~MOAT_CELL_MEM_FLAGS_KNOWN)
        return r.fail("mem_regions[%u].flags: unknown bits 0x%x", i, f & ~MOAT_CELL_MEM_FLAGS_KNOWN);
    if (!(f & (MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_EXEC)))
        return r.fail("mem_regions[%u].flags: 0x%x grants no access (no READ, WRITE or EXEC)", i, f);
    if ((f & MOAT_CELL_MEM_IO) &&
        (f & (MOAT_CELL_MEM_EXEC | MOAT_CELL_MEM_DMA | MOAT_CELL_MEM_LOADABLE | MOAT_CELL_MEM_SHARED)))
        return r.fail("mem_regions[%u].flags: 0x%x: IO regions cannot be EXEC, DMA, LOADABLE or "
                      "SHARED", i, f);
    if (root && (f & MOAT_CELL_MEM_ROOT_SHARED))
        return r.fail("mem_regions[%u].flags: ROOT_SHARED in the root cell's own descriptor", i);
    if (!root && (f & MOAT_CELL_MEM_CELL_POOL))
        return r.fail("mem_regions[%u].flags: CELL_POOL outside the root cell's descriptor; only the "
                      "root descriptor declares the cell pool", i);
    if ((f & MOAT_CELL_MEM_CELL_POOL) && (f & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED)))
        return r.fail("mem_regions[%u].flags: 0x%x: a CELL_POOL region is RAM, neither IO nor SHARED",
                      i, f);
    if (m.reserved0)
        return r.fail("mem_regions[%u].reserved0: 0x%x, not zero", i, m.reserved0);
    return true;
}

bool check_region(u32 i, const moat_cell_mem_region &m, bool root, Reporter &r)
{
    if (m.size == 0)
        return r.fail("mem_regions[%u].size: zero", i);
    if (!is_page_aligned(m.phys_start) || !is_page_aligned(m.virt_start) || !is_page_aligned(m.size))
        return r.fail("mem_regions[%u]: phys 0x%llx virt 0x%llx size 0x%llx is not 4 KiB aligned",
                      i, ull(m.phys_start), ull(m.virt_start), ull(m.size));
    if (!range_fits(m.phys_start, m.size))
        return r.fail("mem_regions[%u]: phys 0x%llx + size 0x%llx wraps past 2^64", i,
                      ull(m.phys_start), ull(m.size));
    if (!range_fits(m.virt_start, m.size))
        return r.fail("mem_regions[%u]: virt 0x%llx + size 0x%llx wraps past 2^64", i,
                      ull(m.virt_start), ull(m.size));
    return check_region_flags(i, m, root, r);
}

bool check_mem_regions(const moat_cell_desc &d, bool root, Reporter &r)
{
    if (d.num_mem_regions > MOAT_CELL_MAX_MEM_REGIONS)
        return r.fail("num_mem_regions: %u is more than MOAT_CELL_MAX_MEM_REGIONS (%d)",
                      d.num_mem_regions, MOAT_CELL_MAX_MEM_REGIONS);
    bool has_ram = false;
    for (u32 i = 0; i < MOAT_CELL_MAX_MEM_REGIONS; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        if (i >= d.num_mem_regions) {
            if (m.phys_start || m.virt_start || m.size || m.flags || m.reserved0)
                return r.fail("mem_regions[%u]: unused entry is not zero", i);
            continue;
        }
        if (!check_region(i, m, root, r))
            return false;
        if (!(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_CELL_POOL)))
            has_ram = true;
        for (u32 j = 0; j < i; j++) {
            const moat_cell_mem_region &o = d.mem_regions[j];
            // The root's shared memory lies in the cell pool it declares (which it does not map).
            bool pool_and_shared = root && ((m.flags | o.flags) & MOAT_CELL_MEM_CELL_POOL) &&
                                   ((m.flags | o.flags) & MOAT_CELL_MEM_SHARED);
            if (!pool_and_shared && ranges_overlap(m.virt_start, m.size, o.virt_start, o.size))
                return r.fail("mem_regions[%u]: virt 0x%llx..0x%llx overlaps mem_regions[%u]", i,
                              ull(m.virt_start), ull(m.virt_start + m.size - 1), j);
            if (!pool_and_shared && ranges_overlap(m.phys_start, m.size, o.phys_start, o.size))
                return r.fail("mem_regions[%u]: phys 0x%llx..0x%llx overlaps mem_regions[%u]", i,
                              ull(m.phys_start), ull(m.phys_start + m.size - 1), j);
        }
    }
    if (!has_ram)
        return r.fail("mem_regions: no RAM (a region that is neither IO nor SHARED)");
    return true;
}

bool check_irqs(const moat_cell_desc &d, Reporter &r)
{
    for (u32 intid = 0; intid < MOAT_CELL_IRQ_BITS; intid++) {
        if (!irq_bit(d, intid))
            continue;
        if (intid < MOAT_CELL_FIRST_SPI)
            return r.fail("irq_bitmap: INTID %u is an SGI or PPI; only SPIs (32..1019) belong to "
                          "a cell", intid);
        if (intid > MOAT_CELL_LAST_SPI)
            return r.fail("irq_bitmap: INTID %u is above the last SPI (1019)", intid);
    }
    return true;
}

// Index of the first region whose IPA range overlaps [ipa, ipa + size), or -1.
int ipa_overlapping(const moat_cell_desc &d, u64 ipa, u64 size)
{
    for (u32 i = 0; i < d.num_mem_regions; i++)
        if (ranges_overlap(d.mem_regions[i].virt_start, d.mem_regions[i].size, ipa, size))
            return static_cast<int>(i);
    return -1;
}

// Index of the region whose IPA range holds addr and has all of `need`, or -1.
int region_holding(const moat_cell_desc &d, u64 addr, u32 need)
{
    for (u32 i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        if (addr >= m.virt_start && addr - m.virt_start < m.size && (m.flags & need) == need)
            return static_cast<int>(i);
    }
    return -1;
}

bool check_console(const char *field, const moat_cell_console &c, Reporter &r)
{
    if (c.reserved0)
        return r.fail("%s.reserved0: 0x%x, not zero", field, c.reserved0);
    switch (c.type) {
    case MOAT_CELL_CONSOLE_NONE:
    case MOAT_CELL_CONSOLE_HYPERCALL:
        if (c.base)
            return r.fail("%s.base: 0x%llx, must be 0 for console type %u", field, ull(c.base),
                          c.type);
        return true;
    case MOAT_CELL_CONSOLE_PL011:
        if (!c.base || !is_page_aligned(c.base))
            return r.fail("%s.base: 0x%llx is not a page-aligned PL011 address", field, ull(c.base));
        return true;
    case MOAT_CELL_CONSOLE_RING:
        if (!c.base || !is_page_aligned(c.base) || c.base + MOAT_CELL_PAGE_SIZE < c.base)
            return r.fail("%s.base: 0x%llx is not a page-aligned IPA for the console ring (console-ring "
                          "in the overlay)", field, ull(c.base));
        return true;
    default:
        return r.fail("%s.type: unknown console type %u", field, c.type);
    }
}

bool check_entry_and_console(const moat_cell_desc &d, bool root, Reporter &r)
{
    if (!check_console("console", d.console, r))
        return false;
    if (d.console.type == MOAT_CELL_CONSOLE_PL011 &&
        region_holding(d, d.console.base, MOAT_CELL_MEM_IO) < 0)
        return r.fail("console.base: 0x%llx is not inside one of the cell's IO regions",
                      ull(d.console.base));
    if (d.console.type == MOAT_CELL_CONSOLE_RING) {
        if (root)
            return r.fail("console.type: the root cell cannot have a console ring (it reads the cells')");
        int i = ipa_overlapping(d, d.console.base, MOAT_CELL_PAGE_SIZE);
        if (i >= 0)
            return r.fail("console.base: the console ring at IPA 0x%llx overlaps mem_regions[%d]; "
                          "move console-ring to a page no region of the cell covers", ull(d.console.base), i);
    }
    if (root) {
        if (d.entry)
            return r.fail("entry: 0x%llx, must be 0 for the root cell (Linux keeps running)",
                          ull(d.entry));
        return true;
    }
    int i = region_holding(d, d.entry, MOAT_CELL_MEM_EXEC);
    if (i < 0 || (d.mem_regions[i].flags & MOAT_CELL_MEM_IO))
        return r.fail("entry: 0x%llx is not inside an executable RAM region of the cell",
                      ull(d.entry));
    return true;
}

bool check_platform_range(const char *field, u64 base, u64 size, Reporter &r)
{
    if (!range_fits(base, size) || !is_page_aligned(base) || !is_page_aligned(size))
        return r.fail("platform.%s: base 0x%llx size 0x%llx is not a page-aligned, non-empty range",
                      field, ull(base), ull(size));
    return true;
}

bool check_platform_irq(const char *field, u32 intid, Reporter &r)
{
    if (intid < FIRST_PPI || intid > LAST_PPI)
        return r.fail("platform.%s: INTID %u is not a PPI (16..31)", field, intid);
    return true;
}

bool check_gic(const moat_cell_platform &p, Reporter &r)
{
    if (!check_platform_range("gicd", p.gicd_base, p.gicd_size, r))
        return false;
    if (p.gic_version == 3) {
        if (p.gicc_base || p.gicc_size || p.gich_base || p.gich_size || p.gicv_base || p.gicv_size)
            return r.fail("platform.gicc/gich/gicv: must be zero for GICv3");
        if (!check_platform_range("gicr", p.gicr_base, p.gicr_size, r))
            return false;
        if (p.gicr_stride != MOAT_CELL_GICR_STRIDE_V3 && p.gicr_stride != MOAT_CELL_GICR_STRIDE_V4)
            return r.fail("platform.gicr_stride: 0x%llx is neither 0x20000 nor 0x40000",
                          ull(p.gicr_stride));
        if (p.gicr_size % p.gicr_stride)
            return r.fail("platform.gicr_size: 0x%llx is not a multiple of gicr_stride 0x%llx",
                          ull(p.gicr_size), ull(p.gicr_stride));
        return true;
    }
    if (p.gic_version == 2) {
        if (p.gicr_base || p.gicr_size || p.gicr_stride)
            return r.fail("platform.gicr: must be zero for GICv2");
        return check_platform_range("gicc", p.gicc_base, p.gicc_size, r) &&
               check_platform_range("gich", p.gich_base, p.gich_size, r) &&
               check_platform_range("gicv", p.gicv_base, p.gicv_size, r);
    }
    return r.fail("platform.gic_version: %u is neither 2 nor 3", p.gic_version);
}

bool check_root_platform(const moat_cell_desc &d, Reporter &r)
{
    const moat_cell_platform &p = d.platform;
    if (!check_gic(p, r))
        return false;
    if (p.psci_method != MOAT_CELL_PSCI_SMC && p.psci_method != MOAT_CELL_PSCI_HVC)
        return r.fail("platform.psci_method: %u is neither SMC (1) nor HVC (2)", p.psci_method);
    if (!check_platform_irq("maint_irq", p.maint_irq, r) ||
        !check_platform_irq("timer_sec_phys_irq", p.timer_sec_phys_irq, r) ||
        !check_platform_irq("timer_phys_irq", p.timer_phys_irq, r) ||
        !check_platform_irq("timer_virt_irq", p.timer_virt_irq, r) ||
        !check_platform_irq("timer_hyp_irq", p.timer_hyp_irq, r))
        return false;
    if (p.reserved0)
        return r.fail("platform.reserved0: 0x%x, not zero", p.reserved0);
    if (!check_console("platform.debug_uart", p.debug_uart, r))
        return false;
    if (p.debug_uart.type == MOAT_CELL_CONSOLE_HYPERCALL)
        return r.fail("platform.debug_uart.type: the hypervisor's own console cannot be a "
                      "hypercall console");
    if (!check_platform_range("hv", p.hv_base, p.hv_size, r))
        return false;
    // The root cell must not reach the hypervisor's memory, the distributor it emulates or (v2)
    // the CPU interface frames it drives.
    for (u32 i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        if (ranges_overlap(m.phys_start, m.size, p.hv_base, p.hv_size))
            return r.fail("mem_regions[%u]: phys 0x%llx..0x%llx overlaps the hypervisor's memory "
                          "(platform.hv)", i, ull(m.phys_start), ull(m.phys_start + m.size - 1));
        if (ranges_overlap(m.phys_start, m.size, p.gicd_base, p.gicd_size))
            return r.fail("mem_regions[%u]: phys 0x%llx..0x%llx overlaps the GIC distributor "
                          "(platform.gicd)", i, ull(m.phys_start), ull(m.phys_start + m.size - 1));
        // GICv2: the physical CPU interface and the virtual interface control are the
        // hypervisor's; the root finds the virtual CPU interface (GICV) at the GICC address.
        if (p.gic_version == 2 && (ranges_overlap(m.phys_start, m.size, p.gicc_base, p.gicc_size) ||
                                   ranges_overlap(m.phys_start, m.size, p.gich_base, p.gich_size)))
            return r.fail("mem_regions[%u]: phys 0x%llx..0x%llx overlaps the GIC CPU interface or "
                          "virtual interface control (platform.gicc, platform.gich)", i,
                          ull(m.phys_start), ull(m.phys_start + m.size - 1));
    }
    return true;
}

bool platform_is_zero(const moat_cell_platform &p)
{
    const u8 *b = reinterpret_cast<const u8 *>(&p);
    for (size_t i = 0; i < sizeof(p); i++)
        if (b[i])
            return false;
    return true;
}

// A field name with indices, through format_v only (the validator's one dependency).
void field_name(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void field_name(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_v(buf, size, fmt, ap);
    va_end(ap);
}

bool bytes_zero(const void *p, size_t n)
{
    const u8 *b = static_cast<const u8 *>(p);
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

// A NUL-padded name of [A-Za-z0-9._-] in a field of `cap` bytes: its length, or -1 (reason in r).
int check_padded_name(const char *field, const char *name, size_t cap, Reporter &r)
{
    size_t len = 0;
    while (len < cap && name[len])
        len++;
    if (len == 0)
        return r.fail("%s: empty", field), -1;
    if (len == cap)
        return r.fail("%s: not NUL-terminated within %zu bytes", field, cap), -1;
    for (size_t i = 0; i < len; i++)
        if (!is_name_char(name[i]))
            return r.fail("%s: character %zu (0x%02x) is not one of [A-Za-z0-9._-]", field, i,
                          static_cast<unsigned>(static_cast<u8>(name[i]))), -1;
    if (!bytes_zero(name + len, cap - len))
        return r.fail("%s: bytes after the terminating NUL are not zero", field), -1;
    return static_cast<int>(len);
}

bool same_name(const char *a, const char *b, size_t cap)
{
    for (size_t i = 0; i < cap; i++) {
        if (a[i] != b[i])
            return false;
        if (!a[i])
            return true;
    }
    return true;
}

// Section `k` of link `l` must be mapped exactly as one of the cell's SHARED regions, with
// the rights the link gives this peer: read, and write only for a section it owns (or one every
// peer writes). Never executable: a peer could otherwise run what another wrote.
bool check_link_section(const moat_cell_desc &d, u32 l, u32 k, Reporter &r)
{
    const moat_cell_link &e = d.links.link[l];
    const moat_link_section &s = e.sections[k];
    if (s.reserved0)
        return r.fail("links.link[%u].sections[%u].reserved0: 0x%x, not zero", l, k, s.reserved0);
    if (s.owner != MOAT_LINK_OWNER_ALL && s.owner >= e.num_peers)
        return r.fail("links.link[%u].sections[%u].owner: %u is not a peer (the link has %u) nor "
                      "MOAT_LINK_OWNER_ALL", l, k, s.owner, e.num_peers);
    bool writable = s.owner == MOAT_LINK_OWNER_ALL || s.owner == e.self;
    u32 want = MOAT_CELL_MEM_READ | (writable ? MOAT_CELL_MEM_WRITE : 0);
    for (u32 i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        if (m.phys_start != s.phys || m.virt_start != s.ipa || m.size != s.size)
            continue;
        if (!(m.flags & MOAT_CELL_MEM_SHARED) ||
            (m.flags & (MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_EXEC |
                        MOAT_CELL_MEM_IO | MOAT_CELL_MEM_LOADABLE)) != want)
            return r.fail("links.link[%u].sections[%u]: mem_regions[%u] maps it with flags 0x%x; "
                          "a link section is SHARED, %s, never EXEC, IO or LOADABLE", l, k, i,
                          m.flags, writable ? "READ and WRITE" : "READ only (another peer owns it)");
        return true;
    }
    return r.fail("links.link[%u].sections[%u]: phys 0x%llx virt 0x%llx size 0x%llx is not one of "
                  "the cell's mem_regions; map each section exactly once", l, k, ull(s.phys),
                  ull(s.ipa), ull(s.size));
}

bool check_link_peers(const moat_cell_desc &d, u32 l, Reporter &r)
{
    const moat_cell_link &e = d.links.link[l];
    char field[48];
    for (u32 p = 0; p < MOAT_LINK_MAX_PEERS; p++) {
        if (p >= e.num_peers) {
            if (!bytes_zero(e.peers[p], MOAT_LINK_NAME_LEN))
                return r.fail("links.link[%u].peers[%u]: unused entry is not zero", l, p);
            continue;
        }
        field_name(field, sizeof(field), "links.link[%u].peers[%u]", l, p);
        if (check_padded_name(field, e.peers[p], MOAT_LINK_NAME_LEN, r) < 0)
            return false;
        for (u32 q = 0; q < p; q++)
            if (same_name(e.peers[p], e.peers[q], MOAT_LINK_NAME_LEN))
                return r.fail("links.link[%u].peers[%u]: \"%s\" is also peers[%u]; each cell is "
                              "one peer", l, p, e.peers[p], q);
    }
    if (!same_name(e.peers[e.self], d.name, MOAT_LINK_NAME_LEN))
        return r.fail("links.link[%u].peers[%u]: \"%s\" is self, but this cell is \"%s\"", l, e.self,
                      e.peers[e.self], d.name);
    return true;
}

bool check_link(const moat_cell_desc &d, bool root, u32 l, Reporter &r)
{
    const moat_cell_link &e = d.links.link[l];
    char field[32];
    field_name(field, sizeof(field), "links.link[%u].name", l);
    if (check_padded_name(field, e.name, MOAT_LINK_NAME_LEN, r) < 0)
        return false;
    for (u32 o = 0; o < l; o++)
        if (same_name(e.name, d.links.link[o].name, MOAT_LINK_NAME_LEN))
            return r.fail("links.link[%u].name: \"%s\" is also links.link[%u]; a cell takes part "
                          "in a link once", l, e.name, o);
    if (e.num_peers < 2 || e.num_peers > MOAT_LINK_MAX_PEERS)
        return r.fail("links.link[%u].num_peers: %u, must be 2..%d", l, e.num_peers,
                      MOAT_LINK_MAX_PEERS);
    if (e.self >= e.num_peers)
        return r.fail("links.link[%u].self: %u, but the link has %u peers", l, e.self, e.num_peers);
    if (!check_link_peers(d, l, r))
        return false;
    if (e.doorbell_intid < MOAT_CELL_FIRST_SPI || e.doorbell_intid > MOAT_CELL_LAST_SPI ||
        !irq_bit(d, e.doorbell_intid))
        return r.fail("links.link[%u].doorbell_intid: INTID %u is not an SPI of the cell's "
                      "irq_bitmap; a doorbell is an SPI its receiver owns", l, e.doorbell_intid);
    for (u32 o = 0; o < l; o++)
        if (d.links.link[o].doorbell_intid == e.doorbell_intid)
            return r.fail("links.link[%u].doorbell_intid: INTID %u is also links.link[%u]'s; give "
                          "each link its own doorbell", l, e.doorbell_intid, o);
    if (!is_page_aligned(e.regs_ipa) || !range_fits(e.regs_ipa, MOAT_LINK_REGS_SIZE))
        return r.fail("links.link[%u].regs_ipa: 0x%llx is not a page-aligned address with room "
                      "for the register and state pages", l, ull(e.regs_ipa));
    for (u32 i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        u64 base = root ? m.phys_start : m.virt_start;
        if (ranges_overlap(base, m.size, e.regs_ipa, MOAT_LINK_REGS_SIZE) &&
            !(root && (m.flags & MOAT_CELL_MEM_CELL_POOL)))
            return r.fail("links.link[%u].regs_ipa: 0x%llx..0x%llx overlaps mem_regions[%u]; put "
                          "the doorbell pages where the cell maps nothing", l, ull(e.regs_ipa),
                          ull(e.regs_ipa + MOAT_LINK_REGS_SIZE - 1), i);
    }
    for (u32 o = 0; o < l; o++)
        if (ranges_overlap(d.links.link[o].regs_ipa, MOAT_LINK_REGS_SIZE, e.regs_ipa,
                           MOAT_LINK_REGS_SIZE))
            return r.fail("links.link[%u].regs_ipa: 0x%llx overlaps links.link[%u]'s doorbell pages",
                          l, ull(e.regs_ipa), o);
    if (d.console.type == MOAT_CELL_CONSOLE_RING &&
        ranges_overlap(d.console.base, MOAT_CELL_PAGE_SIZE, e.regs_ipa, MOAT_LINK_REGS_SIZE))
        return r.fail("links.link[%u].regs_ipa: 0x%llx overlaps the console ring at 0x%llx; move one of them",
                      l, ull(e.regs_ipa), ull(d.console.base));
    if (e.num_sections < 1 || e.num_sections > MOAT_LINK_MAX_SECTIONS)
        return r.fail("links.link[%u].num_sections: %u, must be 1..%d", l, e.num_sections,
                      MOAT_LINK_MAX_SECTIONS);
    for (u32 k = 0; k < MOAT_LINK_MAX_SECTIONS; k++) {
        if (k >= e.num_sections) {
            if (!bytes_zero(&e.sections[k], sizeof(e.sections[k])))
                return r.fail("links.link[%u].sections[%u]: unused entry is not zero", l, k);
            continue;
        }
        if (!check_link_section(d, l, k, r))
            return false;
        if (root && e.sections[k].ipa != e.sections[k].phys)
            return r.fail("links.link[%u].sections[%u]: the root cell sees a section at its "
                          "physical address (ipa 0x%llx != phys 0x%llx)", l, k,
                          ull(e.sections[k].ipa), ull(e.sections[k].phys));
    }
    return true;
}

bool check_links(const moat_cell_desc &d, bool root, Reporter &r)
{
    const moat_cell_links &ls = d.links;
    if (ls.reserved0)
        return r.fail("links.reserved0: 0x%x, not zero", ls.reserved0);
    if (ls.num_links > MOAT_CELL_MAX_LINKS)
        return r.fail("links.num_links: %u is more than MOAT_CELL_MAX_LINKS (%d)", ls.num_links,
                      MOAT_CELL_MAX_LINKS);
    for (u32 l = 0; l < MOAT_CELL_MAX_LINKS; l++) {
        if (l >= ls.num_links) {
            if (!bytes_zero(&ls.link[l], sizeof(ls.link[l])))
                return r.fail("links.link[%u]: unused entry is not zero", l);
            continue;
        }
        if (!check_link(d, root, l, r))
            return false;
    }
    return true;
}

// Magic, version, size and checksum: everything that tells whether the rest can be read at all.
bool check_envelope(const void *buf, size_t len, Reporter &r)
{
    if (!buf)
        return r.fail("descriptor: null buffer");
    if (reinterpret_cast<uintptr_t>(buf) % 8)
        return r.fail("descriptor: buffer is not 8-byte aligned");
    const moat_cell_desc &d = *static_cast<const moat_cell_desc *>(buf);
    // The magic first, so that a file of another kind is called that, whatever its length.
    if (len >= sizeof(d.magic) && d.magic != MOAT_CELL_MAGIC)
        return r.fail("magic: 0x%llx is not MOAT_CELL_MAGIC (0x%llx); not a moat cell descriptor",
                      ull(d.magic), ull(MOAT_CELL_MAGIC));
    if (len < offsetof(moat_cell_desc, name))
        return r.fail("descriptor: %zu bytes is shorter than the header (%zu bytes)", len,
                      offsetof(moat_cell_desc, name));
    if (MOAT_ABI_VERSION_MAJOR(d.abi_version) != MOAT_ABI_MAJOR ||
        MOAT_ABI_VERSION_MINOR(d.abi_version) > MOAT_ABI_MINOR)
        return r.fail("abi_version: %u.%u, this build understands %u.0 to %u.%u; recompile the "
                      "cell with a matching moat-cellc",
                      MOAT_ABI_VERSION_MAJOR(d.abi_version), MOAT_ABI_VERSION_MINOR(d.abi_version),
                      MOAT_ABI_MAJOR, MOAT_ABI_MAJOR, MOAT_ABI_MINOR);
    if (d.total_size != MOAT_CELL_DESC_SIZE)
        return r.fail("total_size: %u, expected %d", d.total_size, MOAT_CELL_DESC_SIZE);
    if (len != d.total_size)
        return r.fail("total_size: %u, but the buffer holds %zu bytes (truncated or padded)",
                      d.total_size, len);
    u32 sum = cell_checksum(buf, len);
    if (d.checksum != sum)
        return r.fail("checksum: 0x%08x stored, 0x%08x computed; the descriptor is corrupted",
                      d.checksum, sum);
    return true;
}

}  // namespace

u32 cell_checksum(const void *buf, size_t len)
{
    const u8 *b = static_cast<const u8 *>(buf);
    u32 h = FNV32_OFFSET_BASIS;
    for (size_t i = 0; i < len; i++) {
        bool in_checksum_field = i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + 4;
        h ^= in_checksum_field ? 0 : b[i];
        h *= FNV32_PRIME;
    }
    return h;
}

bool cell_validate(const void *buf, size_t len, char *err, size_t errlen)
{
    Reporter r(err, errlen);
    if (err && errlen)
        err[0] = '\0';
    if (!check_envelope(buf, len, r))
        return false;
    const moat_cell_desc &d = *static_cast<const moat_cell_desc *>(buf);
    if (d.flags & ~MOAT_CELL_FLAGS_KNOWN)
        return r.fail("flags: unknown bits 0x%x", d.flags & ~MOAT_CELL_FLAGS_KNOWN);
    bool root = d.flags & MOAT_CELL_FLAG_ROOT;
    if ((d.flags & MOAT_CELL_FLAG_DIRECT_IRQ) && root)
        return r.fail("flags: direct interrupt delivery (MOAT_CELL_FLAG_DIRECT_IRQ) is for cells, not the root "
                      "cell; remove moat,irq-delivery from the root cell's overlay");
    if ((d.flags & MOAT_CELL_FLAG_LINUX) && root)
        return r.fail("flags: MOAT_CELL_FLAG_LINUX is for cells, not the root cell; remove moat,os from the root "
                      "cell's overlay");
    if (!check_name(d, r) || !check_cpus(d, r) || !check_mem_regions(d, root, r) ||
        !check_irqs(d, r) || !check_entry_and_console(d, root, r) || !check_links(d, root, r))
        return false;
    if (root)
        return check_root_platform(d, r);
    if (!platform_is_zero(d.platform))
        return r.fail("platform: must be all zero in a cell that is not the root cell");
    return true;
}

}  // namespace moat

extern "C" int moat_cell_validate(const void *buf, size_t len, char *err, size_t errlen)
{
    return moat::cell_validate(buf, len, err, errlen) ? 0 : -1;
}

extern "C" moat_u32 moat_cell_checksum(const void *buf, size_t len)
{
    return moat::cell_checksum(buf, len);
}
