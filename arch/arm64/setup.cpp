// SPDX-License-Identifier: GPL-2.0
// Entering and leaving the hypervisor on a CPU.
#include <moat/abi.h>
#include <moat/cell_ring.h>

#include "arch/affinity.hpp"
#include "arch/cpu.hpp"
#include "arch/gicv2.hpp"
#include "arch/mmu.hpp"
#include "arch/pl011.hpp"
#include "arch/stage2.hpp"
#include "arch/sysreg.h"
#include "arch/cell.hpp"
#include "arch/psci.hpp"
#include "lib/cell_validate.hpp"
#include "lib/format.hpp"
#include "hv/console.hpp"
#include "hv/spinlock.hpp"
#include "hv/state.hpp"

extern "C" {
extern moat_image_header hv_header;
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __memory_end[];
extern char hv_vectors[];
alignas(moat::PAGE_SIZE) moat::u8 hv_stacks[MOAT_MAX_CPUS][HV_STACK_SIZE];
}

namespace moat::arm64 {

namespace {
PerCpu per_cpu[MOAT_MAX_CPUS];
PagePool pool;
PageTable el2_table;
u64 root_vtcr;
// What the root cell's CPUs run with: stage 2 on, set/way maintenance trapped (made safe), SMC
// trapped (PSCI goes through the hypervisor, so hotplugged CPUs come back under it).
constexpr u64 HCR_ROOT = HCR_EL2_VM | HCR_EL2_TSW | HCR_EL2_TSC;
// Written by the first CPU with the MMU still off and never again: other CPUs read it with
// their MMU off, straight from memory.
u32 global_ready;
u32 first_cpu;

u64 addr(const void *p) { return reinterpret_cast<u64>(p); }
u64 pool_used_bytes() { return pool.used_pages() * PAGE_SIZE; }

u32 current_el() { return (read_sysreg(CurrentEL) >> CURRENTEL_EL_SHIFT) & CURRENTEL_EL_MASK; }

void save_stub_state(StubState &s, u64 stub_sp)
{
    s.sctlr = read_sysreg(sctlr_el2);
    s.tcr = read_sysreg(tcr_el2);
    s.mair = read_sysreg(mair_el2);
    s.ttbr0 = read_sysreg(ttbr0_el2);
    s.vbar = read_sysreg(vbar_el2);
    s.hcr = read_sysreg(hcr_el2);
    s.tpidr = read_sysreg(tpidr_el2);
    s.cptr = read_sysreg(cptr_el2);
    s.mdcr = read_sysreg(mdcr_el2);
    s.vttbr = read_sysreg(vttbr_el2);
    s.vtcr = read_sysreg(vtcr_el2);
    s.cnthctl = read_sysreg(cnthctl_el2);
    s.sp = stub_sp;
}

// Registers the C++ side may restore itself; the translation regime goes in the frame for the
// assembly that turns the MMU off.
void restore_stub_state(const StubState &s, TrapFrame &f)
{
    write_sysreg(hcr_el2, s.hcr);
    write_sysreg(cptr_el2, s.cptr);
    write_sysreg(mdcr_el2, s.mdcr);
    write_sysreg(vttbr_el2, s.vttbr);
    write_sysreg(vtcr_el2, s.vtcr);
    // TLB maintenance Linux did under moat hit moat's VMID only: drop what the stub's VMID cached.
    stage2_flush_local();
    write_sysreg(cnthctl_el2, s.cnthctl);
    write_sysreg(tpidr_el2, s.tpidr);
    isb();
    f.leave_sctlr = s.sctlr;
    f.leave_sp = s.sp;
    f.leave_tcr = s.tcr;
    f.leave_mair = s.mair;
    f.leave_ttbr0 = s.ttbr0;
    f.leave_vbar = s.vbar;
}

void set_entry_error(const char *msg)
{
    // MMU off: plain byte stores into the driver's view of the header.
    char *dst = hv_header.error;
    size_t i = 0;
    for (; msg[i] && i + 1 < sizeof(hv_header.error); i++)
        dst[i] = msg[i];
    dst[i] = '\0';
}

// The root cell's descriptor the driver placed after the image: where it lies, valid, a root
// descriptor, and placing the hypervisor where it runs. nullptr and the entry error otherwise.
const moat_cell_desc *root_descriptor(u32 *error)
{
    const moat_image_header &h = hv_header;
    u64 base = addr(&hv_header);
    char err[sizeof(h.error)];
    *error = MOAT_ENTRY_EDESC;
    if (h.root_desc_offset < h.memory_size || !is_aligned(h.root_desc_offset, PAGE_SIZE) ||
        h.root_desc_size != sizeof(moat_cell_desc) ||
        h.root_desc_offset + h.root_desc_size > h.mem_size) {
        set_entry_error("root cell descriptor missing or misplaced in the hypervisor memory");
        return nullptr;
    }
    const auto &desc = *reinterpret_cast<const moat_cell_desc *>(base + h.root_desc_offset);
    if (!cell_validate(&desc, h.root_desc_size, err, sizeof(err))) {
        set_entry_error(err);
        return nullptr;
    }
    const moat_cell_platform &p = desc.platform;
    if (!(desc.flags & MOAT_CELL_FLAG_ROOT)) {
        set_entry_error("this is not a root cell descriptor (compile cells/<board>/root.dtso)");
        return nullptr;
    }
    if (p.hv_base != base || p.hv_size != h.mem_size) {
        format(err, sizeof(err), "descriptor places the hypervisor at %#lx+%#lx, the image runs at %#lx+%#lx",
               static_cast<unsigned long>(p.hv_base), static_cast<unsigned long>(p.hv_size),
               static_cast<unsigned long>(base), static_cast<unsigned long>(h.mem_size));
        set_entry_error(err);
        return nullptr;
    }
    return &desc;
}

u64 console_base(const moat_cell_platform &p)
{
    return p.debug_uart.type == MOAT_CONSOLE_PL011 ? p.debug_uart.base : 0;
}

// The hypervisor's own EL2 tables, in the pool (which starts after the root descriptor): text
// RX, rodata RO, data RW+XN, the pool, the console UART and the GIC frames it drives.
u32 build_el2_tables(const moat_cell_platform &p, u64 desc_end)
{
    const moat_image_header &h = hv_header;
    u64 base = addr(&hv_header);
    u64 pool_start = align_up(desc_end, PAGE_SIZE);
    u64 pool_end = align_down(base + h.mem_size, PAGE_SIZE);
    if (pool_end <= pool_start || !pool.init(pool_start, pool_end - pool_start))
        return MOAT_ENTRY_ENOMEM;
    El2Layout layout{};
    layout.head_start = base;
    layout.head_end = base + sizeof(moat_image_header);
    layout.text_start = addr(__text_start);
    layout.text_end = addr(__text_end);
    layout.rodata_start = addr(__rodata_start);
    layout.rodata_end = addr(__rodata_end);
    layout.data_start = addr(__data_start);
    layout.data_end = pool_start;
    layout.pool_start = pool_start;
    layout.pool_end = pool_end;
    layout.console_base = console_base(p);
    layout.cpus = h.num_cpus;
    // GICv3: distributor and redistributors; GICv2: distributor, CPU interface, virtual
    // interface control.
    if (p.gic_version == 3) {
        layout.devices[0] = {p.gicd_base, p.gicd_size};
        layout.devices[1] = {p.gicr_base, p.gicr_size};
    } else if (p.gic_version == 2) {
        layout.devices[0] = {p.gicd_base, p.gicd_size};
        layout.devices[1] = {p.gicc_base, p.gicc_size};
        layout.devices[2] = {p.gich_base, p.gich_size};
    }
    return el2_map_build(pool, layout, el2_table) ? MOAT_ENTRY_OK : MOAT_ENTRY_ENOMEM;
}

// The GIC, then the root cell under stage 2, the console ring its one read-only window into
// the hypervisor. Any GIC version but 2 and 3 leaves interrupts physical (no filter, no cells).
u32 init_root_cell(const moat_cell_desc &desc)
{
    const moat_cell_platform &p = desc.platform;
    char err[sizeof(hv_header.error)];
    u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
    unsigned ia_bits = stage2_ia_bits(mmfr0);
    root_vtcr = stage2_vtcr(ia_bits, mmfr0);
    bool gic = p.gic_version == 3 || p.gic_version == 2;
    if (gic && !gic_init(p)) {
        set_entry_error("the root descriptor's GICv2 platform block lacks the GICC, GICH or GICV frame");
        return MOAT_ENTRY_EDESC;
    }
    if (!cell_root_init(desc, pool, ia_bits, err, sizeof(err))) {
        set_entry_error(err);
        return MOAT_ENTRY_EDESC;
    }
    u64 ring = addr(console_ring());
    if (cell_arch(cell_root()).s2.table.map(ring, ring, sizeof(moat_console_ring),
                                            stage2_region_attrs(MOAT_CELL_MEM_READ)) != PtError::OK)
        return MOAT_ENTRY_ENOMEM;
    // The cells' console rings, read-only: the driver drains them without an exit.
    u64 rings = addr(cell_console_ring(0));
    if (cell_arch(cell_root()).s2.table.map(rings, rings, MOAT_MAX_CELLS * sizeof(moat_cell_ring),
                                            stage2_region_attrs(MOAT_CELL_MEM_READ)) != PtError::OK)
        return MOAT_ENTRY_ENOMEM;
    return MOAT_ENTRY_OK;
}

// The first CPU, MMU off: check what the driver handed over and build everything the CPUs share.
u32 global_init()
{
    const moat_image_header &h = hv_header;
    if (h.mem_base != addr(&hv_header) || h.mem_size < h.memory_size || h.num_cpus == 0 ||
        h.num_cpus > MOAT_MAX_CPUS)
        return MOAT_ENTRY_EHEADER;
    u32 r;
    const moat_cell_desc *desc = root_descriptor(&r);
    if (!desc)
        return r;
    const moat_cell_platform &p = desc->platform;
    if ((r = build_el2_tables(p, addr(desc) + h.root_desc_size)) != MOAT_ENTRY_OK)
        return r;
    psci_init(h.cpu_mpidr, h.num_cpus);  // the root cell's CPU set is looked up through it
    // A CPU Linux has offline now first enters when it is powered on under the hypervisor, maybe
    // for a cell: its MPIDR is needed before that (to power it on, to route the cell's
    // interrupts to it, to kick it). Left 0 it would name CPU 0 (cpu_start sets the same value
    // again from the CPU itself).
    for (u32 i = 0; i < h.num_cpus; i++)
        per_cpu[i].mpidr = mpidr_affinity(h.cpu_mpidr[i]);
    if ((r = init_root_cell(*desc)) != MOAT_ENTRY_OK)
        return r;
    pl011_init(console_base(p));
    console_set_output(pl011_putc);
    if (p.gic_version == 2)
        log("GICv2: CPU interface at %#lx, GICC_DIR at %#lx", static_cast<unsigned long>(p.gicc_base),
            static_cast<unsigned long>(gicv2_dir_address()));
    state_set_memory(h.memory_size, pool_used_bytes);
    global_ready = 1;
    return MOAT_ENTRY_OK;
}
}  // namespace

PerCpu *cpu_data(u32 cpu) { return cpu < hv_header.num_cpus ? &per_cpu[cpu] : nullptr; }
u32 cpu_count() { return hv_header.num_cpus; }
PagePool &page_pool() { return pool; }

void cpu_start(PerCpu &pc, u32 cpu)
{
    pc.id = cpu;
    pc.mpidr = mpidr_affinity(read_sysreg(mpidr_el1));
    pc.hypercalls = 0;
    pc.active = 1;
    write_sysreg(tpidr_el2, &pc);
    write_sysreg(vbar_el2, hv_vectors);
    if (!pc.cell)
        pc.cell = &cell_root();
    stage2_activate(cell_arch(*pc.cell).s2, root_vtcr);
    // Debug, trace and PMU registers keep what the CPU's last user left in them (Linux's
    // breakpoints hold kernel addresses). An isolated cell does not get them: they trap, and an
    // unhandled trap fails the cell. Linux keeps them on its own CPUs (perf, ptrace).
    bool isolated = !pc.cell->is_root();
    write_sysreg(mdcr_el2, isolated ? pc.stub.mdcr | MDCR_EL2_CELL_TRAPS : pc.stub.mdcr);
    write_sysreg(cptr_el2, isolated ? pc.stub.cptr | CPTR_EL2_TTA : pc.stub.cptr);
    if (isolated) {
        // Nothing of the previous owner's debug enables survives, and EL0 is kept off the debug
        // channel and the PMU whatever the cell's kernel manages to set (a Linux cell's writes of
        // both are ignored): EL0's accesses trap to the cell's own EL1 first; what still reaches
        // EL2 by MDCR_EL2.TDA/TPM is answered there (traps.cpp).
        write_sysreg(mdscr_el1, MDSCR_EL1_CELL_START);
        u64 pmuver = (read_sysreg(id_aa64dfr0_el1) >> ID_AA64DFR0_PMUVER_SHIFT) & ID_AA64DFR0_PMUVER_MASK;
        if (pmuver && pmuver != ID_AA64DFR0_PMUVER_IMPDEF)
            write_sysreg(pmuserenr_el0, PMUSERENR_EL0_CELL_START);
    }
    u64 hcr = pc.stub.hcr | HCR_ROOT;
    // Direct delivery: physical IRQs go to the cell at EL1 (IMO clear); FMO stays set on GICv3
    // so that the SGI registers trap and the priority mask and EOI mode stay EL2's (gicv3.cpp);
    // WFI traps, so that a cell cannot sleep where no stop request would wake it (traps.cpp).
    bool direct = isolated && pc.cell->direct_irq();
    if (gic_enabled()) {
        if (!gic_cpu_enter(pc.gic, pc.mpidr, direct))
            log("CPU %u: no GIC CPU interface (redistributor) matches MPIDR %#lx; interrupts stay physical", cpu,
                static_cast<unsigned long>(pc.mpidr));
        else
            hcr |= (direct ? HCR_EL2_TWI : HCR_EL2_IMO) | (isolated && gic_version() == 3 ? HCR_EL2_FMO : 0);
    }
    write_sysreg(hcr_el2, hcr);
    isb();
    state_cpu_entered(cpu);
    psci_cpu_started(cpu);
    if (!cell_cpu_started(*pc.cell, cpu)) {
        // Powered on for a cell that is being stopped since: it never enters the cell.
        log("CPU %u arrived for cell \"%s\", which is being stopped: parked", cpu, pc.cell->desc.name);
        cpu_park(pc);
    }
}

void cpu_stop(PerCpu &pc)
{
    if (pc.gic.entered) {
        // Physical IRQs back to EL1 first, so none is taken at EL2 after the interface switches.
        write_sysreg(hcr_el2, read_sysreg(hcr_el2) & ~(HCR_EL2_IMO | HCR_EL2_FMO));
        isb();
        gic_cpu_leave(pc.gic, !pc.cell->is_root());
    }
    pc.active = 0;
    state_cpu_left(pc.id);
    cell_cpu_stopped(*pc.cell, pc.id);
}

void cpu_park(PerCpu &pc)
{
    if (pc.stop_request && pc.stop_started) {
        // How long the stop took, from the request on another CPU to here (forced stop cost).
        u64 ticks = read_sysreg(cntpct_el0) - pc.stop_started;
        u64 hz = read_sysreg(cntfrq_el0);
        log("CPU %u stopped %lu us after the request (%s)", pc.id,
            static_cast<unsigned long>(hz ? ticks * 1000000 / hz : 0),
            pc.cell->direct_irq() ? "direct delivery: stage 2 taken away" : "management SGI");
    }
    pc.stop_started = 0;
    cpu_stop(pc);
    pc.stop_request = 0;
    psci_cpu_stopped(pc.id);
    psci_firmware_cpu_off();
    // The firmware refused: stay here, harmless, until reset.
    for (;;)
        asm volatile("wfi");
}

// A CPU powered on through a trapped PSCI call: nothing of the stub is on it, so EL2 is set up
// from the first CPU's record of the stub's state; then the same start as at enable time.
void cpu_warm_start(PerCpu &pc, u32 cpu)
{
    el2_mmu_enable(el2_table);
    if (!pc.stub_valid) {
        pc.stub = per_cpu[first_cpu].stub;
        pc.stub_valid = 1;
    }
    write_sysreg(cptr_el2, pc.stub.cptr);
    write_sysreg(mdcr_el2, pc.stub.mdcr);
    write_sysreg(cnthctl_el2, pc.stub.cnthctl | CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    write_sysreg(cntvoff_el2, 0);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
    write_sysreg(hstr_el2, 0);
    // The GICv3 system register interface; on GICv2 the ICC_* registers do not exist (UNDEFINED).
    if (gic_version() == 3)
        write_sysreg(icc_sre_el2, ICC_SRE_EL2_SRE | ICC_SRE_EL2_ENABLE);
    isb();
    if (gic_enabled())
        gic_cpu_power_on();
    cpu_start(pc, cpu);
}

u64 cpu_leave(TrapFrame &f, PerCpu &pc)
{
    cpu_stop(pc);
    log("CPU %u left EL2 after %lu hypercalls, hyp-stub restored", pc.id,
        static_cast<unsigned long>(pc.hypercalls));
    restore_stub_state(pc.stub, f);
    f.x[0] = MOAT_HC_OK;
    return 1;
}

u32 cpu_current_el() { return current_el(); }

}  // namespace moat::arm64

using namespace moat;
using namespace moat::arm64;

// Called from hv_entry with the MMU off. Returns 0 to stay (eret into EL1 under the hypervisor)
// or 1 to give EL2 back to the stub (on failure).
extern "C" u64 hv_cpu_boot(TrapFrame *f)
{
    u32 cpu = static_cast<u32>(f->x[0]);
    u64 stub_sp = f->x[1];
    bool first = f->x[2] & MOAT_ENTRY_FIRST_CPU;
    PerCpu &pc = per_cpu[cpu];
    save_stub_state(pc.stub, stub_sp);

    u32 err = MOAT_ENTRY_OK;
    if (first) {
        err = global_init();
        first_cpu = cpu;
    }
    else if (!global_ready)
        err = MOAT_ENTRY_ENOTFIRST;
    if (!err && cpu >= hv_header.num_cpus)
        err = MOAT_ENTRY_EBADCPU;
    if (err) {
        restore_stub_state(pc.stub, *f);
        f->x[0] = err;
        return 1;
    }

    el2_mmu_enable(el2_table);
    pc.stub_valid = 1;
    cpu_start(pc, cpu);
    log("CPU %u entered EL2 (CurrentEL %u, MPIDR %#lx)", cpu, current_el(),
        static_cast<unsigned long>(pc.mpidr));
    f->x[0] = MOAT_ENTRY_OK;
    f->x[1] = MOAT_ABI_VERSION;
    return 0;
}
