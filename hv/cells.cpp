// SPDX-License-Identifier: GPL-2.0
// The cell lifecycle: the table of cells, what each owns, and the rules for taking CPUs, memory
// and interrupts from the root cell and giving them back. The mechanism (address spaces, the
// interrupt controller, powering CPUs) is the architecture's, behind hv/arch_cell.hpp; this file
// runs unchanged at EL2 and on the host against a fake of it (tests/unit/hv/cells_test.cpp).
#include "hv/cell.hpp"

#include <stdarg.h>

#include <moat/cell_ring.h>

#include "hv/arch_cell.hpp"
#include "lib/cell_validate.hpp"
#include "hv/console.hpp"
#include "hv/link.hpp"
#include "lib/format.hpp"
#include "lib/ownership.hpp"
#include "hv/psci.hpp"
#include "hv/stats.hpp"
#include "hv/string.hpp"

namespace moat {

namespace {
Cell cells[MAX_CELLS];
// Cell management runs on root CPUs, one request at a time.
SpinLock cells_lock;
// A root CPU has left the hypervisor (MOAT_HC_DISABLE): no cell may be created any more, its
// memory would be open to that CPU. Cleared by the next enable, which loads a fresh image.
bool leaving;
constexpr u32 SPI_FIRST = 32, INTID_LIMIT = 1020;
constexpr u64 PAGE = 4096;

bool irq_owned(const u32 *bits, u32 intid) { return (bits[intid / 32] >> (intid % 32)) & 1; }

bool within_one_page(u64 addr, u64 size) { return addr / PAGE == (addr + size - 1) / PAGE; }

// Ask the CPUs in `mask`, except `self`, to park. Called under the cell's cpu_lock: a CPU is
// kicked only while it is on, and clears its request itself when it parks.
void kick_cpus(u32 mask, u32 self)
{
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if (cpu != self && (mask & (1u << cpu)))
            arch_cpu_kick(cpu);
}

void log_shut_down(const Cell &c) { log("cell \"%s\" shut down", c.desc.name); }

// Ask the firmware about the cell's CPUs that left it: those it reports off are the cell's no
// longer (caller holds c.cpu_lock).
void confirm_parked_locked(Cell &c)
{
    u32 parking = c.cpus.mask(CellCpus::Cpu::PARKING);
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
        if ((parking & (1u << cpu)) && arch_cpu_firmware_off(cpu) && c.cpus.off_confirmed(cpu)) {
            log_shut_down(c);
            links_cell_shut_down(c);  // its peers learn it now, not at the root's next request
        }
}

void confirm_parked(Cell &c)
{
    LockGuard g(c.cpu_lock);
    confirm_parked_locked(c);
}

s64 fail(char *err, size_t errlen, s64 status, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
s64 fail(char *err, size_t errlen, s64 status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_v(err, errlen, fmt, ap);
    va_end(ap);
    return status;
}

const char *name_of(const Cell &c) { return c.desc.name; }

Cell *find_free()
{
    for (u32 i = 1; i < MAX_CELLS; i++)
        if (cells[i].state == CellState::FREE)
            return &cells[i];
    return nullptr;
}

// A cell other than the root, by the id the root gave.
Cell *find_cell(u32 id)
{
    Cell *c = cell_get(id);
    return c && !c->is_root() ? c : nullptr;
}

// Where the root's descriptor lies: one page of the root's RAM.
s64 locate_descriptor(u64 desc_ipa, u64 size, u64 *pa, char *err, size_t errlen)
{
    if (size != sizeof(moat_cell_desc) || !within_one_page(desc_ipa, size))
        return fail(err, errlen, MOAT_HC_INVALID, "descriptor must be %zu bytes within one page",
                    sizeof(moat_cell_desc));
    if (!arch_root_phys(desc_ipa, false, pa))
        return fail(err, errlen, MOAT_HC_DENIED, "descriptor at %#lx is not in the root cell's RAM",
                    static_cast<unsigned long>(desc_ipa));
    return MOAT_HC_OK;
}

// The descriptor at physical pa copied into c, and checked on its own and against the cells
// that exist (names).
s64 read_descriptor(Cell &c, u64 desc_ipa, u64 pa, char *err, size_t errlen)
{
    // Copy first, check the copy: the root could change its buffer while we look at it.
    if (!arch_copy_from_phys(&c.desc, pa, sizeof(c.desc)))
        return fail(err, errlen, MOAT_HC_DENIED, "descriptor at %#lx: the hypervisor cannot map it",
                    static_cast<unsigned long>(desc_ipa));
    const moat_cell_desc &d = c.desc;
    char why[160];
    if (!cell_validate(&d, sizeof(d), why, sizeof(why)))
        return fail(err, errlen, MOAT_HC_INVALID, "invalid descriptor: %s", why);
    if (d.flags & MOAT_CELL_FLAG_ROOT)
        return fail(err, errlen, MOAT_HC_INVALID, "a root cell descriptor cannot be created as a cell");
    for (u32 i = 1; i < MAX_CELLS; i++)
        if (cells[i].state != CellState::FREE && &cells[i] != &c &&
            mem_compare(cells[i].desc.name, d.name, MOAT_CELL_NAME_LEN) == 0)
            return fail(err, errlen, MOAT_HC_DENIED, "a cell named \"%s\" exists already", d.name);
    return MOAT_HC_OK;
}

// The CPUs the descriptor asks for, as a mask: each must exist, be the root's and be offline.
s64 cpus_to_take(const moat_cell_desc &d, u32 *mask, char *err, size_t errlen)
{
    const Cell &root = cell_root();
    *mask = 0;
    for (u32 i = 0; i < d.num_cpus; i++) {
        int cpu = arch_cpu_of(d.cpu_mpidr[i]);
        if (cpu < 0)
            return fail(err, errlen, MOAT_HC_INVALID, "CPU with MPIDR %#lx does not exist",
                        static_cast<unsigned long>(d.cpu_mpidr[i]));
        if (!(root.cpu_mask & (1u << cpu)))
            return fail(err, errlen, MOAT_HC_DENIED, "CPU %d belongs to another cell", cpu);
        if (arch_cpu_powered(static_cast<u32>(cpu)))
            return fail(err, errlen, MOAT_HC_DENIED,
                        "CPU %d is still online in the root cell: take it offline first", cpu);
        *mask |= 1u << cpu;
    }
    if (*mask == root.cpu_mask)
        return fail(err, errlen, MOAT_HC_DENIED, "the root cell would have no CPU left");
    return MOAT_HC_OK;
}

// Memory (against the hypervisor, the root and every other cell) and interrupts (the root's).
s64 resources_free(const Cell &c, char *err, size_t errlen)
{
    const Cell &root = cell_root();
    const moat_cell_desc *others[MAX_CELLS];
    size_t num_others = 0;
    for (u32 j = 1; j < MAX_CELLS; j++)
        if (cells[j].state != CellState::FREE && &cells[j] != &c)
            others[num_others++] = &cells[j].desc;
    if (!ownership_check(root.desc, others, num_others, c.desc, err, errlen))
        return MOAT_HC_DENIED;
    for (u32 intid = SPI_FIRST; intid < INTID_LIMIT; intid++)
        if (irq_owned(c.desc.irq_bitmap, intid) && !irq_owned(root.irqs, intid))
            return fail(err, errlen, MOAT_HC_DENIED, "interrupt %u is not the root cell's to give", intid);
    return MOAT_HC_OK;
}

void take_cpu_from_root(u32 cpu)
{
    Cell &root = cell_root();
    u64 mpidr = arch_cpu_mpidr(cpu);
    root.cpu_mask &= ~(1u << cpu);
    for (u32 i = 0; i < root.num_cpus; i++) {
        if (root.cpu_mpidr[i] == mpidr) {
            root.cpu_mpidr[i] = root.cpu_mpidr[--root.num_cpus];
            break;
        }
    }
}

// The cell's CPUs and interrupts change owner in the core's books (the arch has carved it).
void take_from_root(Cell &c, u32 mask)
{
    Cell &root = cell_root();
    c.num_cpus = 0;
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        if (!(mask & (1u << cpu)))
            continue;
        c.cpu_mpidr[c.num_cpus++] = arch_cpu_mpidr(cpu);  // taken from the root: arch_cpus_take_if_off
    }
    c.cpu_mask = mask;
    c.cpus.reset(mask);
    c.console.reset();
    for (u32 w = 0; w < MOAT_CELL_IRQ_WORDS; w++)
        root.irqs[w] &= ~c.irqs[w];
}

void give_cpus_to_root(u32 mask)
{
    Cell &root = cell_root();
    for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++) {
        if (!(mask & (1u << cpu)))
            continue;
        root.cpu_mask |= 1u << cpu;
        root.cpu_mpidr[root.num_cpus++] = arch_cpu_mpidr(cpu);
    }
}

// Zero slot `id`'s console ring page and clean the zeros to memory (invariant 7): the cell of the
// slot may read the page with its caches off, and must find zeros there, not the bytes of the
// previous cell under the hypervisor's dirty lines.
void clear_console_ring(u32 id)
{
    cell_console_ring_clear(id);
    arch_clean_to_poc(cell_console_ring(id), MOAT_CELL_RING_SIZE);
}

void give_to_root(const Cell &c)
{
    Cell &root = cell_root();
    give_cpus_to_root(c.cpu_mask);
    for (u32 w = 0; w < MOAT_CELL_IRQ_WORDS; w++)
        root.irqs[w] |= c.irqs[w];
}
// Where the root's SPIs go when their route must leave a CPU: the CPU asking (a root request),
// or the root's first CPU should the caller not be the root's.
u32 root_cpu_for_routes()
{
    u32 me = arch_cpu_current();
    u32 mask = cells[ROOT_CELL].cpu_mask;
    if (me < MOAT_MAX_CPUS && (mask & (1u << me)))
        return me;
    return mask ? static_cast<u32>(__builtin_ctz(mask)) : me;
}

// The CPUs of every cell but the root and `c`.
u32 other_cells_cpus(const Cell &c)
{
    u32 m = 0;
    for (u32 i = 1; i < MAX_CELLS; i++)
        if (cells[i].state != CellState::FREE && &cells[i] != &c)
            m |= cells[i].cpu_mask;
    return m;
}
}  // namespace

Cell &cell_root() { return cells[ROOT_CELL]; }

Cell *cell_get(u32 id)
{
    return id < MAX_CELLS && cells[id].state != CellState::FREE ? &cells[id] : nullptr;
}

bool cells_init_root(const moat_cell_desc &desc, char *err, size_t errlen)
{
    for (u32 i = 0; i < MAX_CELLS; i++) {
        cells[i].state = CellState::FREE;
        cells[i].id = i;
        cells[i].cpu_mask = 0;
    }
    leaving = false;
    Cell &c = cells[ROOT_CELL];
    mem_copy(&c.desc, &desc, sizeof(desc));
    // Cells are carved out of the root by physical address: it must see its memory there.
    if (!root_layout_check(desc, err, errlen))
        return false;
    mem_copy(c.irqs, desc.irq_bitmap, sizeof(c.irqs));
    c.num_cpus = 0;
    c.cpu_mask = 0;
    for (u32 i = 0; i < desc.num_cpus; i++) {
        c.cpu_mpidr[c.num_cpus++] = desc.cpu_mpidr[i];
        int cpu = arch_cpu_of(desc.cpu_mpidr[i]);
        if (cpu >= 0)
            c.cpu_mask |= 1u << cpu;
    }
    c.state = CellState::RUNNING;
    links_publish(false);
    return true;
}

void cell_report_error(u64 root_ipa, const char *msg)
{
    // Under the cells lock, like every other look at the root's stage 2: another root CPU's
    // create could otherwise take this page for a cell between the look and the write (and the
    // write would land in the cell's memory), or free the table pages the look walks.
    LockGuard guard(cells_lock);
    arch_report_error(root_ipa, msg);
}

bool cell_root_maps(u64 ipa, bool write, bool exec)
{
    // Cell create and destroy change the root's tables under this lock (break-before-make
    // included): once it is free, the root's stage 2 is whole again.
    LockGuard guard(cells_lock);
    return arch_root_maps(ipa, write, exec);
}

s64 cell_create(u64 desc_ipa, u64 size, u64 *id, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    if (leaving)
        return fail(err, errlen, MOAT_HC_DENIED, "the hypervisor is being disabled (a CPU has left it): "
                    "enable it again to create cells");
    if (const char *why = arch_cells_unsupported())
        return fail(err, errlen, MOAT_HC_DENIED, "%s", why);
    u64 pa;
    s64 st = locate_descriptor(desc_ipa, size, &pa, err, errlen);
    if (st != MOAT_HC_OK)
        return st;
    Cell *c = find_free();
    if (!c)
        return fail(err, errlen, MOAT_HC_DENIED, "all %u cell slots are in use", MAX_CELLS - 1);
    st = read_descriptor(*c, desc_ipa, pa, err, errlen);
    u32 mask = 0;
    if (st == MOAT_HC_OK)
        st = cpus_to_take(c->desc, &mask, err, errlen);
    if (st == MOAT_HC_OK)
        st = resources_free(*c, err, errlen);
    if (st != MOAT_HC_OK)
        return st;

    // The CPUs were off at the check above, but a root CPU may have powered one on since (a raw
    // PSCI CPU_ON, which decides on the root's CPU mask under the PSCI lock): check again and take
    // them from the root in one step under that lock. Otherwise root code would run on a CPU the
    // hypervisor counts as the cell's (and make hypercalls, CPU_ON and resume as the cell).
    u32 busy = MOAT_MAX_CPUS;
    if (!arch_cpus_take_if_off(mask, take_cpu_from_root, &busy))
        return fail(err, errlen, MOAT_HC_DENIED, "CPU %u was powered on in the root cell while the cell was being "
                    "created (PSCI CPU_ON from the root): take it offline and create the cell again; nothing was "
                    "changed", busy);
    c->cpu_mask = mask;
    c->num_cpus = 0;
    mem_copy(c->irqs, c->desc.irq_bitmap, sizeof(c->irqs));
    clear_console_ring(c->id);  // before the cell can map it
    st = arch_cell_create(*c, err, errlen);
    if (st != MOAT_HC_OK) {
        give_cpus_to_root(mask);
        c->cpu_mask = 0;
        return st;
    }
    take_from_root(*c, mask);
    arch_cell_hand_over(*c);
    // The root's own SPIs still routed to a CPU it just gave away would be taken on the cell's
    // CPU (and, direct, by the cell itself): they go to the CPU that asked.
    u32 to = root_cpu_for_routes();
    if (u32 moved = arch_route_spis_off(cell_root().irqs, mask, to))
        log("cell \"%s\": %u interrupt(s) of the root cell routed to its CPUs moved to CPU %u", c->desc.name,
            moved, to);
    links_zero_unshared(*c);  // before the cell counts as a peer: only the others' use counts
    c->state = CellState::STOPPED;
    links_publish();
    *id = c->id;
    log("cell \"%s\" created: id %u, CPUs %#x, %u memory regions", c->desc.name, c->id, mask,
        c->desc.num_mem_regions);
    return MOAT_HC_OK;
}

s64 cell_load(u32 id, u64 src_ipa, u64 dst_ipa, u64 size, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    Cell *c = find_cell(id);
    if (!c)
        return fail(err, errlen, MOAT_HC_INVALID, "no cell with id %u", id);
    confirm_parked(*c);
    bool quiet;
    {
        LockGuard g(c->cpu_lock);
        quiet = c->cpus.quiescent();
    }
    if (!quiet)
        return fail(err, errlen, MOAT_HC_DENIED, "cell \"%s\" is running: shut it down before loading",
                    name_of(*c));
    if (size == 0 || size > PAGE || !within_one_page(src_ipa, size))
        return fail(err, errlen, MOAT_HC_INVALID, "load chunks are 1..4096 bytes within one root page");
    u64 src;
    if (!arch_root_phys(src_ipa, false, &src))
        return fail(err, errlen, MOAT_HC_DENIED, "source %#lx is not in the root cell's RAM",
                    static_cast<unsigned long>(src_ipa));
    for (u32 i = 0; i < c->desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = c->desc.mem_regions[i];
        if (!(m.flags & MOAT_CELL_MEM_LOADABLE) || dst_ipa < m.virt_start || dst_ipa + size < dst_ipa ||
            dst_ipa + size > m.virt_start + m.size)
            continue;
        u64 dst = m.phys_start + (dst_ipa - m.virt_start);
        if (!arch_cell_load(dst, src, size))
            return fail(err, errlen, MOAT_HC_DENIED, "the hypervisor cannot map %#lx+%#lx of cell \"%s\" to load it",
                        static_cast<unsigned long>(dst), static_cast<unsigned long>(size), name_of(*c));
        return MOAT_HC_OK;
    }
    return fail(err, errlen, MOAT_HC_DENIED,
                "%#lx+%#lx is not inside a loadable memory region of cell \"%s\"",
                static_cast<unsigned long>(dst_ipa), static_cast<unsigned long>(size), name_of(*c));
}

s64 cell_start(u32 id, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    Cell *c = find_cell(id);
    if (!c)
        return fail(err, errlen, MOAT_HC_INVALID, "no cell with id %u", id);
    u32 cpu = static_cast<u32>(arch_cpu_of(c->desc.cpu_mpidr[0]));
    CellCpus::Start started;
    u32 active;
    {
        LockGuard g(c->cpu_lock);
        confirm_parked_locked(*c);
        started = c->cpus.start(cpu);
        active = c->cpus.active();
    }
    switch (started) {
    case CellCpus::Start::OK:
        break;
    case CellCpus::Start::ALREADY_RUNNING:
        return fail(err, errlen, MOAT_HC_DENIED, "cell \"%s\" is already running", name_of(*c));
    case CellCpus::Start::CPUS_STILL_ACTIVE:
        return fail(err, errlen, MOAT_HC_DENIED,
                    "cell \"%s\" still has CPUs %#x on or powering off: wait until its state is no longer "
                    "running, then start it", name_of(*c), active);
    case CellCpus::Start::NOT_OWNED:
        return fail(err, errlen, MOAT_HC_INVALID, "cell \"%s\": its first CPU %u is not its own", name_of(*c), cpu);
    }
    // Its first CPU counts as the cell's from here on: a stop or destroy now waits for it.
    // x0 at entry: where its console ring is (0: none), learned without an exit.
    arch_cpu_prepare(cpu, c->desc.entry,
                     c->desc.console.type == MOAT_CELL_CONSOLE_RING ? c->desc.console.base : 0);
    stats_reset(cpu);
    c->shutdown.reset();
    s64 r = arch_cpu_power_on(cpu);
    if (r != 0) {
        LockGuard g(c->cpu_lock);
        c->cpus.start_failed(cpu);
        return fail(err, errlen, MOAT_HC_DENIED, "the firmware did not power CPU %u on (PSCI %ld)", cpu,
                    static_cast<long>(r));
    }
    log("cell \"%s\" started on CPU %u at %#lx", name_of(*c), cpu, static_cast<unsigned long>(c->desc.entry));
    links_publish();
    return MOAT_HC_OK;
}

s64 cell_shutdown(u32 id, u64 flags, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    Cell *c = find_cell(id);
    if (!c)
        return fail(err, errlen, MOAT_HC_INVALID, "no cell with id %u", id);
    if (flags & ~u64{MOAT_SHUTDOWN_FORCE})
        return fail(err, errlen, MOAT_HC_INVALID, "unknown shutdown flags %#lx", static_cast<unsigned long>(flags));
    u32 on;
    {
        LockGuard g(c->cpu_lock);
        confirm_parked_locked(*c);
        // Not running, or being stopped already: the caller waits for the CPUs (CELL_STATE).
        if (c->cpus.run() != CellCpus::Run::RUNNING || c->cpus.stopping())
            return MOAT_HC_OK;
        on = c->cpus.mask(CellCpus::Cpu::ON);
    }
    switch (c->shutdown.ask(flags & MOAT_SHUTDOWN_FORCE)) {
    case ShutdownRequest::Ask::NOTIFY: {
        u32 cpu = static_cast<u32>(__builtin_ctz(on ? on : c->cpu_mask));
        log("cell \"%s\" asked to shut down (SGI %u to CPU %u)", name_of(*c), c->shutdown.sgi(), cpu);
        arch_cpu_send_sgi(cpu, c->shutdown.sgi());
        return MOAT_HC_PENDING;
    }
    case ShutdownRequest::Ask::WAIT:
        return MOAT_HC_PENDING;
    case ShutdownRequest::Ask::REFUSED:
        return fail(err, errlen, MOAT_HC_DENIED,
                    "cell \"%s\" refused to shut down; ask again later, or add --force to stop it anyway",
                    name_of(*c));
    case ShutdownRequest::Ask::STOP:
        break;
    }
    // CPUs that are on are kicked; those on their way park when they arrive.
    {
        LockGuard g(c->cpu_lock);
        bool ended;
        kick_cpus(c->cpus.stop(&ended), MOAT_MAX_CPUS);
        if (ended)
            log_shut_down(*c);
    }
    links_publish();
    return MOAT_HC_OK;
}

s64 cell_destroy(u32 id, char *err, size_t errlen)
{
    LockGuard guard(cells_lock);
    Cell *c = find_cell(id);
    if (!c)
        return fail(err, errlen, MOAT_HC_INVALID, "no cell with id %u", id);
    {
        // Nothing of the cell may run, be on its way or still be powering off: its CPUs go to the
        // root next. A cell being stopped gets there by itself: PENDING, ask again.
        LockGuard g(c->cpu_lock);
        confirm_parked_locked(*c);
        if (!c->cpus.quiescent()) {
            s64 st = c->cpus.stopping() ? MOAT_HC_PENDING : MOAT_HC_DENIED;
            return fail(err, errlen, st, "cell \"%s\" is running (CPUs %#x on, on their way or powering off): "
                        "shut it down first", name_of(*c), c->cpus.active());
        }
    }
    // The root owns the cell's SPIs before the arch enables them for it again: a root CPU takes
    // at EL2 only what its owner has, and would otherwise end and lose one that fires at once.
    // The cell's CPUs are parked: nothing injects into the cell meanwhile.
    Cell &root = cell_root();
    for (u32 w = 0; w < MOAT_CELL_IRQ_WORDS; w++)
        root.irqs[w] |= c->irqs[w];
    if (!arch_cell_destroy(*c, other_cells_cpus(*c), root_cpu_for_routes(), err, errlen)) {
        for (u32 w = 0; w < MOAT_CELL_IRQ_WORDS; w++)
            root.irqs[w] &= ~c->irqs[w];
        return MOAT_HC_DENIED;
    }
    links_zero_unshared(*c);
    clear_console_ring(c->id);  // unmapped from the cell above: nothing rewrites it
    give_to_root(*c);
    log("cell \"%s\" destroyed: memory zeroed, CPUs %#x and its interrupts back to the root cell",
        name_of(*c), c->cpu_mask);
    c->state = CellState::FREE;
    c->cpu_mask = 0;
    links_publish();
    return MOAT_HC_OK;
}

u32 cell_link_ring(Cell &c, u32 link, u32 peer)
{
    LockGuard guard(cells_lock);
    return link_ring_locked(c, link, peer);
}

bool cell_state(u32 id, u32 *st, u32 *cpus, u32 *on)
{
    LockGuard guard(cells_lock);
    Cell *c = cell_get(id);
    if (!c)
        return false;
    *cpus = c->cpu_mask;
    if (c->is_root()) {
        *st = MOAT_CELL_STATE_RUNNING;
        *on = 0;
        for (u32 cpu = 0; cpu < MOAT_MAX_CPUS; cpu++)
            if ((c->cpu_mask & (1u << cpu)) && arch_cpu_powered(cpu))
                *on |= 1u << cpu;
        return true;
    }
    // State and CPUs from one look: never "shut down" with a CPU still on or on its way.
    LockGuard g(c->cpu_lock);
    confirm_parked_locked(*c);
    *st = static_cast<u32>(c->cpus.run());
    *on = c->cpus.active();
    return true;
}

bool cells_begin_leave()
{
    LockGuard guard(cells_lock);
    for (u32 i = 1; i < MAX_CELLS; i++)
        if (cells[i].state != CellState::FREE)
            return false;
    leaving = true;
    return true;
}

s64 cell_shutdown_notify(Cell &c, u64 sgi)
{
    LockGuard guard(cells_lock);
    u32 before = c.shutdown.sgi();
    if (!c.shutdown.set_notify(sgi))
        return MOAT_HC_INVALID;
    // Logged when it changes only: a cell calling this in a loop must not keep the cells lock
    // (and with it the root's requests, a forced stop included) busy writing to the UART.
    if (c.shutdown.sgi() != before)
        log("cell \"%s\" wants to be asked before shutdown (SGI %u)", name_of(c), c.shutdown.sgi());
    return MOAT_HC_OK;
}

s64 cell_shutdown_reply(Cell &c, u32 self, u64 answer)
{
    LockGuard guard(cells_lock);
    switch (c.shutdown.reply(answer)) {
    case ShutdownRequest::Reply::STOP:
    {
        log("cell \"%s\" approved its shutdown", name_of(c));
        LockGuard g(c.cpu_lock);
        bool ended;
        kick_cpus(c.cpus.stop(&ended), self);
        arch_cpu_stop_on_return(self);  // this CPU parks on the way out of the hypercall
        return MOAT_HC_OK;
    }
    case ShutdownRequest::Reply::NOTED:
        log("cell \"%s\" refused to shut down", name_of(c));
        return MOAT_HC_OK;
    case ShutdownRequest::Reply::INVALID:
        break;
    }
    return MOAT_HC_INVALID;
}

bool cell_cpu_started(Cell &c, u32 cpu)
{
    if (c.is_root())
        return true;
    LockGuard g(c.cpu_lock);
    if (!c.cpus.arrive(cpu))
        return false;
    arch_cpu_clear_stop(cpu);
    return true;
}

void cell_cpu_stopped(Cell &c, u32 cpu)
{
    if (c.is_root())
        return;
    LockGuard g(c.cpu_lock);
    c.cpus.leave(cpu);
}

s64 cell_cpu_on_request(Cell &c, u32 cpu)
{
    LockGuard g(c.cpu_lock);
    confirm_parked_locked(c);  // a CPU that powered itself off may be on again
    switch (c.cpus.cpu_on(cpu)) {
    case CellCpus::On::OK:
        return psci::SUCCESS;
    case CellCpus::On::STOPPING:
        return psci::DENIED;
    case CellCpus::On::ALREADY_ON:
        return psci::ALREADY_ON;
    case CellCpus::On::ON_PENDING:
        return psci::ON_PENDING;
    case CellCpus::On::NOT_OWNED:
        break;
    }
    return psci::INVALID_PARAMETERS;
}

void cell_cpu_on_failed(Cell &c, u32 cpu)
{
    LockGuard g(c.cpu_lock);
    if (c.cpus.cpu_on_failed(cpu))
        log_shut_down(c);
}

void cell_system_off(Cell &c, u32 self)
{
    LockGuard g(c.cpu_lock);
    bool ended;
    kick_cpus(c.cpus.stop(&ended), self);
}

void cell_fail(Cell &c, u32 self, const char *why)
{
    LockGuard g(c.cpu_lock);
    bool newly;
    u32 kick = c.cpus.fail(&newly);
    if (newly) {
        log("cell \"%s\" failed: %s; its CPUs are parked, 'moat cell destroy %s' gives them back",
            name_of(c), why, name_of(c));
        links_cell_failed(c);
    }
    kick_cpus(kick, self);
}

void cell_console_putc(Cell &c, char ch)
{
    LockGuard g(c.console_lock);
    if (const char *line = c.console.put(ch))
        console_line(name_of(c), line);
}

}  // namespace moat
