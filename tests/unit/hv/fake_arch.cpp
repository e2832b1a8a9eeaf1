// SPDX-License-Identifier: GPL-2.0
// The fake of hv/arch_cell.hpp (fake_arch.hpp says what it records).
#include "fake_arch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "hv/arch_cell.hpp"
#include "hv/link.hpp"
#include "lib/ownership.hpp"

namespace fake {

Arch arch;

namespace {
constexpr u32 RW = MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE;

void add(moat_cell_desc &d, u64 phys, u64 size, u32 flags)
{
    d.mem_regions[d.num_mem_regions++] = {phys, phys, size, flags, 0};
}

bool in_root_ram(u64 pa, u64 size)
{
    const moat_cell_desc &r = moat::cell_root().desc;
    for (u32 i = 0; i < r.num_mem_regions; i++) {
        const moat_cell_mem_region &m = r.mem_regions[i];
        if (!(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_CELL_POOL)) && pa >= m.phys_start &&
            pa + size <= m.phys_start + m.size)
            return true;
    }
    return false;
}

bool overlaps_taken(u64 pa, u64 size)
{
    for (const auto &[r, cell] : arch.taken)
        if (pa < r.phys + r.size && r.phys < pa + size)
            return true;
    return false;
}

void violation(const std::string &what) { arch.violations.push_back(what); }
}  // namespace

moat_cell_desc root_desc()
{
    moat_cell_desc r{};
    r.magic = MOAT_CELL_MAGIC;
    r.abi_version = MOAT_ABI_VERSION;
    r.total_size = sizeof(r);
    r.flags = MOAT_CELL_FLAG_ROOT;
    std::snprintf(r.name, sizeof(r.name), "root");
    r.num_cpus = CPUS;
    for (u32 i = 0; i < CPUS; i++)
        r.cpu_mpidr[i] = i;
    add(r, 0x40000000, 0x3c000000, RW | MOAT_CELL_MEM_EXEC | MOAT_CELL_MEM_DMA);
    add(r, 0x7c000000, 0x3c00000, RW | MOAT_CELL_MEM_CELL_POOL);
    add(r, 0x9000000, 0x1000, RW | MOAT_CELL_MEM_IO);   // the hypervisor's UART
    add(r, 0x9010000, 0x1000, RW | MOAT_CELL_MEM_IO);   // RTC
    add(r, 0x9030000, 0x1000, RW | MOAT_CELL_MEM_IO);   // GPIO
    add(r, 0x80a0000, 0xf60000, RW | MOAT_CELL_MEM_IO); // redistributors
    r.irq_bitmap[1] = 0xffffffff;                       // SPIs 32..63
    moat_cell_platform &p = r.platform;
    p.gic_version = 3;
    p.gicd_base = 0x8000000;
    p.gicd_size = 0x10000;
    p.gicr_base = 0x80a0000;
    p.gicr_size = 0xf60000;
    p.gicr_stride = MOAT_CELL_GICR_STRIDE_V3;
    p.debug_uart = {MOAT_CELL_CONSOLE_PL011, 0, 0x9000000};
    p.hv_base = 0x7fc00000;
    p.hv_size = 0x400000;
    return r;
}

void reset() { reset_with_root(root_desc()); }

void reset_with_root(const moat_cell_desc &r)
{
    arch = Arch{};
    arch.phys.assign(0x10000, 0);
    moat::links_reset();
    char err[256] = "";
    ASSERT_TRUE(moat::cells_init_root(r, err, sizeof(err))) << err;
}

void put(u64 pa, const void *bytes, size_t size)
{
    ASSERT_GE(pa, DESC_PA);
    ASSERT_LE(pa - DESC_PA + size, arch.phys.size());
    std::memcpy(arch.phys.data() + (pa - DESC_PA), bytes, size);
}

}  // namespace fake

using fake::arch;

namespace moat {

const char *arch_cells_unsupported()
{
    return arch.cells_supported ? nullptr : "fake: no interrupt controller for cells";
}

int arch_cpu_of(u64 mpidr) { return mpidr < fake::CPUS ? static_cast<int>(mpidr) : -1; }
u64 arch_cpu_mpidr(u32 cpu) { return cpu; }
u32 arch_cpu_current() { return arch.current_cpu; }
bool arch_cpu_powered(u32 cpu) { return (arch.root_online >> cpu) & 1; }
bool arch_cpus_take_if_off(u32 mask, void (*take)(u32 cpu), u32 *busy)
{
    for (u32 cpu = 0; cpu < fake::CPUS; cpu++)
        if ((mask >> cpu) & 1 && ((arch.root_online >> cpu) & 1)) {
            *busy = cpu;
            return false;
        }
    for (u32 cpu = 0; cpu < fake::CPUS; cpu++)
        if ((mask >> cpu) & 1)
            take(cpu);
    return true;
}
bool arch_cpu_firmware_off(u32 cpu) { return cpu < fake::CPUS && arch.firmware_off[cpu]; }

bool arch_root_phys(u64 ipa, bool, u64 *pa)
{
    if (!fake::in_root_ram(ipa, 1) || fake::overlaps_taken(ipa, 1))
        return false;
    *pa = ipa;
    return true;
}

bool arch_copy_from_phys(void *dst, u64 pa, u64 size)
{
    if (arch.copy_fails || pa < fake::DESC_PA || pa - fake::DESC_PA + size > arch.phys.size())
        return false;
    std::memcpy(dst, arch.phys.data() + (pa - fake::DESC_PA), size);
    return true;
}

void arch_report_error(u64, const char *msg) { arch.reported = msg; }

bool arch_root_maps(u64 ipa, bool, bool) { return fake::in_root_ram(ipa, 1) && !fake::overlaps_taken(ipa, 1); }

s64 arch_cell_create(Cell &c, char *err, size_t errlen)
{
    if (arch.create_fails) {
        std::snprintf(err, errlen, "fake: page pool exhausted");
        return MOAT_HC_DENIED;
    }
    if (arch.created.count(c.id))
        fake::violation("cell " + std::to_string(c.id) + " created twice");
    for (u32 i = 0; i < c.desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = c.desc.mem_regions[i];
        if (!region_taken_from_root(cell_root().desc, m))
            continue;
        if (fake::overlaps_taken(m.phys_start, m.size))
            fake::violation("cell " + std::to_string(c.id) + " takes memory another cell has");
        arch.taken[{m.phys_start, m.size}] = c.id;
    }
    for (u32 i = 0; i < c.desc.num_mem_regions; i++) {
        const moat_cell_mem_region &m = c.desc.mem_regions[i];
        if (!(m.flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_SHARED | MOAT_CELL_MEM_ROOT_SHARED)))
            arch.zeroed.push_back(m.phys_start);
    }
    arch.created.insert(c.id);
    return MOAT_HC_OK;
}

void arch_cell_hand_over(Cell &c)
{
    for (u32 cpu = 0; cpu < fake::CPUS; cpu++) {
        if (!(c.cpu_mask & (1u << cpu)))
            continue;
        if (arch.cpu_owner[cpu] != ROOT_CELL)
            fake::violation("CPU " + std::to_string(cpu) + " handed over while not the root's");
        arch.cpu_owner[cpu] = c.id;
    }
    for (u32 intid = 0; intid < MOAT_CELL_IRQ_BITS; intid++) {
        if (!((c.irqs[intid / 32] >> (intid % 32)) & 1))
            continue;
        if (arch.lent_irqs.count(intid))
            fake::violation("interrupt " + std::to_string(intid) + " lent twice");
        arch.lent_irqs[intid] = c.id;
        arch.saved_route[intid] = arch.spi_route[intid];
        arch.spi_route[intid] = static_cast<u32>(__builtin_ctz(c.cpu_mask));
    }
}

u32 arch_route_spis_off(const u32 *irqs, u32 cpus, u32 to)
{
    u32 moved = 0;
    for (u32 intid = 32; intid < MOAT_CELL_IRQ_BITS; intid++)
        if ((irqs[intid / 32] >> (intid % 32)) & 1 && (cpus >> arch.spi_route[intid]) & 1) {
            arch.spi_route[intid] = to;
            moved++;
        }
    arch.routed_off.push_back({cpus, to, moved});
    return moved;
}

bool arch_cell_destroy(Cell &c, u32 avoid, u32 route_to, char *err, size_t errlen)
{
    if (arch.destroy_fails) {
        std::snprintf(err, errlen, "fake: cannot zero cell \"%s\"", c.desc.name);
        return false;
    }
    arch.routed_back.push_back({c.id, avoid, route_to});
    for (u32 intid = 32; intid < MOAT_CELL_IRQ_BITS; intid++)
        if ((c.irqs[intid / 32] >> (intid % 32)) & 1 && !((moat::cell_root().irqs[intid / 32] >> (intid % 32)) & 1))
            fake::violation("SPI " + std::to_string(intid) + " enabled for the root before the root owns it "
                            "(a root CPU would end and lose it)");
    for (u32 intid = 32; intid < MOAT_CELL_IRQ_BITS; intid++)
        if ((c.irqs[intid / 32] >> (intid % 32)) & 1)
            arch.spi_route[intid] = (avoid >> arch.saved_route[intid]) & 1 ? route_to : arch.saved_route[intid];
    if (!arch.created.erase(c.id))
        fake::violation("cell " + std::to_string(c.id) + " destroyed but never created");
    for (auto it = arch.taken.begin(); it != arch.taken.end();)
        it = it->second == c.id ? arch.taken.erase(it) : std::next(it);
    for (auto it = arch.lent_irqs.begin(); it != arch.lent_irqs.end();)
        it = it->second == c.id ? arch.lent_irqs.erase(it) : std::next(it);
    for (u32 cpu = 0; cpu < fake::CPUS; cpu++) {
        if (arch.cpu_owner[cpu] == c.id)
            arch.cpu_owner[cpu] = ROOT_CELL;
        if ((c.cpu_mask >> cpu) & 1 && (arch.booting[cpu] || !arch.firmware_off[cpu]))
            fake::violation("CPU " + std::to_string(cpu) + " given back while still on");
    }
    return true;
}

bool arch_cell_load(u64 dst, u64, u64 size)
{
    if (arch.load_fails)
        return false;
    arch.loads.push_back({dst, size});
    return true;
}

void arch_cpu_prepare(u32 cpu, u64, u64 x0)
{
    arch.stop_request[cpu] = false;
    arch.entry_x0[cpu] = x0;
}

s64 arch_cpu_power_on(u32 cpu)
{
    if (arch.power_on_status != 0)
        return arch.power_on_status;
    arch.powered_on.push_back(cpu);
    arch.booting[cpu] = true;
    arch.firmware_off[cpu] = false;
    return 0;
}

void arch_cpu_kick(u32 cpu)
{
    arch.stop_request[cpu] = true;
    arch.kicked.push_back(cpu);
}

void arch_cpu_stop_on_return(u32 cpu) { arch.stop_request[cpu] = true; }
void arch_cpu_clear_stop(u32 cpu) { arch.stop_request[cpu] = false; }
void arch_cpu_send_sgi(u32 cpu, u32) { arch.sgi_to.push_back(cpu); }

void arch_link_doorbell(u32 intid)
{
    if (arch.doorbells_stay_pending)
        arch.pending_doorbells.insert(intid);
    arch.doorbells.push_back(intid);
}

bool arch_link_doorbell_pending(u32 intid) { return arch.pending_doorbells.count(intid) != 0; }

u64 arch_time_us() { return arch.time_us; }

void arch_clean_to_poc(const void *va, u64 size)
{
    const auto *b = static_cast<const unsigned char *>(va);
    arch.cleaned.push_back({va, size, std::all_of(b, b + size, [](unsigned char x) { return x == 0; })});
}

bool arch_zero_phys(u64 pa, u64 size)
{
    arch.link_zeroed.push_back({pa, size});
    return true;
}

}  // namespace moat
