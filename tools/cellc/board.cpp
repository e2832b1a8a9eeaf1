// SPDX-License-Identifier: GPL-2.0
#include "board.hpp"
#include "../common/dma_master.hpp"

#include <libfdt.h>
#include <moat/cell.h>

#include <algorithm>

namespace cellc {

namespace {

constexpr u32 GIC_SPI = 0;
constexpr u32 GIC_PPI = 1;
constexpr u64 GIC_SPI_BASE = 32;
constexpr u64 GIC_PPI_BASE = 16;

bool starts_with(const std::string &s, const char *prefix) { return s.rfind(prefix, 0) == 0; }

bool under(const std::string &path, const char *top)
{
    std::string t = top;
    return path == t || starts_with(path, (t + "/").c_str());
}

bool is_disabled(const Tree &t, int node)
{
    auto status = t.strings(node, "status");
    return !status.empty() && status[0] != "okay" && status[0] != "ok";
}

// Why a device can write memory by itself (a DMA master), or "": moat has no SMMU to confine it
// (docs/security.md, Known gaps). Compatibles of known DMA masters, and any node that says it
// does DMA (dma-coherent, or an IOMMU/DMA binding).
std::string dma_master_reason(const Tree &t, int node)
{
    int len = 0;
    const char *list = static_cast<const char *>(fdt_getprop(t.fdt(), node, "compatible", &len));
    for (int at = 0; list && at < len;) {
        std::string compat(list + at, strnlen(list + at, static_cast<size_t>(len - at)));
        at += static_cast<int>(compat.size()) + 1;
        std::string why = moat::tools::dma_master_compatible(compat);
        if (!why.empty())
            return why;
    }
    // A PCI host bridge: every device behind it can master the bus.
    auto type = t.string(node, "device_type");
    if (type && *type == "pci")
        return "a PCI host bridge: the devices behind it master the bus";
    for (const char *p : moat::tools::dma_master_props)
        if (t.has(node, p))
            return std::string("it has ") + p;
    return "";
}

// One node with a compatible string from `compats`; Error if there are several.
int find_unique_compatible(const Tree &t, std::initializer_list<const char *> compats, const char *what)
{
    int found = -1;
    for (int node : t.nodes()) {
        bool match = std::any_of(compats.begin(), compats.end(), [&](const char *c) { return t.compatible(node, c); });
        if (!match || is_disabled(t, node))
            continue;
        if (found >= 0)
            throw Error(t.at(node, "compatible"), std::string("a second ") + what + " (the first is " +
                                                      t.path(found) + "); moat supports one");
        found = node;
    }
    return found;
}

void read_ram(const Tree &t, Board &b)
{
    int node;
    fdt_for_each_subnode(node, t.fdt(), 0) {
        auto type = t.string(node, "device_type");
        if (type && *type == "memory" && !is_disabled(t, node))
            for (const AddressRange &r : t.raw_reg(node))
                if (r.size)
                    b.ram.push_back(r);
    }
    if (b.ram.empty())
        throw Error(Location{b.file, "/memory", "reg"}, "the board tree describes no RAM (no device_type = \"memory\" node)");
}

NamedRange reserved_region(const Tree &t, int node)
{
    auto regs = t.mmio_reg(node);
    if (!regs || regs->size() != 1 || (*regs)[0].size == 0)
        throw Error(t.at(node, "reg"), "a reserved-memory region needs exactly one non-empty reg entry");
    return {(*regs)[0], t.path(node), t.origin(node)};
}

void read_reserved_memory(const Tree &t, Board &b)
{
    int hv = find_unique_compatible(t, {"moat,hypervisor"}, "moat,hypervisor region");
    if (hv < 0)
        throw Error(Location{b.file, "/reserved-memory", {}},
                    "no \"moat,hypervisor\" region; use the board tree with moat's fragment applied "
                    "(build/dts/<board>-moat.dtb)");
    b.hypervisor = reserved_region(t, hv);
    for (int node : t.nodes())
        if (t.compatible(node, "moat,cell-pool") && !is_disabled(t, node))
            b.cell_pools.push_back(reserved_region(t, node));
}

void read_cpus(const Tree &t, Board &b)
{
    int cpus = t.node_by_path("/cpus");
    if (cpus < 0)
        throw Error(Location{b.file, "/cpus", {}}, "the board tree has no /cpus node");
    int ac = t.address_cells(cpus);
    u64 boot_id = fdt_boot_cpuid_phys(t.fdt());
    int node;
    fdt_for_each_subnode(node, t.fdt(), cpus) {
        auto type = t.string(node, "device_type");
        if (!type || *type != "cpu" || is_disabled(t, node))
            continue;
        auto reg = t.cells(node, "reg");
        if (!reg || reg->size() != static_cast<size_t>(ac) || ac > 2)
            throw Error(t.at(node, "reg"), "a CPU's reg must be its MPIDR in #address-cells of /cpus");
        Cpu cpu{node, t.path(node), read_number(*reg, 0, ac), false};
        cpu.boot = cpu.mpidr == boot_id;
        b.cpus.push_back(cpu);
    }
    if (b.cpus.empty())
        throw Error(Location{b.file, "/cpus", {}}, "no CPU nodes (device_type = \"cpu\")");
}

u32 ppi_intid(const Tree &t, int node, const char *prop, const std::vector<u32> &spec, size_t i)
{
    if (i + 3 > spec.size())
        throw Error(t.at(node, prop), "too few cells for a GIC interrupt (type, number, flags)");
    if (spec[i] != GIC_PPI || spec[i + 1] > 15)
        throw Error(t.at(node, prop), "entry " + std::to_string(i / 3) + " is not a PPI (type 1, number 0..15)");
    return static_cast<u32>(GIC_PPI_BASE + spec[i + 1]);
}

void read_gic(const Tree &t, Board &b)
{
    Gic &g = b.gic;
    int v3 = find_unique_compatible(t, {"arm,gic-v3"}, "GICv3");
    int v2 = find_unique_compatible(t, {"arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a7-gic", "arm,cortex-a9-gic"}, "GICv2");
    if ((v3 < 0) == (v2 < 0))
        throw Error(Location{b.file, "/", "interrupt-parent"},
                    v3 < 0 ? "no GIC (arm,gic-v3 or arm,gic-400 compatible node)" : "both a GICv2 and a GICv3 node");
    g.node = v3 >= 0 ? v3 : v2;
    g.version = v3 >= 0 ? 3 : 2;
    g.path = t.path(g.node);
    g.phandle = fdt_get_phandle(t.fdt(), g.node);
    auto regs = t.mmio_reg(g.node);
    size_t need = g.version == 3 ? 2 : 4;
    if (!regs || regs->size() < need)
        throw Error(t.at(g.node, "reg"),
                    g.version == 3 ? "a GICv3 needs at least GICD and GICR reg entries"
                                   : "a GICv2 needs GICD, GICC, GICH and GICV reg entries (GICH/GICV "
                                     "exist only with virtualization: QEMU -M virt,virtualization=on)");
    g.regs = *regs;
    g.gicr_stride = 0;
    if (g.version == 3) {
        auto stride = t.cells(g.node, "redistributor-stride");
        g.gicr_stride = stride ? read_number(*stride, 0, static_cast<int>(std::min<size_t>(stride->size(), 2)))
                               : MOAT_CELL_GICR_STRIDE_V3;
    }
    auto irq = t.cells(g.node, "interrupts");
    if (!irq)
        throw Error(t.at(g.node, "interrupts"), "missing: the GIC's maintenance interrupt (a PPI) is needed");
    g.maint_intid = ppi_intid(t, g.node, "interrupts", *irq, 0);
}

void read_timer(const Tree &t, Board &b)
{
    int timer = find_unique_compatible(t, {"arm,armv8-timer", "arm,armv7-timer"}, "architected timer");
    if (timer < 0)
        throw Error(Location{b.file, "/timer", {}}, "no arm,armv8-timer node: the timer PPIs are needed");
    auto irq = t.cells(timer, "interrupts");
    if (!irq || irq->size() < 12)
        throw Error(t.at(timer, "interrupts"), "needs four PPIs (secure, non-secure, virtual, hypervisor timer)");
    for (size_t i = 0; i < 4; i++)
        b.timer_intids[i] = ppi_intid(t, timer, "interrupts", *irq, 3 * i);
}

void read_psci(const Tree &t, Board &b)
{
    int psci = find_unique_compatible(t, {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"}, "PSCI node");
    if (psci < 0)
        throw Error(Location{b.file, "/psci", {}}, "no PSCI node: moat starts and stops CPUs through PSCI");
    auto method = t.string(psci, "method");
    if (method && *method == "smc")
        b.psci_method = MOAT_CELL_PSCI_SMC;
    else if (method && *method == "hvc")
        b.psci_method = MOAT_CELL_PSCI_HVC;
    else
        throw Error(t.at(psci, "method"), "must be \"smc\" or \"hvc\"");
}

void read_debug_uart(const Tree &t, Board &b)
{
    int chosen = t.node_by_path("/chosen");
    auto stdout_path = chosen >= 0 ? t.string(chosen, "stdout-path") : std::nullopt;
    if (!stdout_path)
        return;
    std::string p = stdout_path->substr(0, stdout_path->find(':'));  // drop ":115200n8"
    int node = t.node_by_path(p);  // libfdt resolves an alias as well
    if (node < 0)
        throw Error(t.at(chosen, "stdout-path"), "names " + p + ", which is not in the tree");
    auto regs = t.mmio_reg(node);
    if (t.compatible(node, "arm,pl011") && regs && !regs->empty())
        b.debug_uart_base = (*regs)[0].base;
}

// The GIC INTIDs of a device's "interrupts", or why they cannot be routed.
void read_device_irqs(const Tree &t, const Board &b, int node, Device &d)
{
    if (t.has(node, "interrupts-extended")) {
        d.irq_problem = "uses interrupts-extended, which moat-cellc does not support";
        return;
    }
    auto spec = t.cells(node, "interrupts");
    if (!spec)
        return;
    int parent = -1;
    for (int n = node; n >= 0 && parent < 0; n = t.parent(n))
        if (auto ip = t.cells(n, "interrupt-parent"); ip && ip->size() == 1)
            parent = t.node_by_phandle((*ip)[0]);
    if (parent != b.gic.node) {
        d.irq_problem = "its interrupts go to " + (parent >= 0 ? t.path(parent) : std::string("no interrupt controller")) +
                        ", not to the GIC";
        return;
    }
    if (spec->size() % 3) {
        d.irq_problem = "interrupts has " + std::to_string(spec->size()) + " cells, not a multiple of the GIC's 3";
        return;
    }
    for (size_t i = 0; i < spec->size(); i += 3) {
        if ((*spec)[i] == GIC_SPI)
            d.spis.push_back(static_cast<u32>(std::min<u64>(GIC_SPI_BASE + (*spec)[i + 1], 0xffffffffu)));
        else if ((*spec)[i] == GIC_PPI && (*spec)[i + 1] < 16)
            d.ppis.push_back(static_cast<u32>(GIC_PPI_BASE + (*spec)[i + 1]));
        else if ((*spec)[i] == GIC_PPI)
            d.irq_problem = "PPI " + std::to_string((*spec)[i + 1]) + " does not exist (PPIs are 0..15)";
        else
            d.irq_problem = "interrupt type " + std::to_string((*spec)[i]) + " is neither SPI (0) nor PPI (1)";
    }
}

void read_pci_windows(const Tree &t, int node, Device &d)
{
    auto ranges = t.cells(node, "ranges");
    int pac = t.address_cells(t.parent(node));
    if (!ranges || t.address_cells(node) != 3 || t.size_cells(node) != 2 || pac > 2)
        return;
    size_t entry = static_cast<size_t>(3 + pac + 2);
    for (size_t i = 0; i + entry <= ranges->size(); i += entry) {
        AddressRange w{read_number(*ranges, i + 3, pac), read_number(*ranges, i + 3 + pac, 2)};
        if (w.size)
            d.pci_windows.push_back(w);
    }
}

bool skipped_subtree(const std::string &path)
{
    for (const char *top : {"/cpus", "/reserved-memory", "/chosen", "/aliases", "/__symbols__", "/__fixups__", "/__local_fixups__"})
        if (under(path, top))
            return true;
    return false;
}

// Whether a node or one of its ancestors says it is not a board device: a moat cell, a PCI
// host's children (their reg is config space), or anything disabled.
bool inside_non_device(const Tree &t, int node)
{
    for (int n = t.parent(node); n > 0; n = t.parent(n)) {
        auto type = t.string(n, "device_type");
        if ((type && *type == "pci") || is_disabled(t, n))
            return true;
        for (const std::string &c : t.strings(n, "compatible"))
            if (starts_with(c, "moat,"))
                return true;
    }
    return false;
}

void read_devices(const Tree &t, Board &b)
{
    for (int node : t.nodes()) {
        std::string path = t.path(node);
        if (node == 0 || skipped_subtree(path) || is_disabled(t, node) || inside_non_device(t, node))
            continue;
        auto type = t.string(node, "device_type");
        if (type && *type == "memory")
            continue;
        auto compat = t.strings(node, "compatible");
        if (!compat.empty() && starts_with(compat[0], "moat,"))
            continue;
        auto regs = t.mmio_reg(node);
        if (!regs || regs->empty())
            continue;
        Device d;
        d.node = node;
        d.path = path;
        for (const AddressRange &r : *regs)
            if (r.size)
                d.mmio.push_back(r);
        d.is_gic = node == b.gic.node;
        d.is_pci_host = type && *type == "pci";
        if (d.is_pci_host)
            read_pci_windows(t, node, d);
        read_device_irqs(t, b, node, d);
        d.dma_master = dma_master_reason(t, node);
        b.devices.push_back(std::move(d));
    }
}

}  // namespace

const Device *Board::device_at(int node) const
{
    for (const Device &d : devices)
        if (d.node == node)
            return &d;
    return nullptr;
}

const Cpu *Board::cpu_at(int node) const
{
    for (const Cpu &c : cpus)
        if (c.node == node)
            return &c;
    return nullptr;
}

Board read_board(const Tree &tree)
{
    Board b;
    b.file = tree.board_file();
    read_ram(tree, b);
    read_reserved_memory(tree, b);
    read_cpus(tree, b);
    read_gic(tree, b);
    read_timer(tree, b);
    read_psci(tree, b);
    read_debug_uart(tree, b);
    read_devices(tree, b);
    return b;
}

}  // namespace cellc
