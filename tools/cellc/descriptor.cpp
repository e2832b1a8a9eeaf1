// SPDX-License-Identifier: GPL-2.0
#include "descriptor.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lib/cell_validate.hpp"
#include "json.hpp"

namespace cellc {

namespace {

constexpr u64 PAGE = MOAT_CELL_PAGE_SIZE;
constexpr u32 IO_FLAGS = MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_IO;

struct Mapping {
    u64 phys, virt, size;
    u32 flags;
};

Mapping io_pages(const AddressRange &r)
{
    u64 first = r.base & ~(PAGE - 1);
    u64 last = r.last() & ~(PAGE - 1);
    return {first, first, last - first + PAGE, IO_FLAGS};
}

// The device pages a cell maps. The root cell gets every device but the parts of the GIC
// that the hypervisor keeps: the distributor, and on GICv2 the hypervisor interface GICH; its
// GICC is backed by GICV, the virtual CPU interface, at the address Linux expects.
std::vector<Mapping> device_mappings(const Cell &c, const Board &b)
{
    std::vector<Mapping> out;
    for (const Device *d : c.devices) {
        if (!d->is_gic) {
            for (const AddressRange &r : d->mmio)
                out.push_back(io_pages(r));
            for (const AddressRange &w : d->pci_windows)
                out.push_back(io_pages(w));
            continue;
        }
        const std::vector<AddressRange> &g = b.gic.regs;
        if (b.gic.version == 3) {
            for (size_t i = 1; i < g.size(); i++)  // redistributors
                out.push_back(io_pages(g[i]));
        } else {
            Mapping gicc = io_pages(g[1]);
            gicc.phys = io_pages(g[3]).phys;
            out.push_back(gicc);
        }
    }
    return out;
}

// Sorts identity mappings and merges those that touch, so that 32 virtio transports in 16 KiB
// become one region.
std::vector<Mapping> merge_io(std::vector<Mapping> in)
{
    std::sort(in.begin(), in.end(), [](const Mapping &a, const Mapping &b) { return a.virt < b.virt; });
    std::vector<Mapping> out;
    for (const Mapping &m : in) {
        if (!out.empty()) {
            Mapping &prev = out.back();
            bool identity = prev.phys == prev.virt && m.phys == m.virt;
            if (identity && prev.flags == m.flags && m.virt <= prev.virt + prev.size) {
                u64 end = std::max(prev.virt + prev.size, m.virt + m.size);
                prev.size = end - prev.virt;
                continue;
            }
        }
        out.push_back(m);
    }
    return out;
}

void fill_platform(moat_cell_platform &p, const Board &b)
{
    const std::vector<AddressRange> &g = b.gic.regs;
    p.gic_version = static_cast<u32>(b.gic.version);
    p.psci_method = b.psci_method;
    p.gicd_base = g[0].base;
    p.gicd_size = g[0].size;
    if (b.gic.version == 3) {
        p.gicr_base = g[1].base;
        p.gicr_size = g[1].size;
        p.gicr_stride = b.gic.gicr_stride;
    } else {
        p.gicc_base = g[1].base;
        p.gicc_size = g[1].size;
        p.gich_base = g[2].base;
        p.gich_size = g[2].size;
        p.gicv_base = g[3].base;
        p.gicv_size = g[3].size;
    }
    p.maint_irq = b.gic.maint_intid;
    p.timer_sec_phys_irq = b.timer_intids[0];
    p.timer_phys_irq = b.timer_intids[1];
    p.timer_virt_irq = b.timer_intids[2];
    p.timer_hyp_irq = b.timer_intids[3];
    p.debug_uart.type = b.debug_uart_base ? MOAT_CELL_CONSOLE_PL011 : MOAT_CELL_CONSOLE_NONE;
    p.debug_uart.base = b.debug_uart_base;
    p.hv_base = b.hypervisor.range.base;
    p.hv_size = b.hypervisor.range.size;
}

void fill_regions(moat_cell_desc &d, const Cell &c, const Board &b)
{
    // RAM first, then shared memory, each by IPA: the order of nodes in the tree must not
    // change the bytes (libfdt's overlay code reverses sibling order).
    std::vector<Mapping> all;
    for (const MemoryMapping &m : c.memory)
        all.push_back({m.phys.base, m.ipa, m.phys.size, m.flags});
    std::sort(all.begin(), all.end(), [](const Mapping &a, const Mapping &b) {
        bool a_shared = a.flags & MOAT_CELL_MEM_SHARED, b_shared = b.flags & MOAT_CELL_MEM_SHARED;
        return a_shared != b_shared ? b_shared : a.virt < b.virt;
    });
    for (const Mapping &m : merge_io(device_mappings(c, b)))
        all.push_back(m);
    // The root descriptor tells the hypervisor where the cell pool is: cells' RAM comes from the
    // root's RAM or from here, nowhere else (lib/ownership.cpp).
    if (c.root)
        for (const NamedRange &p : b.cell_pools) {
            u64 first = (p.range.base + PAGE - 1) & ~(PAGE - 1), end = (p.range.base + p.range.size) & ~(PAGE - 1);
            if (end > first)
                all.push_back({first, first, end - first,
                               MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_CELL_POOL});
        }
    if (all.size() > MOAT_CELL_MAX_MEM_REGIONS)
        throw Error(Location{c.where.file, c.where.node, "devices"},
                    "the cell needs " + std::to_string(all.size()) + " memory regions, at most " +
                        std::to_string(MOAT_CELL_MAX_MEM_REGIONS) +
                        " fit in a descriptor; give it fewer devices or memory mappings");
    d.num_mem_regions = static_cast<u32>(all.size());
    for (size_t i = 0; i < all.size(); i++)
        d.mem_regions[i] = {all[i].phys, all[i].virt, all[i].size, all[i].flags, 0};
}

constexpr const char *CONSOLE_NAMES[] = {"none", "pl011", "hypercall", "ring"};

const char *console_name(u32 type)
{
    switch (type) {
    case MOAT_CELL_CONSOLE_NONE: return "none";
    case MOAT_CELL_CONSOLE_PL011: return "pl011";
    case MOAT_CELL_CONSOLE_HYPERCALL: return "hypercall";
    case MOAT_CELL_CONSOLE_RING: return "ring";
    default: return "unknown";
    }
}

std::vector<std::string> flag_names(u32 f)
{
    static const char *names[] = {"read", "write", "exec", "dma", "io", "loadable", "shared", "root-shared",
                                  "cell-pool"};
    std::vector<std::string> out;
    for (u32 bit = 0; bit < 9; bit++)
        if (f & (1u << bit))
            out.emplace_back(names[bit]);
    return out;
}

std::vector<u32> irq_list(const moat_cell_desc &d)
{
    std::vector<u32> out;
    for (u32 i = 0; i < MOAT_CELL_IRQ_BITS; i++)
        if (d.irq_bitmap[i / 32] & (1u << (i % 32)))
            out.push_back(i);
    return out;
}

// "32-1019" style ranges keep the root cell's 988 SPIs readable.
std::string irq_ranges(const std::vector<u32> &irqs)
{
    std::string s;
    for (size_t i = 0; i < irqs.size();) {
        size_t j = i;
        while (j + 1 < irqs.size() && irqs[j + 1] == irqs[j] + 1)
            j++;
        s += (s.empty() ? "" : ",") + std::to_string(irqs[i]) + (j > i ? "-" + std::to_string(irqs[j]) : "");
        i = j + 1;
    }
    return s.empty() ? "none" : s;
}

std::string size_text(u64 size)
{
    if (size >= (1ull << 20) && size % (1ull << 20) == 0)
        return std::to_string(size >> 20) + " MiB";
    if (size % 1024 == 0)
        return std::to_string(size >> 10) + " KiB";
    return std::to_string(size) + " B";
}

void copy_name(char *dst, const std::string &name) { std::memcpy(dst, name.data(), std::min<size_t>(name.size(), MOAT_LINK_NAME_LEN - 1)); }

// The cell's link endpoints, ordered by link name (the tree's order is not stable).
void fill_links(moat_cell_links &out, const Cell &c)
{
    std::vector<const LinkEndpoint *> eps;
    for (const LinkEndpoint &e : c.links)
        eps.push_back(&e);
    std::sort(eps.begin(), eps.end(), [](auto *a, auto *b) { return a->link.name < b->link.name; });
    if (eps.size() > MOAT_CELL_MAX_LINKS)
        throw Error(c.where, "the cell takes part in " + std::to_string(eps.size()) + " links, at most " +
                                 std::to_string(MOAT_CELL_MAX_LINKS) + " fit in a descriptor");
    out.num_links = static_cast<u32>(eps.size());
    for (size_t i = 0; i < eps.size(); i++) {
        const LinkEndpoint &e = *eps[i];
        moat_cell_link &l = out.link[i];
        copy_name(l.name, e.link.name);
        l.self = e.self;
        l.num_peers = static_cast<u32>(e.link.peers.size());
        l.doorbell_intid = e.self < e.link.doorbells.size() ? e.link.doorbells[e.self] : 0;
        l.num_sections = static_cast<u32>(e.link.sections.size());
        l.regs_ipa = e.regs_ipa;
        for (size_t p = 0; p < e.link.peers.size() && p < MOAT_LINK_MAX_PEERS; p++)
            copy_name(l.peers[p], e.link.peers[p]);
        for (size_t k = 0; k < e.link.sections.size() && k < MOAT_LINK_MAX_SECTIONS; k++) {
            const LinkSection &sec = e.link.sections[k];
            auto owner = std::find(e.link.peers.begin(), e.link.peers.end(), sec.owner);
            l.sections[k] = {sec.phys.base, e.section_ipa[k], sec.phys.size,
                             sec.owner.empty() ? MOAT_LINK_OWNER_ALL : static_cast<u32>(owner - e.link.peers.begin()), 0};
        }
    }
}

}  // namespace

moat_cell_desc encode_cell(const Cell &c, const Board &b)
{
    moat_cell_desc d;
    std::memset(&d, 0, sizeof(d));
    d.magic = MOAT_CELL_MAGIC;
    d.abi_version = MOAT_ABI_VERSION;
    d.total_size = sizeof(d);
    d.flags = (c.root ? MOAT_CELL_FLAG_ROOT : 0) | (c.direct_irq ? MOAT_CELL_FLAG_DIRECT_IRQ : 0) |
              (c.linux_os ? MOAT_CELL_FLAG_LINUX : 0);
    std::memcpy(d.name, c.name.data(), std::min<size_t>(c.name.size(), MOAT_CELL_NAME_LEN - 1));
    d.num_cpus = static_cast<u32>(std::min<size_t>(c.cpus.size(), MOAT_CELL_MAX_CPUS));
    for (u32 i = 0; i < d.num_cpus; i++)
        d.cpu_mpidr[i] = c.cpus[i].mpidr;
    fill_regions(d, c, b);
    for (u32 intid : c.spis)
        if (intid >= MOAT_CELL_FIRST_SPI && intid <= MOAT_CELL_LAST_SPI)
            d.irq_bitmap[intid / 32] |= 1u << (intid % 32);
    d.console.type = c.console_type;
    d.console.base = c.console_base;
    d.entry = c.entry;
    if (c.root)
        fill_platform(d.platform, b);
    fill_links(d.links, c);
    d.checksum = moat::cell_checksum(&d, sizeof(d));
    char err[256];
    if (!moat::cell_validate(&d, sizeof(d), err, sizeof(err)))
        throw Error(c.where, std::string("the descriptor fails the hypervisor's validation: ") + err);
    return d;
}

std::vector<char> descriptor_bytes(const moat_cell_desc &desc)
{
    const char *p = reinterpret_cast<const char *>(&desc);
    return std::vector<char>(p, p + sizeof(desc));
}

moat_cell_desc decode_descriptor(const std::string &name, const std::vector<char> &bytes)
{
    // The validator wants an 8-byte aligned buffer of exactly the bytes given.
    std::vector<u64> aligned((bytes.size() + 7) / 8 + 1);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    char err[256];
    if (!moat::cell_validate(aligned.data(), bytes.size(), err, sizeof(err)))
        throw Error(Location{name, {}, {}}, std::string("invalid cell descriptor: ") + err);
    moat_cell_desc d;
    std::memcpy(&d, aligned.data(), sizeof(d));
    return d;
}

moat_cell_desc read_descriptor_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(Location{path, {}, {}}, std::string("cannot read the cell descriptor: ") + std::strerror(errno));
    std::vector<char> bytes;
    char chunk[4096];
    while ((in.read(chunk, sizeof(chunk)) || in.gcount() > 0) && bytes.size() <= 2 * MOAT_CELL_DESC_SIZE)
        bytes.insert(bytes.end(), chunk, chunk + in.gcount());
    return decode_descriptor(path, bytes);
}

std::string dump_text(const moat_cell_desc &d)
{
    std::ostringstream o;
    o << "cell \"" << d.name << "\"" << ((d.flags & MOAT_CELL_FLAG_ROOT) ? " (root cell)" : "") << "\n";
    o << "  abi " << MOAT_ABI_VERSION_MAJOR(d.abi_version) << "." << MOAT_ABI_VERSION_MINOR(d.abi_version)
      << ", " << d.total_size << " bytes, checksum " << hex(d.checksum) << "\n";
    o << "  entry " << hex(d.entry) << "\n";
    o << "  irq delivery " << ((d.flags & MOAT_CELL_FLAG_DIRECT_IRQ) ? "direct" : "trapped") << "\n";
    o << "  console " << console_name(d.console.type);
    if (d.console.type == MOAT_CELL_CONSOLE_PL011 || d.console.type == MOAT_CELL_CONSOLE_RING)
        o << " at " << hex(d.console.base);
    o << "\n  cpus (MPIDR):";
    for (u32 i = 0; i < d.num_cpus; i++)
        o << " " << hex(d.cpu_mpidr[i]);
    o << "\n  memory regions:\n";
    for (u32 i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        o << "    phys " << hex(m.phys_start) << " ipa " << hex(m.virt_start) << " size " << hex(m.size) << " ("
          << size_text(m.size) << ")";
        for (const std::string &f : flag_names(m.flags))
            o << " " << f;
        o << "\n";
    }
    o << "  irqs (INTID) " << irq_ranges(irq_list(d)) << "\n";
    if (d.flags & MOAT_CELL_FLAG_ROOT) {
        const moat_cell_platform &p = d.platform;
        o << "  platform\n    gic v" << p.gic_version << " gicd " << hex(p.gicd_base) << "+" << hex(p.gicd_size);
        if (p.gic_version == 3)
            o << " gicr " << hex(p.gicr_base) << "+" << hex(p.gicr_size) << " stride " << hex(p.gicr_stride);
        else
            o << " gicc " << hex(p.gicc_base) << " gich " << hex(p.gich_base) << " gicv " << hex(p.gicv_base);
        o << " maintenance INTID " << p.maint_irq << "\n";
        o << "    timer INTIDs secure " << p.timer_sec_phys_irq << " phys " << p.timer_phys_irq << " virt "
          << p.timer_virt_irq << " hyp " << p.timer_hyp_irq << "\n";
        o << "    psci " << (p.psci_method == MOAT_CELL_PSCI_SMC ? "smc" : "hvc") << ", debug uart "
          << console_name(p.debug_uart.type) << " " << hex(p.debug_uart.base) << "\n";
        o << "    hypervisor memory " << hex(p.hv_base) << "+" << hex(p.hv_size) << "\n";
    }
    for (u32 i = 0; i < d.links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
        const moat_cell_link &l = d.links.link[i];
        o << "  link \"" << l.name << "\": peer " << l.self << " of";
        for (u32 p = 0; p < l.num_peers && p < MOAT_LINK_MAX_PEERS; p++)
            o << (p ? ", " : " ") << l.peers[p];
        o << "; doorbell INTID " << l.doorbell_intid << ", registers at " << hex(l.regs_ipa) << "\n";
        for (u32 k = 0; k < l.num_sections && k < MOAT_LINK_MAX_SECTIONS; k++) {
            const moat_link_section &sec = l.sections[k];
            o << "    section phys " << hex(sec.phys) << " ipa " << hex(sec.ipa) << " size " << hex(sec.size) << " written by "
              << (sec.owner == MOAT_LINK_OWNER_ALL ? std::string("every peer") : std::string(l.peers[sec.owner % MOAT_LINK_MAX_PEERS]))
              << "\n";
        }
    }
    return o.str();
}

std::string dump_json(const moat_cell_desc &d)
{
    std::ostringstream o;
    auto num = [&](const char *key, unsigned long long v, bool comma = true) {
        o << "\"" << key << "\": " << v << (comma ? ", " : "");
    };
    o << "{\"name\": \"" << d.name << "\", ";
    num("abi_version", d.abi_version);
    num("total_size", d.total_size);
    num("checksum", d.checksum);
    num("flags", d.flags);
    o << "\"root\": " << ((d.flags & MOAT_CELL_FLAG_ROOT) ? "true" : "false") << ", ";
    num("entry", d.entry);
    o << "\"irq_delivery\": \"" << ((d.flags & MOAT_CELL_FLAG_DIRECT_IRQ) ? "direct" : "trapped") << "\", ";
    o << "\"console\": {\"type\": \"" << console_name(d.console.type) << "\", \"base\": " << d.console.base << "}, ";
    o << "\"cpus\": [";
    for (u32 i = 0; i < d.num_cpus; i++)
        o << (i ? ", " : "") << d.cpu_mpidr[i];
    o << "], \"mem_regions\": [";
    for (u32 i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        o << (i ? ", " : "") << "{\"phys_start\": " << m.phys_start << ", \"virt_start\": " << m.virt_start
          << ", \"size\": " << m.size << ", \"flags\": " << m.flags << ", \"flag_names\": [";
        auto names = flag_names(m.flags);
        for (size_t k = 0; k < names.size(); k++)
            o << (k ? ", " : "") << "\"" << names[k] << "\"";
        o << "]}";
    }
    o << "], \"irqs\": [";
    auto irqs = irq_list(d);
    for (size_t i = 0; i < irqs.size(); i++)
        o << (i ? ", " : "") << irqs[i];
    o << "]";
    if (d.flags & MOAT_CELL_FLAG_ROOT) {
        const moat_cell_platform &p = d.platform;
        o << ", \"platform\": {";
        num("gic_version", p.gic_version);
        o << "\"psci_method\": \"" << (p.psci_method == MOAT_CELL_PSCI_SMC ? "smc" : "hvc") << "\", ";
        num("gicd_base", p.gicd_base);
        num("gicd_size", p.gicd_size);
        num("gicr_base", p.gicr_base);
        num("gicr_size", p.gicr_size);
        num("gicr_stride", p.gicr_stride);
        num("gicc_base", p.gicc_base);
        num("gicc_size", p.gicc_size);
        num("gich_base", p.gich_base);
        num("gich_size", p.gich_size);
        num("gicv_base", p.gicv_base);
        num("gicv_size", p.gicv_size);
        num("maint_irq", p.maint_irq);
        num("timer_sec_phys_irq", p.timer_sec_phys_irq);
        num("timer_phys_irq", p.timer_phys_irq);
        num("timer_virt_irq", p.timer_virt_irq);
        num("timer_hyp_irq", p.timer_hyp_irq);
        o << "\"debug_uart\": {\"type\": \"" << console_name(p.debug_uart.type) << "\", \"base\": " << p.debug_uart.base << "}, ";
        num("hv_base", p.hv_base);
        num("hv_size", p.hv_size, false);
        o << "}";
    }
    if (d.links.num_links) {
        o << ", \"links\": [";
        for (u32 i = 0; i < d.links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
            const moat_cell_link &l = d.links.link[i];
            o << (i ? ", " : "") << "{\"name\": \"" << std::string(l.name, strnlen(l.name, MOAT_LINK_NAME_LEN)) << "\", ";
            num("self", l.self);
            num("doorbell_intid", l.doorbell_intid);
            num("regs_ipa", l.regs_ipa);
            o << "\"peers\": [";
            for (u32 p = 0; p < l.num_peers && p < MOAT_LINK_MAX_PEERS; p++)
                o << (p ? ", " : "") << "\"" << std::string(l.peers[p], strnlen(l.peers[p], MOAT_LINK_NAME_LEN)) << "\"";
            o << "], \"sections\": [";
            for (u32 k = 0; k < l.num_sections && k < MOAT_LINK_MAX_SECTIONS; k++) {
                const moat_link_section &sec = l.sections[k];
                o << (k ? ", " : "") << "{";
                num("phys", sec.phys);
                num("ipa", sec.ipa);
                num("size", sec.size);
                num("owner", sec.owner, false);
                o << "}";
            }
            o << "]}";
        }
        o << "]";
    }
    o << "}\n";
    return o.str();
}

}  // namespace cellc

namespace cellc {

namespace {

// Typed access to the members of one JSON object; errors name the member.
class JsonFields {
public:
    JsonFields(const std::string &file, const Json &obj, std::string prefix)
        : file_(file), obj_(obj), prefix_(std::move(prefix))
    {
        if (obj.kind != Json::Kind::Object)
            fail("", "is not an object");
    }

    const Json &get(const char *key, Json::Kind kind, const char *kind_name) const
    {
        const Json *v = obj_.find(key);
        if (!v || v->kind != kind)
            fail(key, std::string("missing or not ") + kind_name);
        return *v;
    }
    u64 num(const char *key) const { return get(key, Json::Kind::Number, "a number").number; }
    u32 num32(const char *key) const
    {
        u64 v = num(key);
        if (v > 0xffffffffu)
            fail(key, hex(v) + " does not fit in 32 bits");
        return static_cast<u32>(v);
    }
    const std::string &str(const char *key) const { return get(key, Json::Kind::String, "a string").text; }
    const std::vector<Json> &array(const char *key, size_t max) const
    {
        const std::vector<Json> &items = get(key, Json::Kind::Array, "an array").items;
        if (items.size() > max)
            fail(key, std::to_string(items.size()) + " entries, at most " + std::to_string(max));
        return items;
    }
    const Json &object(const char *key) const { return get(key, Json::Kind::Object, "an object"); }
    bool has(const char *key) const { return obj_.find(key) != nullptr; }

    [[noreturn]] void fail(const std::string &key, const std::string &what) const
    {
        throw Error(Location{file_, {}, prefix_ + key}, what);
    }

private:
    const std::string &file_;
    const Json &obj_;
    std::string prefix_;
};

u32 console_type(const JsonFields &f, const char *key)
{
    const std::string &name = f.str(key);
    for (u32 i = 0; i < 4; i++)
        if (name == CONSOLE_NAMES[i])
            return i;
    f.fail(key, "\"" + name + "\" is not one of \"none\", \"pl011\", \"hypercall\", \"ring\"");
}

moat_cell_console console_from_json(const std::string &file, const JsonFields &parent, const char *key)
{
    JsonFields c(file, parent.object(key), std::string(key) + ".");
    return {console_type(c, "type"), 0, c.num("base")};
}

void platform_from_json(const std::string &file, const JsonFields &f, moat_cell_platform &p)
{
    JsonFields j(file, f.object("platform"), "platform.");
    p.gic_version = j.num32("gic_version");
    const std::string &psci = j.str("psci_method");
    p.psci_method = psci == "smc" ? MOAT_CELL_PSCI_SMC : psci == "hvc" ? MOAT_CELL_PSCI_HVC : 0;
    if (!p.psci_method)
        j.fail("psci_method", "must be \"smc\" or \"hvc\"");
    p.gicd_base = j.num("gicd_base");
    p.gicd_size = j.num("gicd_size");
    p.gicr_base = j.num("gicr_base");
    p.gicr_size = j.num("gicr_size");
    p.gicr_stride = j.num("gicr_stride");
    p.gicc_base = j.num("gicc_base");
    p.gicc_size = j.num("gicc_size");
    p.gich_base = j.num("gich_base");
    p.gich_size = j.num("gich_size");
    p.gicv_base = j.num("gicv_base");
    p.gicv_size = j.num("gicv_size");
    p.maint_irq = j.num32("maint_irq");
    p.timer_sec_phys_irq = j.num32("timer_sec_phys_irq");
    p.timer_phys_irq = j.num32("timer_phys_irq");
    p.timer_virt_irq = j.num32("timer_virt_irq");
    p.timer_hyp_irq = j.num32("timer_hyp_irq");
    p.debug_uart = console_from_json(file, j, "debug_uart");
    p.hv_base = j.num("hv_base");
    p.hv_size = j.num("hv_size");
}

// A name of at most 31 characters into a NUL-padded field of MOAT_LINK_NAME_LEN bytes.
void name_from_json(const JsonFields &f, const std::string &key, const std::string &name, char *dst)
{
    if (name.size() >= MOAT_LINK_NAME_LEN)
        f.fail(key, "longer than 31 characters");
    std::memcpy(dst, name.data(), name.size());
}

void links_from_json(const std::string &file, const JsonFields &f, moat_cell_links &out)
{
    const auto &links = f.array("links", MOAT_CELL_MAX_LINKS);
    out.num_links = static_cast<u32>(links.size());
    for (size_t i = 0; i < links.size(); i++) {
        JsonFields j(file, links[i], "links[" + std::to_string(i) + "].");
        moat_cell_link &l = out.link[i];
        name_from_json(j, "name", j.str("name"), l.name);
        l.self = j.num32("self");
        l.doorbell_intid = j.num32("doorbell_intid");
        l.regs_ipa = j.num("regs_ipa");
        const auto &peers = j.array("peers", MOAT_LINK_MAX_PEERS);
        l.num_peers = static_cast<u32>(peers.size());
        for (size_t p = 0; p < peers.size(); p++) {
            if (peers[p].kind != Json::Kind::String)
                j.fail("peers", "entry " + std::to_string(p) + " is not a string");
            name_from_json(j, "peers", peers[p].text, l.peers[p]);
        }
        const auto &sections = j.array("sections", MOAT_LINK_MAX_SECTIONS);
        l.num_sections = static_cast<u32>(sections.size());
        for (size_t k = 0; k < sections.size(); k++) {
            JsonFields sj(file, sections[k], "links[" + std::to_string(i) + "].sections[" + std::to_string(k) + "].");
            l.sections[k] = {sj.num("phys"), sj.num("ipa"), sj.num("size"), sj.num32("owner"), 0};
        }
    }
}

}  // namespace

moat_cell_desc descriptor_from_json(const std::string &file, const std::string &text, bool validate)
{
    Json doc = parse_json(file, text);
    JsonFields f(file, doc, "");
    moat_cell_desc d;
    std::memset(&d, 0, sizeof(d));
    d.magic = MOAT_CELL_MAGIC;
    const std::string &name = f.str("name");
    if (name.size() >= MOAT_CELL_NAME_LEN)
        f.fail("name", "longer than 31 characters");
    std::memcpy(d.name, name.data(), name.size());
    d.abi_version = f.num32("abi_version");
    d.total_size = f.num32("total_size");
    d.flags = f.num32("flags");
    d.entry = f.num("entry");
    d.console = console_from_json(file, f, "console");
    const auto &cpus = f.array("cpus", MOAT_CELL_MAX_CPUS);
    d.num_cpus = static_cast<u32>(cpus.size());
    for (size_t i = 0; i < cpus.size(); i++) {
        if (cpus[i].kind != Json::Kind::Number)
            f.fail("cpus", "entry " + std::to_string(i) + " is not a number");
        d.cpu_mpidr[i] = cpus[i].number;
    }
    const auto &regions = f.array("mem_regions", MOAT_CELL_MAX_MEM_REGIONS);
    d.num_mem_regions = static_cast<u32>(regions.size());
    for (size_t i = 0; i < regions.size(); i++) {
        JsonFields r(file, regions[i], "mem_regions[" + std::to_string(i) + "].");
        d.mem_regions[i] = {r.num("phys_start"), r.num("virt_start"), r.num("size"), r.num32("flags"), 0};
    }
    for (const Json &irq : f.array("irqs", MOAT_CELL_IRQ_BITS)) {
        if (irq.kind != Json::Kind::Number || irq.number >= MOAT_CELL_IRQ_BITS)
            f.fail("irqs", "entries must be INTIDs below 1024");
        d.irq_bitmap[irq.number / 32] |= 1u << (irq.number % 32);
    }
    if (f.has("platform"))
        platform_from_json(file, f, d.platform);
    if (f.has("links"))
        links_from_json(file, f, d.links);
    d.checksum = moat::cell_checksum(&d, sizeof(d));
    char err[256];
    if (validate && !moat::cell_validate(&d, sizeof(d), err, sizeof(err)))
        throw Error(Location{file, {}, {}}, std::string("the described descriptor is invalid: ") + err);
    return d;
}

}  // namespace cellc
