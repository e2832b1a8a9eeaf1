// SPDX-License-Identifier: GPL-2.0
// Ownership of physical memory and devices between the hypervisor, the root cell and the cells
// (lib/include/lib/ownership.hpp). Every message names the candidate's region, who owns what it
// touches, and what to change.
#include "lib/ownership.hpp"

#include <stdarg.h>

#include "lib/format.hpp"

namespace moat {

namespace {

unsigned long long ull(u64 v) { return static_cast<unsigned long long>(v); }

// Descriptors passed cell_validate(): base + size does not wrap, size is not zero.
bool overlap(u64 a, u64 asize, u64 b, u64 bsize) { return a <= b + (bsize - 1) && b <= a + (asize - 1); }
bool inside(u64 a, u64 asize, u64 b, u64 bsize) { return a >= b && a - b <= bsize - asize && asize <= bsize; }

bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        format_v(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

// What a region of the root descriptor is.
enum class RootKind { RAM, DEVICE, POOL, SHARED };

RootKind kind_of(const moat_cell_mem_region &m)
{
    if (m.flags & MOAT_CELL_MEM_IO)
        return RootKind::DEVICE;
    if (m.flags & MOAT_CELL_MEM_CELL_POOL)
        return RootKind::POOL;
    if (m.flags & MOAT_CELL_MEM_SHARED)
        return RootKind::SHARED;
    return RootKind::RAM;
}

const char *kind_name(RootKind k)
{
    switch (k) {
    case RootKind::RAM: return "RAM";
    case RootKind::DEVICE: return "device";
    case RootKind::POOL: return "cell pool";
    case RootKind::SHARED: return "shared memory";
    }
    return "?";
}

// RAM only the cell sees: zeroed before and after, taken from the root if it was the root's.
bool is_private(const moat_cell_mem_region &m)
{
    return !(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED));
}

// Something the hypervisor itself uses: no cell may map any byte of it.
struct HvOwned {
    u64 base, size;
    const char *what;
};

constexpr u32 MAX_HV_OWNED = 8;

u32 hv_owned(const moat_cell_platform &p, HvOwned *out)
{
    u32 n = 0;
    auto add = [&](u64 base, u64 size, const char *what) {
        if (size && base + (size - 1) >= base)
            out[n++] = {base, size, what};
    };
    add(p.hv_base, p.hv_size, "the hypervisor's memory (platform.hv, console ring included)");
    add(p.gicd_base, p.gicd_size, "the GIC distributor (platform.gicd), emulated by the hypervisor");
    add(p.gicr_base, p.gicr_size, "the GIC redistributors (platform.gicr), given per CPU by the hypervisor");
    add(p.gicc_base, p.gicc_size, "the GIC CPU interface (platform.gicc), the hypervisor's");
    add(p.gich_base, p.gich_size, "the GIC virtual interface control (platform.gich), the hypervisor's");
    add(p.gicv_base, p.gicv_size, "the GIC virtual CPU interface (platform.gicv), given by the hypervisor");
    if (p.debug_uart.type == MOAT_CELL_CONSOLE_PL011)
        add(p.debug_uart.base, MOAT_CELL_PAGE_SIZE, "the hypervisor's console UART (platform.debug_uart)");
    return n;
}

bool check_hypervisor(const moat_cell_platform &p, u32 i, const moat_cell_mem_region &m, char *err, size_t errlen)
{
    HvOwned owned[MAX_HV_OWNED];
    u32 n = hv_owned(p, owned);
    for (u32 k = 0; k < n; k++)
        if (overlap(m.phys_start, m.size, owned[k].base, owned[k].size))
            return fail(err, errlen,
                        "mem_regions[%u]: 0x%llx..0x%llx overlaps %s at 0x%llx..0x%llx: no cell may map it; drop "
                        "the region or move it off that range",
                        i, ull(m.phys_start), ull(m.phys_start + m.size - 1), owned[k].what, ull(owned[k].base),
                        ull(owned[k].base + owned[k].size - 1));
    return true;
}

// Index of the root region of a kind in `kinds` that holds all of m, or -1.
int root_container(const moat_cell_desc &root, const moat_cell_mem_region &m, bool ram)
{
    for (u32 j = 0; j < root.num_mem_regions; j++) {
        const moat_cell_mem_region &r = root.mem_regions[j];
        RootKind k = kind_of(r);
        if ((k == RootKind::DEVICE) == ram)
            continue;
        // The root's shared memory lies inside the pool: prefer it, it says more.
        if (inside(m.phys_start, m.size, r.phys_start, r.size) && k != RootKind::POOL)
            return static_cast<int>(j);
    }
    for (u32 j = 0; j < root.num_mem_regions && ram; j++) {
        const moat_cell_mem_region &r = root.mem_regions[j];
        if (kind_of(r) == RootKind::POOL && inside(m.phys_start, m.size, r.phys_start, r.size))
            return static_cast<int>(j);
    }
    return -1;
}

// Why m is not wholly inside one root region of the right kind.
bool not_contained(const moat_cell_desc &root, u32 i, const moat_cell_mem_region &m, bool ram, char *err,
                   size_t errlen)
{
    const char *want = ram ? "a cell's RAM must lie wholly in one region of root RAM, cell pool or shared memory"
                           : "a device must lie wholly in one root device region";
    for (u32 j = 0; j < root.num_mem_regions; j++) {
        const moat_cell_mem_region &r = root.mem_regions[j];
        if (overlap(m.phys_start, m.size, r.phys_start, r.size))
            return fail(err, errlen,
                        "mem_regions[%u]: 0x%llx..0x%llx is not inside one owner: it reaches into the root cell's "
                        "%s 0x%llx..0x%llx (root mem_regions[%u]); %s",
                        i, ull(m.phys_start), ull(m.phys_start + m.size - 1), kind_name(kind_of(r)),
                        ull(r.phys_start), ull(r.phys_start + r.size - 1), j, want);
    }
    return fail(err, errlen,
                "mem_regions[%u]: 0x%llx..0x%llx is %s the root cell has; %s", i, ull(m.phys_start),
                ull(m.phys_start + m.size - 1), ram ? "neither RAM nor cell pool" : "not a device", want);
}

bool check_root(const moat_cell_desc &root, u32 i, const moat_cell_mem_region &m, char *err, size_t errlen)
{
    bool ram = !(m.flags & MOAT_CELL_MEM_IO);
    int j = root_container(root, m, ram);
    if (j < 0)
        return not_contained(root, i, m, ram, err, errlen);
    if (!ram || !is_private(m))
        return true;
    // The cell's own RAM: not in memory the root shares with cells (which stays mapped there).
    for (u32 k = 0; k < root.num_mem_regions; k++) {
        const moat_cell_mem_region &r = root.mem_regions[k];
        if (kind_of(r) == RootKind::SHARED && overlap(m.phys_start, m.size, r.phys_start, r.size))
            return fail(err, errlen,
                        "mem_regions[%u]: 0x%llx..0x%llx is the cell's own RAM but overlaps memory the root cell "
                        "shares (root mem_regions[%u], 0x%llx..0x%llx); mark it SHARED or use other pool memory",
                        i, ull(m.phys_start), ull(m.phys_start + m.size - 1), k, ull(r.phys_start),
                        ull(r.phys_start + r.size - 1));
    }
    return true;
}

// The link endpoint of `d` one of whose sections overlaps [pa, pa + size), or nullptr.
const moat_cell_link *link_over(const moat_cell_desc &d, u64 pa, u64 size)
{
    for (u32 l = 0; l < d.links.num_links && l < MOAT_CELL_MAX_LINKS; l++)
        for (u32 k = 0; k < d.links.link[l].num_sections && k < MOAT_LINK_MAX_SECTIONS; k++) {
            const moat_link_section &s = d.links.link[l].sections[k];
            if (overlap(pa, size, s.phys, s.size))
                return &d.links.link[l];
        }
    return nullptr;
}

// Two endpoints of one link that name each other: `a` of cell `an` and `b` of cell `bn`.
bool peers_of_one_link(const moat_cell_link &a, const char *an, const moat_cell_link &b, const char *bn)
{
    return same_link_name(a.name, b.name) && a.num_peers == b.num_peers && a.self != b.self &&
           same_link_name(a.peers[b.self], bn) && same_link_name(b.peers[a.self], an);
}

// A link's sections are shared by its peers only: shared memory that overlaps one must be a
// section of the same link in both descriptors, each naming the other as a peer. Otherwise any
// cell the root creates could claim the memory of a link it is no peer of and read its traffic.
bool check_link_sharing(const moat_cell_desc &cell, const moat_cell_desc &o, u32 i, const moat_cell_mem_region &m,
                        const moat_cell_mem_region &n, char *err, size_t errlen)
{
    const moat_cell_link *mine = link_over(cell, m.phys_start, m.size);
    const moat_cell_link *theirs = link_over(o, n.phys_start, n.size);
    if (!mine && !theirs)
        return true;
    if (mine && theirs && peers_of_one_link(*mine, cell.name, *theirs, o.name))
        return true;
    const moat_cell_link *l = theirs ? theirs : mine;
    return fail(err, errlen,
                "mem_regions[%u]: 0x%llx..0x%llx overlaps a section of link \"%s\" (cell \"%s\"); only the link's "
                "peers map its sections, each naming the other: make this cell a peer of the link or give it other memory",
                i, ull(m.phys_start), ull(m.phys_start + m.size - 1), l->name, theirs ? o.name : cell.name);
}

bool check_other_cell(const moat_cell_desc &cell, const moat_cell_desc &o, u32 i, const moat_cell_mem_region &m,
                      char *err, size_t errlen)
{
    for (u32 k = 0; k < o.num_mem_regions; k++) {
        const moat_cell_mem_region &n = o.mem_regions[k];
        bool both_shared = (m.flags & MOAT_CELL_MEM_SHARED) && (n.flags & MOAT_CELL_MEM_SHARED);
        if (!overlap(m.phys_start, m.size, n.phys_start, n.size))
            continue;
        if (!both_shared)
            return fail(err, errlen,
                        "mem_regions[%u]: 0x%llx..0x%llx overlaps mem_regions[%u] of cell \"%s\" (0x%llx..0x%llx); "
                        "only regions both mark SHARED may overlap: give this cell its own",
                        i, ull(m.phys_start), ull(m.phys_start + m.size - 1), k, o.name,
                        ull(n.phys_start), ull(n.phys_start + n.size - 1));
        if (!check_link_sharing(cell, o, i, m, n, err, errlen))
            return false;
    }
    return true;
}

}  // namespace

bool same_link_name(const char *a, const char *b)
{
    for (u32 i = 0; i < MOAT_LINK_NAME_LEN; i++) {
        if (a[i] != b[i])
            return false;
        if (!a[i])
            return true;
    }
    return true;
}

bool root_layout_check(const moat_cell_desc &root, char *err, size_t errlen)
{
    for (u32 i = 0; i < root.num_mem_regions; i++) {
        const moat_cell_mem_region &m = root.mem_regions[i];
        // GICv2: the root finds the virtual CPU interface where it expects the physical one;
        // no cell may touch either frame (ownership_check), so this is the one exception.
        const moat_cell_platform &p = root.platform;
        bool gicv_at_gicc = p.gic_version == 2 && m.phys_start == p.gicv_base && m.virt_start == p.gicc_base;
        if (m.virt_start != m.phys_start && !gicv_at_gicc)
            return fail(err, errlen,
                        "root cell mem_regions[%u]: IPA 0x%llx differs from phys 0x%llx; the root cell must see "
                        "every region at its physical address (moat-cellc writes it so)",
                        i, ull(m.virt_start), ull(m.phys_start));
    }
    return true;
}

bool ownership_check(const moat_cell_desc &root, const moat_cell_desc *const *others, size_t num_others,
                     const moat_cell_desc &cell, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    for (u32 i = 0; i < cell.num_mem_regions; i++) {
        const moat_cell_mem_region &m = cell.mem_regions[i];
        if (!check_hypervisor(root.platform, i, m, err, errlen) || !check_root(root, i, m, err, errlen))
            return false;
        // A link section in the root's own RAM would stay the root's (shared memory is never
        // taken from it), whoever the link's peers are: sections come from the cell pool.
        int j = root_container(root, m, true);
        if (j >= 0 && kind_of(root.mem_regions[j]) == RootKind::RAM && link_over(cell, m.phys_start, m.size))
            return fail(err, errlen,
                        "mem_regions[%u]: 0x%llx..0x%llx is a section of link \"%s\" in the root cell's RAM, which "
                        "Linux keeps using; put link sections in the cell pool",
                        i, ull(m.phys_start), ull(m.phys_start + m.size - 1),
                        link_over(cell, m.phys_start, m.size)->name);
        // The root's shared memory too: a section of a link of the root's is the link's.
        for (u32 k = 0; k < root.num_mem_regions && (m.flags & MOAT_CELL_MEM_SHARED); k++) {
            const moat_cell_mem_region &n = root.mem_regions[k];
            if ((n.flags & MOAT_CELL_MEM_SHARED) && overlap(m.phys_start, m.size, n.phys_start, n.size) &&
                !check_link_sharing(cell, root, i, m, n, err, errlen))
                return false;
        }
        for (size_t c = 0; c < num_others; c++)
            if (!check_other_cell(cell, *others[c], i, m, err, errlen))
                return false;
    }
    return true;
}

bool region_taken_from_root(const moat_cell_desc &root, const moat_cell_mem_region &m)
{
    if (m.flags & (MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED))
        return false;
    bool ram = !(m.flags & MOAT_CELL_MEM_IO);
    int j = root_container(root, m, ram);
    if (j < 0)
        return false;
    RootKind k = kind_of(root.mem_regions[j]);
    return k == RootKind::RAM || k == RootKind::DEVICE;
}

}  // namespace moat
