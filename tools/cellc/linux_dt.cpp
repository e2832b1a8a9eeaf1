// SPDX-License-Identifier: GPL-2.0
#include "linux_dt.hpp"

#include <libfdt.h>
#include <moat/cell_ring.h>

#include <algorithm>
#include <cstring>
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

// Providers named by the devices' `clocks` (fixed clocks on QEMU virt): copied whole.
std::vector<int> clock_providers(const Tree &t, const Cell &c)
{
    std::vector<int> out;
    for (const Device *d : c.devices) {
        auto clocks = t.cells(d->node, "clocks");
        for (size_t i = 0; clocks && i < clocks->size();) {
            int p = t.node_by_phandle((*clocks)[i]);
            if (p < 0)
                throw Error(t.at(d->node, "clocks"), "linux-dt: names a clock phandle the tree does not have");
            auto n = t.cells(p, "#clock-cells");
            i += 1 + (n && !n->empty() ? (*n)[0] : 0);
            if (std::find(out.begin(), out.end(), p) == out.end())
                out.push_back(p);
        }
    }
    return out;
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

        // stdout-path: the PL011 of console = "pl011"; with another console (a ring, which Linux
        // reaches only once moat.ko is loaded), the cell's first PL011, for the first lines.
        moat_cell_desc desc = encode_cell(c, b);
        std::string console;
        for (const Device *d : c.devices)
            if (d->mmio.size() && c.console_type == MOAT_CELL_CONSOLE_PL011 && d->mmio[0].base == c.console_base)
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
        for (int p : clock_providers(tree, c)) {
            w.begin(node_name(fdt, p));
            copy_props(w, fdt, p);
            w.end();
        }
        for (const Device *d : c.devices) {
            // Copied to the root node as they are: only devices whose reg needs no translation.
            if (tree.parent(d->node) != 0)
                throw Error(tree.at(d->node), "linux-dt: a device under a bus (not a child of /) cannot be given "
                                              "to a Linux cell yet; give the cell devices at the root of the tree");
            w.begin(node_name(fdt, d->node));
            copy_props(w, fdt, d->node, {"status"});
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
