// SPDX-License-Identifier: GPL-2.0
#include "cell_spec.hpp"

#include <libfdt.h>
#include <moat/cell.h>

#include <algorithm>
#include <set>

namespace cellc {

namespace {

constexpr u64 PAGE = MOAT_CELL_PAGE_SIZE;

bool page_aligned(u64 v) { return (v & (PAGE - 1)) == 0; }
u64 page_down(u64 v) { return v & ~(PAGE - 1); }

// [base, base + size) can be represented: not empty and not wrapping past 2^64.
bool fits(u64 base, u64 size) { return size != 0 && base + (size - 1) >= base; }

std::string span(const AddressRange &r) { return hex(r.base) + ".." + hex(r.last()); }

// The whole pages a register range touches (the granule stage 2 can map).
AddressRange page_span(const AddressRange &r)
{
    u64 first = page_down(r.base), last = page_down(r.last());
    return {first, last - first + PAGE};
}

bool valid_name(const std::string &name)
{
    return !name.empty() && name.size() < MOAT_CELL_NAME_LEN &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
           });
}

std::vector<int> phandle_list(const Tree &t, int node, const char *prop)
{
    std::vector<int> out;
    auto list = t.cells(node, prop);
    if (!list)
        return out;
    for (size_t i = 0; i < list->size(); i++) {
        int target = t.node_by_phandle((*list)[i]);
        if (target < 0)
            throw Error(t.at(node, prop), "entry " + std::to_string(i) + " (" + hex((*list)[i]) +
                                              ") is not the phandle of any node; write references as <&label>");
        out.push_back(target);
    }
    return out;
}

u64 read_address(const Tree &t, int node, const char *prop, const char *example)
{
    auto v = t.cells(node, prop);
    if (!v || v->empty() || v->size() > 2)
        throw Error(t.at(node, prop), std::string("must be a 64-bit address in one or two cells, e.g. ") + example);
    return read_number(*v, 0, static_cast<int>(v->size()));
}

void read_cpus(const Tree &t, const Board &b, int node, Cell &c)
{
    if (c.root) {
        if (t.has(node, "cpus"))
            throw Error(t.at(node, "cpus"), "the root cell starts with every CPU; remove cpus (cells take "
                                            "theirs from the root when they are created)");
        for (const Cpu &cpu : b.cpus)
            if (cpu.boot)
                c.cpus.push_back(cpu);
        for (const Cpu &cpu : b.cpus)
            if (!cpu.boot)
                c.cpus.push_back(cpu);
        return;
    }
    for (int target : phandle_list(t, node, "cpus")) {
        const Cpu *cpu = b.cpu_at(target);
        if (!cpu)
            throw Error(t.at(node, "cpus"), "points at " + t.path(target) +
                                                ", which is not a CPU node under /cpus; list CPUs as <&cpu1 &cpu2>");
        c.cpus.push_back(*cpu);
    }
}

void read_devices(const Tree &t, const Board &b, int node, Cell &c)
{
    if (c.root) {
        if (t.has(node, "devices"))
            throw Error(t.at(node, "devices"), "the root cell gets every device; remove devices");
        for (const Device &d : b.devices)
            c.devices.push_back(&d);
        for (u32 intid = MOAT_CELL_FIRST_SPI; intid <= MOAT_CELL_LAST_SPI; intid++)
            c.spis.push_back(intid);  // also PCI INTx and devices the tree does not list
        return;
    }
    std::set<u32> spis;
    for (int target : phandle_list(t, node, "devices")) {
        const Device *d = b.device_at(target);
        if (!d)
            throw Error(t.at(node, "devices"), "points at " + t.path(target) +
                                                   ", which is not a memory-mapped device (no reg that translates "
                                                   "to a physical address); list device nodes such as <&rtc>");
        if (d->is_gic)
            throw Error(t.at(node, "devices"), "points at the GIC " + d->path +
                                                   ", which the hypervisor owns; remove it (cells get their interrupts "
                                                   "through the devices that raise them)");
        if (std::find(c.devices.begin(), c.devices.end(), d) != c.devices.end())
            throw Error(t.at(node, "devices"), d->path + " is listed twice; list it once");
        c.devices.push_back(d);
        spis.insert(d->spis.begin(), d->spis.end());
    }
    c.spis.assign(spis.begin(), spis.end());
}

u32 access_flags(const Tree &t, int child, bool shared)
{
    auto access = t.string(child, "access");
    std::string a = access ? *access : (shared ? "rw" : "rwx");
    u32 flags = 0;
    for (char ch : a) {
        u32 bit = ch == 'r' ? MOAT_CELL_MEM_READ : ch == 'w' ? MOAT_CELL_MEM_WRITE : ch == 'x' ? MOAT_CELL_MEM_EXEC : 0;
        if (!bit || (flags & bit))
            throw Error(t.at(child, "access"), "\"" + a + "\" is not a combination of r, w and x (e.g. \"rw\")");
        flags |= bit;
    }
    if (!flags)
        throw Error(t.at(child, "access"), "is empty; give at least \"r\"");
    return flags;
}

MemoryMapping read_mapping(const Tree &t, const Cell &c, int child)
{
    auto targets = phandle_list(t, child, "memory-region");
    if (targets.size() != 1)
        throw Error(t.at(child, "memory-region"), "a cell's child node maps one region: memory-region = <&label>;");
    int region = targets[0];
    bool shared = t.compatible(region, "moat,shared-memory");
    bool cell_memory = t.compatible(region, "moat,cell-memory");
    std::string region_path = t.path(region);
    if ((!shared && !cell_memory) || region_path.rfind("/reserved-memory/", 0) != 0)
        throw Error(t.at(child, "memory-region"), "points at " + region_path +
                                                      ", which is not a moat,cell-memory or moat,shared-memory node under "
                                                      "/reserved-memory");
    if (c.root && !shared)
        throw Error(t.at(child, "memory-region"), "the root cell's RAM is all board RAM outside the hypervisor and "
                                                  "the cell pools; it can only map moat,shared-memory regions");
    auto regs = t.raw_reg(region);
    if (regs.size() != 1)
        throw Error(t.at(region, "reg"), "a moat memory region needs exactly one reg entry");
    MemoryMapping m;
    m.phys = regs[0];
    m.ipa = t.has(child, "ipa") ? read_address(t, child, "ipa", "ipa = <0x0 0x40000000>;") : m.phys.base;
    m.flags = access_flags(t, child, shared);
    if (t.has(child, "loadable"))
        m.flags |= MOAT_CELL_MEM_LOADABLE;
    if (t.has(child, "dma"))
        m.flags |= MOAT_CELL_MEM_DMA;
    if (shared)
        m.flags |= MOAT_CELL_MEM_SHARED;
    if (t.has(child, "root-shared"))
        m.flags |= MOAT_CELL_MEM_ROOT_SHARED;
    m.where = t.at(child, "memory-region");
    m.region = t.at(region, "reg");
    return m;
}

bool valid_link_name(const std::string &name)
{
    return name.size() < MOAT_LINK_NAME_LEN && valid_name(name);
}

Link read_link(const Tree &t, int node)
{
    Link l;
    l.where = t.at(node);
    auto name = t.string(node, "link-name");
    if (!name || !valid_link_name(*name))
        throw Error(t.at(node, "link-name"), "needs a name of 1..31 characters from [A-Za-z0-9._-], e.g. "
                                             "link-name = \"echo\";");
    l.name = *name;
    l.peers = t.strings(node, "peers");
    if (l.peers.size() < 2 || l.peers.size() > MOAT_LINK_MAX_PEERS)
        throw Error(t.at(node, "peers"), "a link joins 2.." + std::to_string(MOAT_LINK_MAX_PEERS) +
                                             " cells by name, e.g. peers = \"linux\", \"echo\";");
    for (size_t i = 0; i < l.peers.size(); i++) {
        if (!valid_name(l.peers[i]))
            throw Error(t.at(node, "peers"), "\"" + l.peers[i] + "\" is not a cell name (1..31 of [A-Za-z0-9._-])");
        for (size_t j = 0; j < i; j++)
            if (l.peers[j] == l.peers[i])
                throw Error(t.at(node, "peers"), "\"" + l.peers[i] + "\" is listed twice; each cell is one peer");
    }
    auto bells = t.cells(node, "doorbell-intids");
    if (!bells || bells->size() != l.peers.size())
        throw Error(t.at(node, "doorbell-intids"), "needs one INTID per peer, in the order of peers, e.g. "
                                                   "doorbell-intids = <96 97>; (an SPI no device of the board raises)");
    l.doorbells = *bells;
    int child;
    fdt_for_each_subnode(child, t.fdt(), node) {
        auto targets = phandle_list(t, child, "memory-region");
        if (targets.size() != 1 || !t.compatible(targets[0], "moat,shared-memory"))
            throw Error(t.at(child, "memory-region"), "a link section maps one moat,shared-memory region: "
                                                      "memory-region = <&label>;");
        auto regs = t.raw_reg(targets[0]);
        if (regs.size() != 1)
            throw Error(t.at(targets[0], "reg"), "a moat memory region needs exactly one reg entry");
        LinkSection sec{t.at(child), regs[0], t.at(targets[0], "reg"), t.string(child, "owner").value_or("")};
        if (!sec.owner.empty() && std::find(l.peers.begin(), l.peers.end(), sec.owner) == l.peers.end())
            throw Error(t.at(child, "owner"), "\"" + sec.owner + "\" is not one of the link's peers; name the peer "
                                              "that alone writes this section, or drop owner for a section every peer writes");
        l.sections.push_back(sec);
    }
    if (l.sections.empty() || l.sections.size() > MOAT_LINK_MAX_SECTIONS)
        throw Error(t.at(node), "a link has 1.." + std::to_string(MOAT_LINK_MAX_SECTIONS) +
                                    " sections (child nodes with memory-region = <&a moat,shared-memory region>;)");
    // Tree order is not stable across overlays (libfdt reverses siblings): sections by address.
    std::sort(l.sections.begin(), l.sections.end(),
              [](const LinkSection &a, const LinkSection &b) { return a.phys.base < b.phys.base; });
    return l;
}

// A child node `link = <&moat_link_x>;`: the cell's end of that link. Its sections become
// memory mappings (SHARED; written only where the link lets this peer write).
void read_endpoint(const Tree &t, int child, Cell &c)
{
    auto targets = phandle_list(t, child, "link");
    if (targets.size() != 1 || !t.compatible(targets[0], "moat,link"))
        throw Error(t.at(child, "link"), "points at no \"moat,link\" node; write link = <&label of the link>;");
    LinkEndpoint e;
    e.where = t.at(child);
    e.link = read_link(t, targets[0]);
    for (const LinkEndpoint &o : c.links)
        if (o.link.where.node == e.link.where.node)
            throw Error(t.at(child, "link"), "the cell already takes part in link \"" + e.link.name + "\" (" +
                                                 o.where.node + "); one node per link");
    auto self = std::find(e.link.peers.begin(), e.link.peers.end(), c.name);
    e.is_peer = self != e.link.peers.end();
    e.self = static_cast<u32>(self - e.link.peers.begin());
    if (c.root && t.has(child, "ipa"))
        throw Error(t.at(child, "ipa"), "the root cell sees a link's sections at their physical addresses; remove ipa");
    e.ipa = c.root ? 0 : read_address(t, child, "ipa", "ipa = <0x0 0x50000000>;");
    u64 next = e.ipa;
    for (const LinkSection &sec : e.link.sections) {
        u64 ipa = c.root ? sec.phys.base : next;
        next += sec.phys.size;
        e.section_ipa.push_back(ipa);
        bool writes = sec.owner.empty() || sec.owner == c.name;
        MemoryMapping m;
        m.phys = sec.phys;
        m.ipa = ipa;
        m.flags = MOAT_CELL_MEM_READ | (writes ? MOAT_CELL_MEM_WRITE : 0) | MOAT_CELL_MEM_SHARED;
        m.where = t.at(child, "link");
        m.region = sec.region;
        m.link = e.link.where.node;
        c.memory.push_back(m);
    }
    if (c.root && !t.has(child, "regs-ipa"))
        throw Error(t.at(child, "regs-ipa"), "the root cell needs the address of the link's doorbell register and "
                                             "state pages (8 KiB where the board has neither RAM nor a device), e.g. "
                                             "regs-ipa = <0x0 0x90000000>;");
    e.regs_ipa = t.has(child, "regs-ipa") ? read_address(t, child, "regs-ipa", "regs-ipa = <0x0 0x50200000>;") : next;
    if (!c.root && e.is_peer && e.self < e.link.doorbells.size()) {
        c.spis.push_back(e.link.doorbells[e.self]);
        std::sort(c.spis.begin(), c.spis.end());
        c.spis.erase(std::unique(c.spis.begin(), c.spis.end()), c.spis.end());
    }
    c.links.push_back(e);
}

void read_memory(const Tree &t, const Board &b, int node, Cell &c)
{
    if (c.root) {
        for (const AddressRange &r : root_ram(b))
            c.memory.push_back({r, r.base, MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_EXEC | MOAT_CELL_MEM_DMA,
                                Location{b.file, "/memory", "reg"}, {}, {}});
    }
    int child;
    fdt_for_each_subnode(child, t.fdt(), node) {
        if (t.has(child, "link")) {
            read_endpoint(t, child, c);
            continue;
        }
        if (!t.has(child, "memory-region"))
            throw Error(t.at(child), "a cell's child node describes one memory mapping and needs "
                                     "memory-region = <&label>; (or one link: link = <&label>;)");
        c.memory.push_back(read_mapping(t, c, child));
    }
}

void read_console(const Tree &t, const Board &b, int node, Cell &c)
{
    if (c.root) {
        c.console_type = b.debug_uart_base ? MOAT_CELL_CONSOLE_PL011 : MOAT_CELL_CONSOLE_NONE;
        c.console_base = b.debug_uart_base;
        return;
    }
    std::string type = t.string(node, "console").value_or("none");
    if (type == "none" || type == "hypercall") {
        c.console_type = type == "none" ? MOAT_CELL_CONSOLE_NONE : MOAT_CELL_CONSOLE_HYPERCALL;
        // A Linux cell's console UART of a kind the hypervisor has no driver for (the ZCU102's
        // Cadence UART): only the cell's tree names it (moat-cellc linux-dt: stdout-path, serial0).
        if (t.has(node, "console-device")) {
            if (!c.linux_os)
                throw Error(t.at(node, "console-device"), "console = \"" + type + "\" takes no console-device "
                                                          "(only a Linux cell's tree uses it); remove it");
            auto dev = phandle_list(t, node, "console-device");
            const Device *d = dev.size() == 1 ? b.device_at(dev[0]) : nullptr;
            if (!d || std::find(c.devices.begin(), c.devices.end(), d) == c.devices.end())
                throw Error(t.at(node, "console-device"), "console-device must name one node that is also in devices");
            c.console_device = dev[0];
        }
        return;
    }
    if (type == "ring") {
        if (!t.has(node, "console-ring"))
            throw Error(t.at(node, "console"), "console = \"ring\" needs console-ring = <0x0 0x41000000>; the IPA "
                                               "of a page no region of the cell covers");
        c.console_type = MOAT_CELL_CONSOLE_RING;
        c.console_base = read_address(t, node, "console-ring", "console-ring = <0x0 0x41000000>;");
        return;
    }
    if (t.has(node, "console-ring"))
        throw Error(t.at(node, "console-ring"), "console-ring is only for console = \"ring\"; remove it");
    if (type != "pl011")
        throw Error(t.at(node, "console"),
                    "\"" + type + "\" is not one of \"none\", \"hypercall\", \"ring\", \"pl011\"");
    auto dev = phandle_list(t, node, "console-device");
    if (dev.size() != 1 || !t.compatible(dev[0], "arm,pl011"))
        throw Error(t.at(node, "console-device"), "console = \"pl011\" needs console-device = <&uartN>; naming an "
                                                  "arm,pl011 node");
    const Device *d = b.device_at(dev[0]);
    if (!d || std::find(c.devices.begin(), c.devices.end(), d) == c.devices.end())
        throw Error(t.at(node, "console-device"), t.path(dev[0]) + " is not one of the cell's devices; add it to devices");
    c.console_type = MOAT_CELL_CONSOLE_PL011;
    c.console_base = d->mmio.at(0).base;  // devices are mapped 1:1
    c.console_device = dev[0];
}

// moat,irq-delivery: "trapped" (the default: every interrupt through the hypervisor) or "direct"
// (physical interrupts straight to the cell at EL1). The root cell keeps trapped delivery.
void read_irq_delivery(const Tree &t, int node, Cell &c)
{
    if (!t.has(node, "moat,irq-delivery"))
        return;
    if (c.root)
        throw Error(t.at(node, "moat,irq-delivery"), "the root cell (Linux) takes its interrupts through the "
                                                     "hypervisor; remove moat,irq-delivery");
    std::string mode = t.string(node, "moat,irq-delivery").value_or("");
    if (mode != "trapped" && mode != "direct")
        throw Error(t.at(node, "moat,irq-delivery"), "\"" + mode + "\" is not one of \"trapped\", \"direct\"");
    c.direct_irq = mode == "direct";
}

// moat,os: "baremetal" (the default: every trapped debug or PMU register fails the cell) or
// "linux" (those read as zero and ignore writes: docs/linux-cell.md).
void read_os(const Tree &t, int node, Cell &c)
{
    if (!t.has(node, "moat,os"))
        return;
    if (c.root)
        throw Error(t.at(node, "moat,os"), "the root cell is Linux by definition; remove moat,os");
    std::string os = t.string(node, "moat,os").value_or("");
    if (os != "baremetal" && os != "linux")
        throw Error(t.at(node, "moat,os"), "\"" + os + "\" is not one of \"baremetal\", \"linux\"");
    c.linux_os = os == "linux";
}

// moat,dma-unconfined (empty): the author's acknowledgement that the cell's DMA masters can write
// all of physical memory (no SMMU in front of them: docs/security.md, Known gaps).
void read_dma_unconfined(const Tree &t, int node, Cell &c)
{
    if (!t.has(node, "moat,dma-unconfined"))
        return;
    if (c.root)
        throw Error(t.at(node, "moat,dma-unconfined"), "the root cell owns all memory and every device already; "
                                                       "remove moat,dma-unconfined");
    int len = 0;
    if (fdt_getprop(t.fdt(), node, "moat,dma-unconfined", &len) && len != 0)
        throw Error(t.at(node, "moat,dma-unconfined"), "takes no value; write it as moat,dma-unconfined;");
    c.dma_unconfined = true;
}

Cell read_cell(const Tree &t, const Board &b, int node)
{
    Cell c;
    c.where = t.at(node);
    c.root = t.compatible(node, "moat,root-cell");
    auto name = t.string(node, "cell-name");
    if (!name || !valid_name(*name))
        throw Error(t.at(node, "cell-name"), "needs a name of 1..31 characters from [A-Za-z0-9._-], e.g. "
                                             "cell-name = \"ctl-loop\";");
    c.name = *name;
    read_cpus(t, b, node, c);
    read_devices(t, b, node, c);
    read_memory(t, b, node, c);
    read_os(t, node, c);  // before the console: a Linux cell's console-device
    read_console(t, b, node, c);
    read_irq_delivery(t, node, c);
    read_dma_unconfined(t, node, c);
    if (c.root && t.has(node, "entry"))
        throw Error(t.at(node, "entry"), "the root cell (Linux) keeps running where it is; remove entry");
    if (!c.root)
        c.entry = read_address(t, node, "entry", "entry = <0x0 0x40100000>;");
    return c;
}

Diagnostic at(const Location &where, std::string property, std::string message)
{
    Location w = where;
    w.property = std::move(property);
    return {w, std::move(message)};
}

void check_cpus(const Cell &c, Diagnostics &diags)
{
    if (c.cpus.empty())
        diags.push_back(at(c.where, "cpus", "the cell has no CPUs; give it at least one, e.g. cpus = <&cpu3>;"));
    if (c.cpus.size() > MOAT_CELL_MAX_CPUS)
        diags.push_back(at(c.where, "cpus", std::to_string(c.cpus.size()) + " CPUs, at most " +
                                                std::to_string(MOAT_CELL_MAX_CPUS) + " fit in a cell"));
    for (size_t i = 0; i < c.cpus.size(); i++) {
        for (size_t j = 0; j < i; j++)
            if (c.cpus[j].node == c.cpus[i].node)
                diags.push_back(at(c.where, "cpus", c.cpus[i].path + " is listed twice; list it once"));
        if (!c.root && c.cpus[i].boot)
            diags.push_back(at(c.where, "cpus", c.cpus[i].path + " (MPIDR " + hex(c.cpus[i].mpidr) +
                                                    ") is the boot CPU, which stays with the root cell; pick another CPU"));
    }
}

bool inside_any(const AddressRange &r, const std::vector<AddressRange> &areas)
{
    return std::any_of(areas.begin(), areas.end(), [&](const AddressRange &a) { return a.contains(r); });
}

// Address sanity first: a region that wraps or is empty is not checked any further.
bool check_mapping_shape(const MemoryMapping &m, Diagnostics &diags)
{
    if (m.phys.size == 0) {
        diags.push_back({m.region, "size is zero; give the region a size of at least 4 KiB"});
        return false;
    }
    if (!fits(m.phys.base, m.phys.size)) {
        diags.push_back({m.region, hex(m.phys.base) + " + size " + hex(m.phys.size) + " wraps past 2^64; fix base or size"});
        return false;
    }
    if (!fits(m.ipa, m.phys.size)) {
        diags.push_back(at(m.where, "ipa", hex(m.ipa) + " + size " + hex(m.phys.size) + " wraps past 2^64; lower ipa"));
        return false;
    }
    bool ok = true;
    if (!page_aligned(m.phys.base) || !page_aligned(m.phys.size)) {
        diags.push_back({m.region, span(m.phys) + " is not 4 KiB aligned; align base and size to 0x1000"});
        ok = false;
    }
    if (!page_aligned(m.ipa)) {
        diags.push_back(at(m.where, "ipa", hex(m.ipa) + " is not 4 KiB aligned; align it to 0x1000"));
        ok = false;
    }
    return ok;
}

void check_mapping(const MemoryMapping &m, const Board &b, Diagnostics &diags)
{
    if (!check_mapping_shape(m, diags))
        return;
    if (m.phys.overlaps(b.hypervisor.range)) {
        diags.push_back({m.region, span(m.phys) + " touches the hypervisor's reserved memory " + b.hypervisor.node +
                                       " (" + span(b.hypervisor.range) + "); move the region out of it"});
        return;
    }
    if (!inside_any(m.phys, b.ram)) {
        diags.push_back({m.region, (m.flags & MOAT_CELL_MEM_LOADABLE)
                                       ? span(m.phys) + " is loadable but not in RAM; images can only be loaded "
                                                        "into RAM: move it into /memory or drop loadable"
                                       : span(m.phys) + " is outside the board's RAM; place it inside /memory"});
        return;
    }
    if (!m.region.node.empty()) {
        bool in_pool = std::any_of(b.cell_pools.begin(), b.cell_pools.end(),
                                   [&](const NamedRange &p) { return p.range.contains(m.phys); });
        if (!in_pool)
            diags.push_back({m.region, span(m.phys) + " is not inside a moat,cell-pool region, so Linux would use it "
                                           "too; move it into the pool (/reserved-memory/cells@...)"});
    }
}

void check_memory(const Cell &c, const Board &b, Diagnostics &diags)
{
    bool has_ram = false;
    for (size_t i = 0; i < c.memory.size(); i++) {
        const MemoryMapping &m = c.memory[i];
        has_ram |= !(m.flags & MOAT_CELL_MEM_SHARED);
        check_mapping(m, b, diags);
        for (size_t j = 0; j < i; j++) {
            const MemoryMapping &o = c.memory[j];
            if (!fits(m.ipa, m.phys.size) || !fits(o.ipa, o.phys.size))
                continue;
            if (AddressRange{m.ipa, m.phys.size}.overlaps({o.ipa, o.phys.size}))
                diags.push_back(at(m.where, "ipa", span({m.ipa, m.phys.size}) + " overlaps the mapping of " +
                                                       o.where.node + " in the same cell; choose another ipa"));
        }
    }
    if (!has_ram)
        diags.push_back(at(c.where, "memory-region", "the cell has no RAM; add a child node with memory-region = "
                                                     "<&a moat,cell-memory region>;"));
}

// A sub-page register block may only be given away together with everything else in its pages.
void check_subpage(const Cell &c, const Device &d, const Board &b, Diagnostics &diags)
{
    for (const AddressRange &r : d.mmio) {
        if (page_aligned(r.base) && page_aligned(r.size))
            continue;
        AddressRange pages = page_span(r);
        for (const Device &other : b.devices) {
            if (&other == &d || std::find(c.devices.begin(), c.devices.end(), &other) != c.devices.end())
                continue;
            for (const AddressRange &o : other.mmio)
                if (o.overlaps(pages)) {
                    diags.push_back(at(c.where, "devices",
                                       d.path + " registers " + span(r) + " are not page aligned: the cell would also "
                                       "reach " + other.path + " in the same 4 KiB page; add it to devices as well, or "
                                       "choose a page-aligned device"));
                    return;
                }
        }
    }
}

void check_devices(const Cell &c, const Board &b, Diagnostics &diags)
{
    if (c.root)
        return;
    for (const Device *d : c.devices) {
        if (!d->irq_problem.empty())
            diags.push_back(at(c.where, "devices", d->path + ": " + d->irq_problem + "; moat routes only GIC SPIs"));
        if (!d->ppis.empty())
            diags.push_back(at(c.where, "devices", d->path + " raises per-CPU interrupts (PPI INTID " +
                                                       std::to_string(d->ppis[0]) + "), which cannot be given to a cell"));
        for (u32 spi : d->spis)
            if (spi > MOAT_CELL_LAST_SPI)
                diags.push_back(at(c.where, "devices", d->path + " raises INTID " + std::to_string(spi) +
                                                           ", outside the GIC's SPI range (32..1019); fix its interrupts"));
        check_subpage(c, *d, b, diags);
        if (!d->dma_master.empty() && !c.dma_unconfined)
            diags.push_back(at(c.where, "devices",
                               d->path + " is a DMA master (" + d->dma_master + "): with no SMMU in front of it, "
                               "whoever drives it can make it read and write any physical memory, the root's and the "
                               "hypervisor's included. If the cell is trusted with that, add moat,dma-unconfined; to "
                               "the cell node (docs/binding.md); otherwise leave the device with the root"));
    }
}

void check_entry(const Cell &c, Diagnostics &diags)
{
    if (c.root)
        return;
    for (const MemoryMapping &m : c.memory)
        if ((m.flags & MOAT_CELL_MEM_EXEC) && fits(m.ipa, m.phys.size) && c.entry >= m.ipa && c.entry - m.ipa < m.phys.size)
            return;
    diags.push_back(at(c.where, "entry", hex(c.entry) + " is not inside executable RAM of the cell; point it into a "
                                                        "mapping with access \"rwx\" (by convention 0x40100000)"));
}

bool page_range_ok(u64 base, u64 size) { return page_aligned(base) && fits(base, size); }

// What a device of the board that is not the GIC raises: a doorbell must be an SPI nobody uses.
const Device *device_raising(const Board &b, u32 intid)
{
    for (const Device &d : b.devices)
        if (!d.is_gic && std::find(d.spis.begin(), d.spis.end(), intid) != d.spis.end())
            return &d;
    return nullptr;
}

void check_link_endpoint(const Cell &c, const LinkEndpoint &e, const Board &b, Diagnostics &diags)
{
    const Link &l = e.link;
    std::string peers;
    for (const std::string &p : l.peers)
        peers += (peers.empty() ? "" : ", ") + p;
    if (!e.is_peer) {
        diags.push_back(at(e.where, "link", "cell \"" + c.name + "\" is not among the peers of link \"" + l.name +
                                                "\" (" + peers + "); add it to the link's peers or remove this node"));
        return;
    }
    for (size_t i = 0; i < l.doorbells.size(); i++) {
        u32 intid = l.doorbells[i];
        if (intid < MOAT_CELL_FIRST_SPI || intid > MOAT_CELL_LAST_SPI)
            diags.push_back(at(l.where, "doorbell-intids", "INTID " + std::to_string(intid) + " (peer \"" + l.peers[i] +
                                                              "\") is not an SPI (32..1019); pick an SPI no device raises"));
        else if (const Device *d = device_raising(b, intid))
            diags.push_back(at(l.where, "doorbell-intids", "INTID " + std::to_string(intid) + " (peer \"" + l.peers[i] +
                                                              "\") is raised by " + d->path +
                                                              "; a doorbell needs an SPI no device of the board raises"));
        for (size_t j = 0; j < i; j++)
            if (l.doorbells[j] == intid)
                diags.push_back(at(l.where, "doorbell-intids", "INTID " + std::to_string(intid) + " is the doorbell of \"" +
                                                                  l.peers[j] + "\" and \"" + l.peers[i] + "\"; give each peer its own"));
    }
    AddressRange regs{e.regs_ipa, MOAT_LINK_REGS_SIZE};
    if (!page_range_ok(e.regs_ipa, MOAT_LINK_REGS_SIZE)) {
        diags.push_back(at(e.where, "regs-ipa", hex(e.regs_ipa) + " is not a 4 KiB aligned address with room for "
                                                                  "the doorbell register and state pages (8 KiB)"));
        return;
    }
    for (const MemoryMapping &m : c.memory)
        if (fits(m.ipa, m.phys.size) && AddressRange{m.ipa, m.phys.size}.overlaps(regs))
            diags.push_back(at(e.where, "regs-ipa", span(regs) + " overlaps the cell's mapping of " + m.where.node +
                                                        " (" + span({m.ipa, m.phys.size}) + "); put the doorbell pages "
                                                        "where the cell maps nothing"));
    // Cells see devices (and the GIC) at their physical addresses; the root sees the board's RAM.
    for (const Device &d : b.devices)
        for (const AddressRange &r : d.is_gic ? b.gic.regs : d.mmio)
            if (page_span(r).overlaps(regs)) {
                diags.push_back(at(e.where, "regs-ipa", span(regs) + " overlaps " + d.path + " (" + span(r) +
                                                            "); put the doorbell pages where the board has no device"));
                break;
            }
    if (c.root)
        for (const AddressRange &r : b.ram)
            if (r.overlaps(regs))
                diags.push_back(at(e.where, "regs-ipa", span(regs) + " is RAM of the board (" + span(r) +
                                                            "); the root cell's doorbell pages go where it has no RAM"));
}

void check_links(const Cell &c, const Board &b, Diagnostics &diags)
{
    if (c.links.size() > MOAT_CELL_MAX_LINKS)
        diags.push_back(at(c.where, "", "the cell takes part in " + std::to_string(c.links.size()) + " links, at most " +
                                            std::to_string(MOAT_CELL_MAX_LINKS) + " fit in a descriptor"));
    for (size_t i = 0; i < c.links.size(); i++) {
        check_link_endpoint(c, c.links[i], b, diags);
        for (size_t j = 0; j < i; j++)
            if (AddressRange{c.links[i].regs_ipa, MOAT_LINK_REGS_SIZE}.overlaps({c.links[j].regs_ipa, MOAT_LINK_REGS_SIZE}))
                diags.push_back(at(c.links[i].where, "regs-ipa", "overlaps the doorbell pages of link \"" +
                                                                    c.links[j].link.name + "\"; give each link its own"));
    }
}

}  // namespace

std::vector<AddressRange> root_ram(const Board &b)
{
    std::vector<AddressRange> holes{b.hypervisor.range};
    for (const NamedRange &p : b.cell_pools)
        holes.push_back(p.range);
    std::sort(holes.begin(), holes.end(), [](const AddressRange &x, const AddressRange &y) { return x.base < y.base; });
    std::vector<AddressRange> out;
    for (const AddressRange &ram : b.ram) {
        if (!fits(ram.base, ram.size))
            continue;
        u64 cursor = ram.base;  // next byte not yet handed out
        bool done = false;
        for (const AddressRange &h : holes) {
            if (!fits(h.base, h.size) || h.last() < cursor || h.base > ram.last())
                continue;
            if (h.base > cursor)
                out.push_back({cursor, h.base - cursor});
            if (h.last() >= ram.last()) {
                done = true;
                break;
            }
            cursor = h.last() + 1;
        }
        if (!done)
            out.push_back({cursor, ram.last() - cursor + 1});
    }
    // Stage 2 maps whole pages: shrink each piece to the pages fully inside it.
    std::vector<AddressRange> aligned;
    for (const AddressRange &r : out) {
        u64 first = (r.base + PAGE - 1) & ~(PAGE - 1);
        u64 end_page = page_down(r.last() + 1 == 0 ? r.last() - (PAGE - 1) : r.last() + 1);
        if (first < r.base || end_page <= first)
            continue;
        aligned.push_back({first, end_page - first});
    }
    return aligned;
}

std::vector<Cell> read_cells(const Tree &tree, const Board &board, Diagnostics &diags)
{
    std::vector<Cell> cells;
    for (int node : tree.nodes()) {
        if (!tree.compatible(node, "moat,cell") && !tree.compatible(node, "moat,root-cell"))
            continue;
        try {
            cells.push_back(read_cell(tree, board, node));
        } catch (const Error &e) {
            diags.push_back(e.diagnostic());
        }
    }
    return cells;
}

void check_cell(const Cell &cell, const Board &board, Diagnostics &diags)
{
    check_cpus(cell, diags);
    size_t before_memory = diags.size();
    check_memory(cell, board, diags);
    bool memory_ok = diags.size() == before_memory;
    check_devices(cell, board, diags);
    if (memory_ok)  // otherwise the entry message would only repeat the memory problem
        check_entry(cell, diags);
    check_links(cell, board, diags);
}

namespace {

// Two cells may map the same moat,shared-memory node, both plainly or both as a section of the
// same link: a link's section is nobody else's.
bool shares_region(const MemoryMapping &a, const MemoryMapping &b)
{
    return (a.flags & MOAT_CELL_MEM_SHARED) && (b.flags & MOAT_CELL_MEM_SHARED) && a.region.node == b.region.node &&
           a.link == b.link;
}

const Cell *cell_named(const std::vector<Cell> &cells, const std::string &name)
{
    for (const Cell &c : cells)
        if (c.name == name)
            return &c;
    return nullptr;
}

// Links as a whole: every peer is a cell of the system and takes part; doorbells are not shared
// between links nor raised by a device some cell was given.
void check_links_together(const std::vector<Cell> &cells, Diagnostics &diags)
{
    std::vector<std::pair<u32, const Link *>> bells;
    std::vector<std::string> seen;
    for (const Cell &c : cells)
        for (const LinkEndpoint &e : c.links) {
            const Link &l = e.link;
            if (std::find(seen.begin(), seen.end(), l.where.node) != seen.end())
                continue;
            seen.push_back(l.where.node);
            for (const Cell &o : cells)
                for (const LinkEndpoint &oe : o.links)
                    if (oe.link.name == l.name && oe.link.where.node != l.where.node)
                        diags.push_back(at(oe.link.where, "link-name", "\"" + l.name + "\" is also the name of " +
                                                                           l.where.node + " (" + l.where.file + "); link names must be unique"));
            for (size_t i = 0; i < l.peers.size(); i++) {
                const Cell *p = cell_named(cells, l.peers[i]);
                if (!p) {
                    diags.push_back(at(l.where, "peers", "\"" + l.peers[i] + "\" is no cell of the system; name a cell "
                                                                             "(cell-name) or add its overlay"));
                    continue;
                }
                bool takes_part = std::any_of(p->links.begin(), p->links.end(), [&](const LinkEndpoint &pe) {
                    return pe.link.where.node == l.where.node;
                });
                if (!takes_part)
                    diags.push_back(at(p->where, "", "cell \"" + p->name + "\" is a peer of link \"" + l.name +
                                                         "\" but has no child node link = <&...> for it; add one"));
                if (i < l.doorbells.size())
                    bells.push_back({l.doorbells[i], &l});
            }
        }
    for (size_t i = 0; i < bells.size(); i++) {
        for (size_t j = 0; j < i; j++)
            if (bells[j].first == bells[i].first && bells[j].second != bells[i].second)
                diags.push_back(at(bells[i].second->where, "doorbell-intids",
                                   "INTID " + std::to_string(bells[i].first) + " is also a doorbell of link \"" +
                                       bells[j].second->name + "\"; give each doorbell its own SPI"));
        for (const Cell &c : cells)
            for (const Device *d : c.devices)
                if (!c.root && std::find(d->spis.begin(), d->spis.end(), bells[i].first) != d->spis.end())
                    diags.push_back(at(bells[i].second->where, "doorbell-intids",
                                       "INTID " + std::to_string(bells[i].first) + " is raised by " + d->path +
                                           " of cell \"" + c.name + "\"; a doorbell needs an SPI no device raises"));
    }
}

void check_two_cells(const Cell &a, const Cell &b, Diagnostics &diags)
{
    std::string other = "cell \"" + a.name + "\" (" + a.where.file + ")";
    if (!b.root && !a.root) {
        for (const Cpu &cpu : b.cpus)
            for (const Cpu &mine : a.cpus)
                if (cpu.node == mine.node)
                    diags.push_back(at(b.where, "cpus", cpu.path + " is also given to " + other + "; give each CPU to one cell"));
    }
    for (const MemoryMapping &m : b.memory)
        for (const MemoryMapping &o : a.memory) {
            if (!fits(m.phys.base, m.phys.size) || !fits(o.phys.base, o.phys.size) || shares_region(m, o))
                continue;
            if (m.phys.overlaps(o.phys) && (!m.link.empty() || !o.link.empty()))
                diags.push_back({m.where, span(m.phys) + " is a section of link " + (m.link.empty() ? o.link : m.link) +
                                              " and is also mapped by " + other + " (" + o.where.node +
                                              ") outside it; a link's sections belong to the link: reach them through "
                                              "link = <&...> only"});
            else if (m.phys.overlaps(o.phys))
                diags.push_back({m.where, span(m.phys) + " overlaps memory of " + other + " (" + o.where.node +
                                              "); give each cell its own moat,cell-memory region, or use one "
                                              "moat,shared-memory region"});
        }
    if (a.root || b.root)
        return;  // cells take their devices and interrupts from the root: overlap is the point
    for (const Device *d : b.devices) {
        bool same_device = std::find(a.devices.begin(), a.devices.end(), d) != a.devices.end();
        if (same_device) {
            diags.push_back(at(b.where, "devices", d->path + " is also given to " + other + "; give each device to one cell"));
            continue;
        }
        for (const Device *o : a.devices)
            for (const AddressRange &r : d->mmio)
                for (const AddressRange &q : o->mmio)
                    if (page_span(r).overlaps(page_span(q)))
                        diags.push_back(at(b.where, "devices", d->path + " shares a 4 KiB page with " + o->path +
                                                                   " of " + other + "; stage 2 cannot split a page between cells"));
        for (u32 spi : d->spis)
            for (const Device *o : a.devices)
                if (std::find(o->spis.begin(), o->spis.end(), spi) != o->spis.end())
                    diags.push_back(at(b.where, "devices", d->path + " raises INTID " + std::to_string(spi) + ", which " +
                                                               o->path + " of " + other + " raises too; an IRQ can go to one cell only"));
    }
}

}  // namespace

void check_cells_together(const std::vector<Cell> &cells, Diagnostics &diags)
{
    size_t roots = std::count_if(cells.begin(), cells.end(), [](const Cell &c) { return c.root; });
    if (roots == 0)
        diags.push_back({Location{}, "no root cell among the overlays; add the board's root.dtbo (compatible \"moat,root-cell\")"});
    for (size_t i = 0; i < cells.size(); i++) {
        if (cells[i].root && roots > 1)
            diags.push_back(at(cells[i].where, "compatible", "one of " + std::to_string(roots) +
                                                                 " root cells; a system has exactly one"));
        for (size_t j = 0; j < i; j++) {
            if (cells[j].name == cells[i].name)
                diags.push_back(at(cells[i].where, "cell-name", "\"" + cells[i].name + "\" is also the name of the cell in " +
                                                                    cells[j].where.file + "; names must be unique"));
            check_two_cells(cells[j], cells[i], diags);
        }
    }
    check_links_together(cells, diags);
}

}  // namespace cellc
