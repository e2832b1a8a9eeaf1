// SPDX-License-Identifier: GPL-2.0
#include "linux_dt.hpp"

#include <libfdt.h>
#include <moat/cell_ring.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "cell_spec.hpp"
#include "descriptor.hpp"

namespace cellc {

namespace {

// Sequential-write libfdt, every failure an Error naming the step.
class Writer {
public:
    explicit Writer(const std::string &file) : file_(file), buf_(1 << 20)
    {
        check(fdt_create(buf_.data(), static_cast<int>(buf_.size())), "create");
        check(fdt_finish_reservemap(buf_.data()), "reserve map");
    }
    void begin(const std::string &name) { check(fdt_begin_node(buf_.data(), name.c_str()), "node " + name); }
    void end() { check(fdt_end_node(buf_.data()), "end node"); }
    void prop(const char *name, const void *val, int len) { check(fdt_property(buf_.data(), name, val, len), name); }
    void str(const char *name, const std::string &v) { prop(name, v.c_str(), static_cast<int>(v.size() + 1)); }
    void u32s(const char *name, const std::vector<u32> &v)
    {
        std::vector<fdt32_t> be;
        for (u32 x : v)
            be.push_back(cpu_to_fdt32(x));
        prop(name, be.data(), static_cast<int>(be.size() * 4));
    }
    void empty(const char *name) { prop(name, nullptr, 0); }
    std::vector<char> finish()
    {
        check(fdt_finish(buf_.data()), "finish");
        buf_.resize(fdt_totalsize(buf_.data()));
        return buf_;
    }

private:
    void check(int err, const std::string &what)
    {
        if (err < 0)
            throw Error(Location{file_, {}, {}}, "linux-dt: " + what + ": " + fdt_strerror(err));
    }
    std::string file_;
    std::vector<char> buf_;
};

// Every property of a board node, but those named in `skip`.
void copy_props(Writer &w, const void *fdt, int node, const std::set<std::string> &skip = {})
{
    int prop;
    fdt_for_each_property_offset(prop, fdt, node)
    {
        const char *name;
        int len;
        const void *val = fdt_getprop_by_offset(fdt, prop, &name, &len);
        if (val && !skip.count(name))
            w.prop(name, val, len);
    }
}

std::string node_name(const void *fdt, int node)
{
    const char *n = fdt_get_name(fdt, node, nullptr);
    return n ? n : "";
}

void push_number(std::vector<u32> &cells, u64 v)
{
    cells.push_back(static_cast<u32>(v >> 32));
    cells.push_back(static_cast<u32>(v));
}

const Cell &the_cell(const std::vector<Cell> &cells, const std::string &file)
{
    const Cell *mine = nullptr;
    for (const Cell &c : cells)
        if (c.where.file == file && !c.root) {
            if (mine)
                throw Error(Location{file, {}, {}}, "defines more than one cell; one overlay describes one cell");
            mine = &c;
        }
    if (!mine)
        throw Error(Location{file, {}, {}}, "defines no cell (compatible \"moat,cell\"); pass the Linux cell's overlay last");
    return *mine;
}

// The cell's RAM: its own mappings that are neither device registers nor shared with others.
std::vector<u32> memory_reg(const Cell &c)
{
    std::vector<u32> reg;
    for (const MemoryMapping &m : c.memory)
        if (!(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED)) && m.link.empty()) {
            push_number(reg, m.ipa);
            push_number(reg, m.phys.size);
        }
    if (reg.empty())
        throw Error(c.where, "linux-dt: the cell has no RAM of its own to give Linux as /memory");
    return reg;
}

// The GIC as a cell sees it: the distributor and the redistributors (v3, at their physical
// addresses; the hypervisor emulates both) or the distributor and the CPU interface (v2, the
// virtual one backing the GICC address). Not the ITS or GICv2m: cells get no LPIs or MSIs.
void write_gic(Writer &w, const void *fdt, const Board &b)
{
    const Gic &g = b.gic;
    std::vector<u32> reg;
    size_t keep = 2;  // v3: GICD, GICR; v2: GICD, GICC
    for (size_t i = 0; i < keep && i < g.regs.size(); i++) {
        push_number(reg, g.regs[i].base);
        push_number(reg, g.regs[i].size);
    }
    w.begin(node_name(fdt, g.node));
    w.str("compatible", g.version == 3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
    w.u32s("#interrupt-cells", {3});
    w.empty("interrupt-controller");
    w.u32s("#address-cells", {0});
    w.u32s("reg", reg);
    w.u32s("phandle", {g.phandle});
    w.end();
}

void write_cpus(Writer &w, const void *fdt, const Cell &c)
{
    w.begin("cpus");
    w.u32s("#address-cells", {2});
    w.u32s("#size-cells", {0});
    for (const Cpu &cpu : c.cpus) {
        char name[32];
        std::snprintf(name, sizeof(name), "cpu@%llx", static_cast<unsigned long long>(cpu.mpidr));
        w.begin(name);
        w.str("device_type", "cpu");
        int len;
        const void *compat = fdt_getprop(fdt, cpu.node, "compatible", &len);
        if (compat)
            w.prop("compatible", compat, len);
        std::vector<u32> reg;
        push_number(reg, cpu.mpidr);
        w.u32s("reg", reg);
        w.str("enable-method", "psci");
        w.end();
    }
    w.end();
}

// The clocks of the cell's devices. A fixed clock (QEMU virt's apb-pclk) is copied whole. Any other
// provider (the ZynqMP's clock controller, a client of the platform-management firmware, which
// only the root can call) cannot come along: each of its clocks becomes a fixed clock of the rate
// the cell's overlay gives in `linux-clock-rates` (Hz, one per such clock, in the order of the
// cell's devices and their `clocks`), with the device's `clocks` rewritten to it.
struct CellClocks {
    std::vector<int> copied;                      // fixed-clock providers, copied whole
    std::vector<std::pair<u32, u32>> fixed;       // (phandle, Hz) of each clock put in a provider's place
    std::vector<std::string> fixed_names;         // its clock-output-names
    std::map<const Device *, std::vector<u32>> clocks;  // each device's `clocks` in the cell's tree
};

u32 max_phandle(const Tree &t)
{
    u32 m = 0;
    for (int n : t.nodes())
        m = std::max(m, fdt_get_phandle(t.fdt(), n));
    return m;
}

CellClocks cell_clocks(const Tree &t, const Cell &c)
{
    int cell_node = t.node_by_path(c.where.node);
    std::vector<u32> rates;
    if (cell_node >= 0 && t.has(cell_node, "linux-clock-rates"))
        rates = *t.cells(cell_node, "linux-clock-rates");
    CellClocks out;
    u32 next_phandle = max_phandle(t) + 1;
    size_t used = 0;
    std::vector<std::string> wanted;  // what each rate is for, for the message
    for (const Device *d : c.devices) {
        auto clocks = t.cells(d->node, "clocks");
        if (!clocks)
            continue;
        std::vector<std::string> names = t.strings(d->node, "clock-names");
        std::vector<u32> mine;
        size_t k = 0;
        for (size_t i = 0; i < clocks->size(); k++) {
            int p = t.node_by_phandle((*clocks)[i]);
            if (p < 0)
                throw Error(t.at(d->node, "clocks"), "linux-dt: names a clock phandle the tree does not have");
            auto n = t.cells(p, "#clock-cells");
            size_t len = 1 + (n && !n->empty() ? (*n)[0] : 0);
            if (i + len > clocks->size())
                throw Error(t.at(d->node, "clocks"), "linux-dt: ends inside a clock specifier (#clock-cells of " +
                                                         t.path(p) + ")");
            if (t.compatible(p, "fixed-clock")) {
                mine.insert(mine.end(), clocks->begin() + i, clocks->begin() + i + len);
                if (std::find(out.copied.begin(), out.copied.end(), p) == out.copied.end())
                    out.copied.push_back(p);
            } else {
                std::string what = node_name(t.fdt(), d->node) + " " + (k < names.size() ? names[k] : "clock " + std::to_string(k));
                wanted.push_back(what + " (from " + t.path(p) + ")");
                if (used < rates.size()) {
                    if (rates[used] == 0)
                        throw Error(t.at(cell_node, "linux-clock-rates"), "linux-dt: the rate of " + what + " is 0; give it in Hz");
                    out.fixed.push_back({next_phandle, rates[used]});
                    std::string name = what;
                    std::replace(name.begin(), name.end(), ' ', '-');
                    out.fixed_names.push_back(name);
                    mine.push_back(next_phandle++);
                }
                used++;
            }
            i += len;
        }
        out.clocks[d] = mine;
    }
    if (used != rates.size()) {
        std::string list;
        for (const std::string &w : wanted)
            list += (list.empty() ? "" : ", ") + w;
        Location where = cell_node >= 0 ? t.at(cell_node, "linux-clock-rates") : c.where;
        throw Error(where, "linux-dt: " + std::to_string(used) + " clock(s) of the cell's devices come from a provider "
                    "a cell cannot reach (only fixed clocks are copied)" + (list.empty() ? "" : ": " + list) +
                    "; linux-clock-rates gives " + std::to_string(rates.size()) +
                    ". Give one rate in Hz per such clock, in this order (the rate the firmware set)");
    }
    return out;
}

// A device goes to the root of the cell's tree with its reg as it is: it must sit at the root or
// on buses that map 1:1 (empty `ranges`) with the root's 2 address and 2 size cells (the ZynqMP's
// /axi).
void check_flat(const Tree &t, int node)
{
    for (int bus = t.parent(node); bus >= 0; bus = bus == 0 ? -1 : t.parent(bus)) {
        bool flat = t.address_cells(bus) == 2 && t.size_cells(bus) == 2;
        if (bus != 0) {
            auto r = t.has(bus, "ranges") ? t.cells(bus, "ranges") : std::nullopt;
            flat = flat && r && r->empty();
        }
        if (!flat)
            throw Error(t.at(node), "linux-dt: " + t.path(bus) + " translates its children's addresses (a `ranges` "
                                    "that is not empty, or not 2 address and 2 size cells): a device under it cannot be "
                                    "given to a Linux cell yet; give the cell devices at the root or on a 1:1 bus");
    }
}

// Properties of a device that name what the cell does not get: the firmware's power domains and
// pin control (they stay as the firmware and the root set them), and `clocks` (rewritten).
bool dropped_device_prop(const std::string &name)
{
    return name == "status" || name == "clocks" || name == "power-domains" || name == "power-domain-names" ||
           name.rfind("pinctrl-", 0) == 0;
}


std::string hex_name(const std::string &base, u64 addr)
{
    char at[24];
    std::snprintf(at, sizeof(at), "@%llx", static_cast<unsigned long long>(addr));
    return base + at;
}

// What moat.ko in the cell needs, from the cell's descriptor alone (docs/linux-cell.md, "Links
// and the console"): a node saying that this Linux runs in a moat cell (moat.ko then takes no
// EL2 and makes no /dev/moat), one per link endpoint (the struct moat_cell_link, section IPAs
// instead of physical addresses, which the cell has no use for) and the console ring page.
void write_moat_nodes(Writer &w, const moat_cell_desc &d)
{
    w.begin("moat-cell");
    w.str("compatible", "moat,cell-info");
    w.str("cell-name", std::string(d.name, strnlen(d.name, sizeof(d.name))));
    w.end();
    for (u32 i = 0; i < d.links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
        const moat_cell_link &l = d.links.link[i];
        std::string name(l.name, strnlen(l.name, sizeof(l.name)));
        w.begin(hex_name("moat-link-" + name, l.regs_ipa));
        w.str("compatible", "moat,link-endpoint");
        w.str("link-name", name);
        // The doorbell register page and the state page, then the sections in the link's order.
        std::vector<u32> reg, owners;
        push_number(reg, l.regs_ipa);
        push_number(reg, MOAT_LINK_REGS_SIZE);
        for (u32 k = 0; k < l.num_sections && k < MOAT_LINK_MAX_SECTIONS; k++) {
            push_number(reg, l.sections[k].ipa);
            push_number(reg, l.sections[k].size);
            owners.push_back(l.sections[k].owner);
        }
        w.u32s("reg", reg);
        // GIC_SPI, edge: the hypervisor sets the doorbell pending once per ring.
        w.u32s("interrupts", {0, l.doorbell_intid - MOAT_CELL_FIRST_SPI, 1});
        std::string peers;
        for (u32 p = 0; p < l.num_peers && p < MOAT_LINK_MAX_PEERS; p++)
            peers += std::string(l.peers[p], strnlen(l.peers[p], sizeof(l.peers[p]))) + '\0';
        w.prop("moat,peers", peers.data(), static_cast<int>(peers.size()));
        w.u32s("moat,self", {l.self});
        w.u32s("moat,section-owners", owners);
        w.end();
    }
    if (d.console.type == MOAT_CELL_CONSOLE_RING) {
        w.begin(hex_name("moat-console-ring", d.console.base));
        w.str("compatible", "moat,console-ring");
        std::vector<u32> reg;
        push_number(reg, d.console.base);
        push_number(reg, MOAT_CELL_RING_SIZE);
        w.u32s("reg", reg);
        w.end();
    }
}

}  // namespace

LinuxDtResult linux_dt(const Blob &board, const std::vector<Blob> &overlays, const std::string &bootargs)
{
    LinuxDtResult out;
    try {
        if (overlays.empty())
            throw Error(Location{board.file, {}, {}}, "no overlay given; pass the Linux cell's .dtbo");
        Tree tree(board);
        tree.apply_overlays(overlays);
        Board b = read_board(tree);
        std::vector<Cell> cells = read_cells(tree, b, out.diags);
        if (!out.diags.empty())
            return out;
        const Cell &c = the_cell(cells, overlays.back().file);
        check_cell(c, b, out.diags);
        if (!out.diags.empty())
            return out;
        const void *fdt = tree.fdt();
        Writer w(overlays.back().file);
        w.begin("");
        w.u32s("#address-cells", {2});
        w.u32s("#size-cells", {2});
        w.str("compatible", "linux,dummy-virt");
        w.str("model", "moat Linux cell " + c.name);
        w.u32s("interrupt-parent", {b.gic.phandle});

        // stdout-path (and serial0): console-device where the overlay names one (so its driver
        // numbers it 0: ttyAMA0, ttyPS0); else the PL011 of console = "pl011"; with another
        // console (a ring, which Linux reaches only once moat.ko is loaded), the cell's first
        // PL011, for the first lines.
        moat_cell_desc desc = encode_cell(c, b);
        std::string console;
        if (c.console_device >= 0)
            console = "/" + node_name(fdt, c.console_device);
        for (const Device *d : c.devices)
            if (console.empty() && d->mmio.size() && c.console_type == MOAT_CELL_CONSOLE_PL011 &&
                d->mmio[0].base == c.console_base)
                console = "/" + node_name(fdt, d->node);
        for (const Device *d : c.devices)
            if (console.empty() && c.console_type != MOAT_CELL_CONSOLE_PL011 &&
                fdt_node_check_compatible(fdt, d->node, "arm,pl011") == 0)
                console = "/" + node_name(fdt, d->node);
        w.begin("chosen");
        w.str("bootargs", bootargs);
        if (!console.empty())
            w.str("stdout-path", console);
        w.end();
        if (!console.empty()) {
            w.begin("aliases");
            w.str("serial0", console);
            w.end();
        }
        write_cpus(w, fdt, c);
        w.begin("psci");
        // moat traps a cell's SMC (HCR_EL2.TSC) and answers PSCI itself; its HVC is moat's ABI.
        w.str("compatible", "arm,psci-0.2");
        w.str("method", "smc");
        w.end();
        std::vector<u32> mem = memory_reg(c);
        char name[40];
        std::snprintf(name, sizeof(name), "memory@%x", mem[1]);
        w.begin(name);
        w.str("device_type", "memory");
        w.u32s("reg", mem);
        w.end();
        write_gic(w, fdt, b);
        int timer = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
        if (timer < 0)
            throw Error(Location{board.file, "/", {}}, "linux-dt: the board tree has no arm,armv8-timer node");
        w.begin("timer");
        copy_props(w, fdt, timer, {"phandle", "interrupt-parent"});
        w.end();
        CellClocks clk = cell_clocks(tree, c);
        for (int p : clk.copied) {
            w.begin(node_name(fdt, p));
            copy_props(w, fdt, p);
            w.end();
        }
        for (size_t i = 0; i < clk.fixed.size(); i++) {
            std::snprintf(name, sizeof(name), "cell-clock-%zu", i);
            w.begin(name);
            w.str("compatible", "fixed-clock");
            w.u32s("#clock-cells", {0});
            w.u32s("clock-frequency", {clk.fixed[i].second});
            w.str("clock-output-names", clk.fixed_names[i]);
            w.u32s("phandle", {clk.fixed[i].first});
            w.end();
        }
        for (const Device *d : c.devices) {
            // Copied to the root node with their reg as it is (check_flat).
            check_flat(tree, d->node);
            w.begin(node_name(fdt, d->node));
            int prop;
            fdt_for_each_property_offset(prop, fdt, d->node)
            {
                const char *pname;
                int len;
                const void *val = fdt_getprop_by_offset(fdt, prop, &pname, &len);
                if (val && !dropped_device_prop(pname))
                    w.prop(pname, val, len);
            }
            auto it = clk.clocks.find(d);
            if (it != clk.clocks.end() && !it->second.empty())
                w.u32s("clocks", it->second);
            w.end();
        }
        write_moat_nodes(w, desc);
        w.end();
        out.dtb = w.finish();
    } catch (const Error &e) {
        out.diags.push_back(e.diagnostic());
    }
    if (!out.diags.empty())
        out.dtb.clear();
    return out;
}

}  // namespace cellc
