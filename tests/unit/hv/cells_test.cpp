// SPDX-License-Identifier: GPL-2.0
// The cell lifecycle in the core (hv/cells.cpp) against the fake arch (fake_arch.hpp): create,
// load, start, shutdown and destroy; each refusal and its message; forced stops and destroys that
// always give everything back; and random sequences of root requests and CPU events checked
// against the ownership invariants after every step.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "fake_arch.hpp"
#include "hv/arch_cell.hpp"
#include "hv/cell.hpp"
#include "hv/console.hpp"
#include <moat/cell_ring.h>
#include <algorithm>
#include "lib/cell_validate.hpp"
#include "hv/psci.hpp"

using namespace moat;
using fake::arch;

namespace {

constexpr u32 RWX = MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_EXEC;
constexpr u32 ALL_CPUS = (1u << fake::CPUS) - 1;
constexpr u32 ROOT_SPIS = 0xffffffff;  // irq word 1: SPIs 32..63

struct Spec {
    const char *name;
    u32 cpus;             // logical CPUs (= MPIDRs on the fake machine)
    u64 ram;              // its RAM, 1 MiB, where it starts
    std::vector<u32> irqs;
    u64 root_ram = 0;     // 2 MiB carved out of the root's RAM, if not 0
    u64 io = 0;           // a root device page, if not 0
};

moat_cell_desc make(const Spec &s)
{
    moat_cell_desc d{};
    d.magic = MOAT_CELL_MAGIC;
    d.abi_version = MOAT_ABI_VERSION;
    d.total_size = sizeof(d);
    std::snprintf(d.name, sizeof(d.name), "%s", s.name);
    for (u32 cpu = 0; cpu < fake::CPUS; cpu++)
        if (s.cpus & (1u << cpu))
            d.cpu_mpidr[d.num_cpus++] = cpu;
    d.mem_regions[d.num_mem_regions++] = {s.ram, s.ram, 0x100000, RWX | MOAT_CELL_MEM_LOADABLE, 0};
    if (s.root_ram)
        d.mem_regions[d.num_mem_regions++] = {s.root_ram, s.root_ram, 0x200000, RWX, 0};
    if (s.io)
        d.mem_regions[d.num_mem_regions++] = {s.io, s.io, 0x1000,
                                              MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_IO, 0};
    d.entry = s.ram;
    for (u32 i : s.irqs)
        d.irq_bitmap[i / 32] |= 1u << (i % 32);
    d.checksum = moat_cell_checksum(&d, sizeof(d));
    char why[200];
    EXPECT_TRUE(cell_validate(&d, sizeof(d), why, sizeof(why))) << why;
    return d;
}

struct Result {
    s64 status;
    u32 id;
    std::string err;
};

Result create(const moat_cell_desc &d, u64 size = sizeof(moat_cell_desc), u64 at = fake::DESC_PA)
{
    fake::put(fake::DESC_PA, &d, sizeof(d));
    char err[MOAT_HC_ERROR_LEN] = "";
    u64 id = ~0ull;
    s64 st = cell_create(at, size, &id, err, sizeof(err));
    return {st, static_cast<u32>(id), err};
}

Result create(const Spec &s) { return create(make(s)); }

std::string msg(s64 (*op)(u32, char *, size_t), u32 id, s64 *st)
{
    char err[MOAT_HC_ERROR_LEN] = "";
    *st = op(id, err, sizeof(err));
    return err;
}

s64 start(u32 id, std::string *why = nullptr)
{
    s64 st;
    std::string m = msg(cell_start, id, &st);
    if (why)
        *why = m;
    return st;
}

s64 destroy(u32 id, std::string *why = nullptr)
{
    s64 st;
    std::string m = msg(cell_destroy, id, &st);
    if (why)
        *why = m;
    return st;
}

s64 shutdown(u32 id, bool force, std::string *why = nullptr)
{
    char err[MOAT_HC_ERROR_LEN] = "";
    s64 st = cell_shutdown(id, force ? MOAT_SHUTDOWN_FORCE : 0, err, sizeof(err));
    if (why)
        *why = err;
    return st;
}

u32 state(u32 id, u32 *on = nullptr)
{
    u32 st = ~0u, cpus, o;
    EXPECT_TRUE(cell_state(id, &st, &cpus, &o));
    if (on)
        *on = o;
    return st;
}

// The fake machine's CPUs as the cells see them.
struct Machine {
    bool running[fake::CPUS] = {};

    Cell &owner(u32 cpu) { return *cell_get(arch.cpu_owner[cpu]); }

    // A CPU leaves its cell; the firmware reports it off at once unless `lag`.
    void park(u32 cpu, bool lag = false)
    {
        running[cpu] = false;
        cell_cpu_stopped(owner(cpu), cpu);
        arch.firmware_off[cpu] = !lag;
    }
    void arrive(u32 cpu)
    {
        if (!arch.booting[cpu])
            return;
        arch.booting[cpu] = false;
        if (cell_cpu_started(owner(cpu), cpu))
            running[cpu] = true;
        else
            park(cpu);
    }
    void deliver_kicks()
    {
        for (u32 cpu = 0; cpu < fake::CPUS; cpu++)
            if (running[cpu] && arch.stop_request[cpu])
                park(cpu);
    }
    void settle()
    {
        for (u32 cpu = 0; cpu < fake::CPUS; cpu++)
            if (!running[cpu] && !arch.booting[cpu])
                arch.firmware_off[cpu] = true;
    }
    // A running CPU of a cell powers another of its CPUs on (PSCI CPU_ON).
    void cpu_on(u32 from, u32 to)
    {
        if (!running[from])
            return;
        Cell &c = owner(from);
        if (cell_cpu_on_request(c, to) != 0)
            return;
        if (!arch.firmware_off[to] || arch.booting[to] || running[to]) {
            cell_cpu_on_failed(c, to);  // the firmware has it on still
            return;
        }
        arch.booting[to] = true;
        arch.firmware_off[to] = false;
    }
    void run_all()
    {
        for (u32 cpu = 0; cpu < fake::CPUS; cpu++)
            arrive(cpu);
    }
};

// What the core and the fake agree every cell owns, after any step.
void check_invariants(const char *where)
{
    SCOPED_TRACE(where);
    const Cell &root = cell_root();
    u32 cpus = root.cpu_mask, irqs = root.irqs[1];
    EXPECT_EQ(root.num_cpus, static_cast<u32>(__builtin_popcount(root.cpu_mask)));
    for (u32 cpu = 0; cpu < fake::CPUS; cpu++) {
        if (root.cpu_mask & (1u << cpu)) {
            EXPECT_EQ(arch.cpu_owner[cpu], ROOT_CELL) << "CPU " << cpu;
        }
    }
    for (u32 id = 1; id < MAX_CELLS; id++) {
        const Cell *c = cell_get(id);
        if (!c) {
            EXPECT_EQ(arch.created.count(id), 0u) << "free slot " << id << " still has an address space";
            continue;
        }
        EXPECT_EQ(arch.created.count(id), 1u) << id;
        EXPECT_EQ(cpus & c->cpu_mask, 0u) << "CPUs of cell " << id << " owned twice";
        EXPECT_EQ(irqs & c->irqs[1], 0u) << "interrupts of cell " << id << " owned twice";
        cpus |= c->cpu_mask;
        irqs |= c->irqs[1];
        for (u32 cpu = 0; cpu < fake::CPUS; cpu++) {
            if (c->cpu_mask & (1u << cpu)) {
                EXPECT_EQ(arch.cpu_owner[cpu], id) << "CPU " << cpu;
            }
        }
        for (u32 intid = 32; intid < 64; intid++) {
            if (c->irqs[1] & (1u << (intid - 32))) {
                EXPECT_EQ(arch.lent_irqs.count(intid), 1u) << intid;
            }
        }
        u32 on;
        u32 st = state(id, &on);
        if (st == MOAT_CELL_STATE_SHUT_DOWN || st == MOAT_CELL_STATE_STOPPED) {
            EXPECT_EQ(on, 0u) << "cell " << id << " stopped with CPUs on";
            for (u32 cpu = 0; cpu < fake::CPUS; cpu++) {
                if (c->cpu_mask & (1u << cpu)) {
                    EXPECT_FALSE(arch.booting[cpu] || !arch.firmware_off[cpu]) << "CPU " << cpu;
                }
            }
        }
    }
    // Every SPI is routed to a CPU of its owner: a root SPI never reaches a cell's CPU.
    for (u32 intid = 32; intid < 64; intid++) {
        const Cell *owner = &root;
        for (u32 id = 1; id < MAX_CELLS; id++)
            if (const Cell *c = cell_get(id); c && (c->irqs[1] >> (intid - 32)) & 1)
                owner = c;
        EXPECT_TRUE((owner->cpu_mask >> arch.spi_route[intid]) & 1)
            << "SPI " << intid << " of cell " << owner->id << " routed to CPU " << arch.spi_route[intid];
    }
    EXPECT_EQ(cpus, ALL_CPUS) << "a CPU belongs to no cell";
    EXPECT_EQ(irqs, ROOT_SPIS) << "an interrupt belongs to no cell";
    for (const auto &[r, id] : arch.taken)
        EXPECT_NE(cell_get(id), nullptr) << "memory at " << std::hex << r.phys << " kept by a destroyed cell";
    u32 lent = 0;
    for (const auto &[intid, id] : arch.lent_irqs) {
        EXPECT_NE(cell_get(id), nullptr) << "interrupt " << intid << " kept by a destroyed cell";
        lent++;
    }
    EXPECT_EQ(lent, static_cast<u32>(__builtin_popcount(ROOT_SPIS & ~root.irqs[1])));
    EXPECT_TRUE(arch.violations.empty()) << arch.violations.front();
}

// Everything back with the root: what a forced stop and destroy must always end in.
void check_all_returned()
{
    check_invariants("all returned");
    EXPECT_EQ(cell_root().cpu_mask, ALL_CPUS);
    EXPECT_EQ(cell_root().irqs[1], ROOT_SPIS);
    EXPECT_TRUE(arch.taken.empty());
    EXPECT_TRUE(arch.lent_irqs.empty());
    EXPECT_TRUE(arch.created.empty());
}

// Stop and destroy every cell the hard way, whatever it is doing.
void force_destroy_all(Machine &m)
{
    for (u32 id = 1; id < MAX_CELLS; id++) {
        if (!cell_get(id))
            continue;
        for (int tries = 0; tries < 10 && cell_get(id); tries++) {
            EXPECT_EQ(shutdown(id, true), MOAT_HC_OK);
            m.run_all();
            m.deliver_kicks();
            m.settle();
            std::string why;
            s64 st = destroy(id, &why);
            EXPECT_TRUE(st == MOAT_HC_OK || st == MOAT_HC_PENDING) << why;
        }
        EXPECT_EQ(cell_get(id), nullptr) << "cell " << id << " survived a forced destroy";
    }
}

const Spec A{"a", 0x2, 0x7c000000, {40}};
const Spec B{"b", 0xc, 0x7c200000, {41, 42}, 0x60000000, 0x9010000};

class Cells : public ::testing::Test {
protected:
    void SetUp() override { fake::reset(); }
    Machine m;
};

TEST_F(Cells, CreateLoadStartShutdownDestroy)
{
    Result r = create(B);
    ASSERT_EQ(r.status, MOAT_HC_OK) << r.err;
    EXPECT_EQ(r.id, 1u);
    EXPECT_EQ(state(1), u32{MOAT_CELL_STATE_STOPPED});
    EXPECT_EQ(cell_root().cpu_mask, ALL_CPUS & ~0xcu);
    EXPECT_EQ(arch.cpu_owner[2], 1u);
    EXPECT_EQ(arch.cpu_owner[3], 1u);
    EXPECT_EQ(arch.lent_irqs.size(), 2u);
    // Its root RAM and the device left the root; its pool RAM was never the root's.
    EXPECT_EQ(arch.taken.size(), 2u);
    EXPECT_EQ(arch.taken.count({0x60000000, 0x200000}), 1u);
    EXPECT_EQ(arch.taken.count({0x9010000, 0x1000}), 1u);
    EXPECT_EQ(arch.zeroed, (std::vector<u64>{0x7c200000, 0x60000000}));
    check_invariants("created");

    char err[MOAT_HC_ERROR_LEN] = "";
    EXPECT_EQ(cell_load(1, fake::IMAGE_PA, 0x7c200000 + 0x1000, 4096, err, sizeof(err)), MOAT_HC_OK) << err;
    ASSERT_EQ(arch.loads.size(), 1u);
    EXPECT_EQ(arch.loads[0].first, 0x7c201000u);

    ASSERT_EQ(start(1), MOAT_HC_OK);
    EXPECT_EQ(arch.powered_on, (std::vector<u32>{2}));  // its first CPU
    EXPECT_EQ(state(1), u32{MOAT_CELL_STATE_RUNNING});
    m.arrive(2);
    m.cpu_on(2, 3);
    m.arrive(3);
    EXPECT_TRUE(m.running[2] && m.running[3]);
    check_invariants("running");

    EXPECT_EQ(shutdown(1, false), MOAT_HC_OK);  // never registered: stopped at once
    EXPECT_EQ(arch.kicked, (std::vector<u32>{2, 3}));
    EXPECT_EQ(state(1), u32{MOAT_CELL_STATE_RUNNING});  // until its CPUs are off
    m.deliver_kicks();
    EXPECT_EQ(state(1), u32{MOAT_CELL_STATE_SHUT_DOWN});
    check_invariants("shut down");

    ASSERT_EQ(destroy(1), MOAT_HC_OK);
    EXPECT_EQ(cell_get(1), nullptr);
    check_all_returned();
}

// console = "ring": the first CPU enters with x0 = the ring's IPA (a cell without one: 0); the
// slot's ring page is empty when the cell starts and again once it is destroyed, whatever the
// cell wrote (the root reads every slot's page).
TEST_F(Cells, ConsoleRingIsEmptyAtCreateAndDestroyAndItsIpaIsInX0)
{
    constexpr u64 RING_IPA = 0x7c100000;  // just past the cell's 1 MiB
    moat_cell_desc d = make(A);
    d.console = {MOAT_CELL_CONSOLE_RING, 0, RING_IPA};
    d.checksum = moat_cell_checksum(&d, sizeof(d));
    char why[200];
    ASSERT_TRUE(cell_validate(&d, sizeof(d), why, sizeof(why))) << why;

    auto *ring = static_cast<moat_cell_ring *>(cell_console_ring(1));
    std::memset(ring, 0x5a, sizeof(*ring));  // what a previous cell of the slot left
    Result r = create(d);
    ASSERT_EQ(r.status, MOAT_HC_OK) << r.err;
    ASSERT_EQ(r.id, 1u);
    EXPECT_EQ(ring->head, 0u);
    EXPECT_EQ(ring->data[0], 0);
    ASSERT_EQ(start(1), MOAT_HC_OK);
    EXPECT_EQ(arch.entry_x0[1], RING_IPA);
    m.arrive(1);
    moat_cell_ring_write(ring, "left behind\n", 12);
    EXPECT_EQ(shutdown(1, true), MOAT_HC_OK);
    m.deliver_kicks();
    ASSERT_EQ(destroy(1), MOAT_HC_OK);
    const auto *bytes = reinterpret_cast<const unsigned char *>(ring);
    EXPECT_EQ(std::count(bytes, bytes + sizeof(*ring), 0), static_cast<long>(sizeof(*ring)));

    ASSERT_EQ(create(A).status, MOAT_HC_OK);
    ASSERT_EQ(start(1), MOAT_HC_OK);
    EXPECT_EQ(arch.entry_x0[1], 0u);  // no ring, nothing in x0
}

// Invariant 7 for the ring page: a cell may read it with its caches off (its MMU off, or its own
// stage 1 non-cacheable), so the zeros written at create and destroy must reach memory, not sit
// dirty in a cache over the previous cell's bytes. Review finding 1: they were plain stores.
TEST_F(Cells, ConsoleRingZerosAreCleanedToMemoryAtCreateAndDestroy)
{
    moat_cell_desc d = make(A);
    d.console = {MOAT_CELL_CONSOLE_RING, 0, 0x7c100000};
    d.checksum = moat_cell_checksum(&d, sizeof(d));
    auto *ring = static_cast<moat_cell_ring *>(cell_console_ring(1));
    auto cleaned_whole_ring = [&] {
        for (const auto &c : arch.cleaned)
            if (c.va == ring && c.size == sizeof(*ring) && c.all_zero)
                return true;
        return false;
    };
    std::memset(ring, 0x5a, sizeof(*ring));  // what a previous cell of the slot left
    ASSERT_EQ(create(d).status, MOAT_HC_OK);
    EXPECT_TRUE(cleaned_whole_ring()) << "create: the ring's zeros were not cleaned to the PoC";
    arch.cleaned.clear();
    ASSERT_EQ(start(1), MOAT_HC_OK);
    m.arrive(1);
    moat_cell_ring_write(ring, "a secret\n", 9);
    EXPECT_EQ(shutdown(1, true), MOAT_HC_OK);
    m.deliver_kicks();
    ASSERT_EQ(destroy(1), MOAT_HC_OK);
    EXPECT_TRUE(cleaned_whole_ring()) << "destroy: the ring's zeros were not cleaned to the PoC";
}

TEST_F(Cells, CreateRefusalsNameTheCause)
{
    struct Case {
        Spec spec;
        const char *want;
    };
    ASSERT_EQ(create(A).status, MOAT_HC_OK);
    arch.root_online = 0x11;  // the root still has CPU 4 online
    const Case cases[] = {
        {{"a", 0x4, 0x7c400000, {}}, "a cell named \"a\" exists already"},
        {{"c", 0x2, 0x7c400000, {}}, "CPU 1 belongs to another cell"},
        {{"c", 0x10, 0x7c400000, {}}, "CPU 4 is still online in the root cell: take it offline first"},
        {{"c", 0x4, 0x7c400000, {40}}, "interrupt 40 is not the root cell's to give"},
        {{"c", 0x4, 0x7c000000, {}}, "overlaps"},
        {{"c", 0x4, 0x7fc00000, {}}, "hypervisor"},
    };
    for (const Case &c : cases) {
        Result r = create(c.spec);
        EXPECT_NE(r.status, MOAT_HC_OK) << c.want;
        EXPECT_NE(r.err.find(c.want), std::string::npos) << "want: " << c.want << "\ngot:  " << r.err;
        check_invariants(c.want);
    }
    Result r = create(make({"c", 0x4, 0x7c400000, {}}), 100);
    EXPECT_EQ(r.status, MOAT_HC_INVALID);
    EXPECT_EQ(r.err, "descriptor must be 3736 bytes within one page");
    r = create(make({"c", 0x4, 0x7c400000, {}}), sizeof(moat_cell_desc), 0x7c000000);
    EXPECT_EQ(r.status, MOAT_HC_DENIED);
    EXPECT_EQ(r.err, "descriptor at 0x7c000000 is not in the root cell's RAM");
    moat_cell_desc bad = make({"c", 0x4, 0x7c400000, {}});
    bad.checksum ^= 1;
    r = create(bad);
    EXPECT_EQ(r.status, MOAT_HC_INVALID);
    EXPECT_NE(r.err.find("invalid descriptor: checksum"), std::string::npos) << r.err;
    moat_cell_desc root = fake::root_desc();
    root.checksum = moat_cell_checksum(&root, sizeof(root));
    EXPECT_NE(create(root).status, MOAT_HC_OK);
    arch.root_online = 0;
    r = create({"all", ALL_CPUS & ~0x2u, 0x7c400000, {}});
    EXPECT_EQ(r.err, "the root cell would have no CPU left");
    check_invariants("refused");
}

TEST_F(Cells, AllSlotsInUseIsRefused)
{
    arch.root_online = 0;
    for (u32 i = 1; i < MAX_CELLS; i++) {
        std::string name = "c" + std::to_string(i);
        Result r = create({name.c_str(), 1u << i, 0x7c000000 + i * 0x100000, {}});
        ASSERT_EQ(r.status, MOAT_HC_OK) << r.err;
    }
    Result r = create({"one-more", 0x1, 0x7d000000, {}});
    EXPECT_EQ(r.status, MOAT_HC_DENIED);
    EXPECT_EQ(r.err, "all 7 cell slots are in use");
    check_invariants("full");
    force_destroy_all(m);
    check_all_returned();
}

TEST_F(Cells, ArchFailureAtCreateChangesNothing)
{
    arch.create_fails = true;
    Result r = create(B);
    EXPECT_EQ(r.status, MOAT_HC_DENIED);
    EXPECT_EQ(r.err, "fake: page pool exhausted");
    EXPECT_EQ(cell_get(1), nullptr);
    check_all_returned();
    arch.create_fails = false;
    EXPECT_EQ(create(B).status, MOAT_HC_OK);  // the slot and the resources are still free
    check_invariants("created after a failure");
}

TEST_F(Cells, NoCellIsCreatedOnceACpuMayLeave)
{
    arch.cells_supported = false;
    EXPECT_EQ(create(A).err, "fake: no interrupt controller for cells");
    arch.cells_supported = true;
    ASSERT_EQ(create(A).status, MOAT_HC_OK);
    EXPECT_FALSE(cells_begin_leave());  // a cell exists
    ASSERT_EQ(destroy(1), MOAT_HC_OK);
    EXPECT_TRUE(cells_begin_leave());
    Result r = create(A);
    EXPECT_EQ(r.status, MOAT_HC_DENIED);
    EXPECT_EQ(r.err, "the hypervisor is being disabled (a CPU has left it): enable it again to create cells");
}

TEST_F(Cells, LoadStartAndDestroyRefusals)
{
    ASSERT_EQ(create(A).status, MOAT_HC_OK);
    char err[MOAT_HC_ERROR_LEN] = "";
    EXPECT_EQ(cell_load(0, fake::IMAGE_PA, 0x7c000000, 16, err, sizeof(err)), MOAT_HC_INVALID);
    EXPECT_STREQ(err, "no cell with id 0");
    EXPECT_EQ(cell_load(1, fake::IMAGE_PA, 0x7c100000, 16, err, sizeof(err)), MOAT_HC_DENIED);
    EXPECT_STREQ(err, "0x7c100000+0x10 is not inside a loadable memory region of cell \"a\"");
    EXPECT_EQ(cell_load(1, fake::IMAGE_PA + 4000, 0x7c000000, 200, err, sizeof(err)), MOAT_HC_INVALID);
    EXPECT_STREQ(err, "load chunks are 1..4096 bytes within one root page");
    EXPECT_EQ(cell_load(1, 0x7c000000, 0x7c000000, 16, err, sizeof(err)), MOAT_HC_DENIED);
    EXPECT_STREQ(err, "source 0x7c000000 is not in the root cell's RAM");
    arch.load_fails = true;
    EXPECT_EQ(cell_load(1, fake::IMAGE_PA, 0x7c000000, 16, err, sizeof(err)), MOAT_HC_DENIED);
    EXPECT_STREQ(err, "the hypervisor cannot map 0x7c000000+0x10 of cell \"a\" to load it");
    arch.load_fails = false;

    arch.power_on_status = -3;
    std::string why;
    EXPECT_EQ(start(1, &why), MOAT_HC_DENIED);
    EXPECT_EQ(why, "the firmware did not power CPU 1 on (PSCI -3)");
    EXPECT_EQ(state(1), u32{MOAT_CELL_STATE_STOPPED});
    arch.power_on_status = 0;
    ASSERT_EQ(start(1), MOAT_HC_OK);
    EXPECT_EQ(start(1, &why), MOAT_HC_DENIED);
    EXPECT_EQ(why, "cell \"a\" is already running");
    EXPECT_EQ(cell_load(1, fake::IMAGE_PA, 0x7c000000, 16, err, sizeof(err)), MOAT_HC_DENIED);
    EXPECT_STREQ(err, "cell \"a\" is running: shut it down before loading");
    EXPECT_EQ(destroy(1, &why), MOAT_HC_DENIED);
    EXPECT_EQ(why, "cell \"a\" is running (CPUs 0x2 on, on their way or powering off): shut it down first");
    EXPECT_EQ(shutdown(1, false, &why), MOAT_HC_OK);
    EXPECT_EQ(shutdown(1, true), MOAT_HC_OK);  // being stopped already: nothing more to do
    EXPECT_EQ(cell_shutdown(1, 6, err, sizeof(err)), MOAT_HC_INVALID);
    EXPECT_STREQ(err, "unknown shutdown flags 0x6");
    // Its CPU is still on its way: destroy waits for it.
    EXPECT_EQ(destroy(1), MOAT_HC_PENDING);
    m.arrive(1);  // arrives for a cell being stopped: parked
    EXPECT_FALSE(m.running[1]);
    check_invariants("parked on arrival");
    arch.destroy_fails = true;
    EXPECT_EQ(destroy(1, &why), MOAT_HC_DENIED);
    EXPECT_EQ(why, "fake: cannot zero cell \"a\"");
    check_invariants("destroy refused");  // everything still the cell's
    arch.destroy_fails = false;
    EXPECT_EQ(destroy(1), MOAT_HC_OK);
    check_all_returned();
}

TEST_F(Cells, CooperativeShutdownAsksFirst)
{
    ASSERT_EQ(create(B).status, MOAT_HC_OK);
    ASSERT_EQ(start(1), MOAT_HC_OK);
    m.arrive(2);
    m.cpu_on(2, 3);
    m.arrive(3);
    Cell &c = *cell_get(1);
    EXPECT_EQ(cell_shutdown_notify(c, 5), MOAT_HC_OK);
    EXPECT_EQ(cell_shutdown_notify(c, 15), MOAT_HC_INVALID);  // the management SGI is not its
    EXPECT_EQ(shutdown(1, false), MOAT_HC_PENDING);
    EXPECT_EQ(arch.sgi_to, (std::vector<u32>{2}));
    EXPECT_EQ(shutdown(1, false), MOAT_HC_PENDING);  // no answer yet
    EXPECT_EQ(cell_shutdown_reply(c, 2, MOAT_SHUTDOWN_REFUSE), MOAT_HC_OK);
    std::string why;
    EXPECT_EQ(shutdown(1, false, &why), MOAT_HC_DENIED);
    EXPECT_EQ(why, "cell \"b\" refused to shut down; ask again later, or add --force to stop it anyway");
    EXPECT_TRUE(arch.kicked.empty());
    EXPECT_EQ(shutdown(1, false), MOAT_HC_PENDING);
    EXPECT_EQ(cell_shutdown_reply(c, 3, MOAT_SHUTDOWN_APPROVE), MOAT_HC_OK);
    EXPECT_EQ(arch.kicked, (std::vector<u32>{2}));  // the other CPU; the replying one parks itself
    EXPECT_TRUE(arch.stop_request[3]);
    EXPECT_EQ(cell_shutdown_reply(c, 3, MOAT_SHUTDOWN_APPROVE), MOAT_HC_INVALID);  // nothing pending
    m.deliver_kicks();
    EXPECT_EQ(state(1), u32{MOAT_CELL_STATE_SHUT_DOWN});
    EXPECT_EQ(destroy(1), MOAT_HC_OK);
    check_all_returned();
}

TEST_F(Cells, ForcedStopOfAFailedCellGivesEverythingBack)
{
    ASSERT_EQ(create(B).status, MOAT_HC_OK);
    ASSERT_EQ(create(A).status, MOAT_HC_OK);
    ASSERT_EQ(start(1), MOAT_HC_OK);
    m.arrive(2);
    m.cpu_on(2, 3);  // on its way when the cell fails
    cell_fail(*cell_get(1), 2, "test");
    m.park(2, true);  // the firmware takes its time
    EXPECT_EQ(state(1), u32{MOAT_CELL_STATE_FAILED});
    EXPECT_EQ(cell_cpu_on_request(*cell_get(1), 2), psci::DENIED);
    std::string why;
    EXPECT_EQ(destroy(1, &why), MOAT_HC_PENDING) << why;
    m.arrive(3);  // parked on arrival
    EXPECT_EQ(destroy(1), MOAT_HC_PENDING);  // CPU 2 not confirmed off yet
    m.settle();
    EXPECT_EQ(destroy(1), MOAT_HC_OK);
    check_invariants("one destroyed");
    EXPECT_NE(cell_get(2), nullptr);  // the other cell is untouched
    force_destroy_all(m);
    check_all_returned();
}

TEST_F(Cells, SystemOffStopsTheWholeCell)
{
    ASSERT_EQ(create(B).status, MOAT_HC_OK);
    ASSERT_EQ(start(1), MOAT_HC_OK);
    m.arrive(2);
    m.cpu_on(2, 3);
    m.arrive(3);
    cell_system_off(*cell_get(1), 3);
    EXPECT_EQ(arch.kicked, (std::vector<u32>{2}));
    m.park(3);
    m.deliver_kicks();
    EXPECT_EQ(state(1), u32{MOAT_CELL_STATE_SHUT_DOWN});
    // It may be started again, on its first CPU.
    ASSERT_EQ(start(1), MOAT_HC_OK);
    m.arrive(2);
    EXPECT_TRUE(m.running[2]);
    force_destroy_all(m);
    check_all_returned();
}

// Random root requests and CPU events, checked after every step; at the end, a forced stop and
// destroy of everything gives everything back.
std::string console_seen;
void console_capture(char ch) { console_seen += ch; }

// A root SPI routed to a CPU the root gives a cell is routed to the CPU that asked for the create
// (and the console says so); a cell's SPI going back at destroy never goes to a CPU another cell
// has taken since.
TEST_F(Cells, RootSpisRoutedToACellsCpusGoToTheRequestingCpu)
{
    console_seen.clear();
    console_set_output(console_capture);
    arch.spi_route[33] = 2;
    arch.spi_route[34] = 3;
    arch.spi_route[35] = 1;
    arch.spi_route[41] = 1;  // B's, routed by the root to CPU 1 (saved at create)
    arch.current_cpu = 4;
    Result r = create(B);    // CPUs 2 and 3
    ASSERT_EQ(r.status, MOAT_HC_OK) << r.err;
    ASSERT_EQ(arch.routed_off.size(), 1u);
    EXPECT_EQ(arch.routed_off[0].cpus, 0xcu);
    EXPECT_EQ(arch.routed_off[0].to, 4u);
    EXPECT_EQ(arch.routed_off[0].moved, 2u);
    EXPECT_EQ(arch.spi_route[33], 4u);
    EXPECT_EQ(arch.spi_route[34], 4u);
    EXPECT_EQ(arch.spi_route[35], 1u);
    EXPECT_NE(console_seen.find("cell \"b\": 2 interrupt(s) of the root cell routed to its CPUs moved to CPU 4"),
              std::string::npos) << console_seen;
    check_invariants("b created");

    // A takes CPU 1 (where B's SPI 41 was routed by the root); asked from a CPU that is not the
    // root's (cannot happen: only the root creates), the root's first CPU is used.
    console_seen.clear();
    arch.current_cpu = 2;
    r = create(A);
    ASSERT_EQ(r.status, MOAT_HC_OK) << r.err;
    EXPECT_EQ(arch.routed_off.back().cpus, 0x2u);
    EXPECT_EQ(arch.routed_off.back().to, 0u);
    EXPECT_EQ(arch.spi_route[35], 0u);
    EXPECT_NE(console_seen.find("cell \"a\": 1 interrupt(s) of the root cell routed to its CPUs moved to CPU 0"),
              std::string::npos) << console_seen;
    check_invariants("a created");

    // B goes: SPI 41's saved route (CPU 1) is A's now: it goes to the CPU asking instead.
    arch.current_cpu = 5;
    ASSERT_EQ(destroy(r.id - 1), MOAT_HC_OK);
    ASSERT_FALSE(arch.routed_back.empty());
    EXPECT_EQ(arch.routed_back.back().avoid, 0x2u);
    EXPECT_EQ(arch.routed_back.back().to, 5u);
    EXPECT_EQ(arch.spi_route[41], 5u);
    EXPECT_EQ(arch.spi_route[42], 0u);  // as the root had it
    check_invariants("b destroyed");

    // Nothing to move: no line.
    console_seen.clear();
    ASSERT_EQ(destroy(r.id), MOAT_HC_OK);
    ASSERT_EQ(create(A).status, MOAT_HC_OK);
    EXPECT_EQ(arch.routed_off.back().moved, 0u);
    EXPECT_EQ(console_seen.find("interrupt(s) of the root cell"), std::string::npos) << console_seen;
    console_set_output(nullptr);
}

TEST_F(Cells, RandomSequencesKeepOwnershipWhole)
{
    const Spec specs[] = {
        A, B,
        {"c", 0x8, 0x7c400000, {40, 43}},         // conflicts with a (interrupt) and b (CPU)
        {"d", 0x30, 0x7c600000, {50}, 0x62000000},
        {"a", 0x40, 0x7c800000, {51}},            // a's name
        {"e", 0xc0, 0x7ca00000, {52}, 0x60000000},  // b's root RAM
        {"f", 0x1, 0x7cc00000, {}},               // the root's CPU 0
    };
    for (unsigned seed = 0; seed < 300; seed++) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        fake::reset();
        Machine m;
        std::mt19937 rng(seed);
        auto pick = [&](u32 n) { return static_cast<u32>(rng() % n); };
        for (int step = 0; step < 200; step++) {
            u32 id = 1 + pick(MAX_CELLS - 1);
            u32 cpu = pick(fake::CPUS);
            char err[MOAT_HC_ERROR_LEN];
            switch (pick(15)) {
            case 0: case 1: create(specs[pick(std::size(specs))]); break;
            case 2: cell_load(id, fake::IMAGE_PA, 0x7c000000 + pick(16) * 0x100000, 256, err, sizeof(err)); break;
            case 3: start(id); break;
            case 4: shutdown(id, pick(2)); break;
            case 5: destroy(id); break;
            case 6: m.arrive(cpu); break;
            case 7: m.cpu_on(cpu, pick(fake::CPUS)); break;
            case 8: m.deliver_kicks(); break;
            case 9: m.settle(); break;
            case 10:
                if (m.running[cpu])
                    m.park(cpu, pick(2));  // powers itself off
                break;
            case 11:
                if (m.running[cpu]) {
                    if (pick(2)) {
                        cell_fail(m.owner(cpu), cpu, "random");
                    } else {
                        cell_system_off(m.owner(cpu), cpu);
                    }
                    m.park(cpu, pick(2));
                }
                break;
            case 12:
                if (m.running[cpu]) {
                    Cell &c = m.owner(cpu);
                    if (pick(2))
                        cell_shutdown_notify(c, pick(16));
                    else if (cell_shutdown_reply(c, cpu, 1 + pick(2)) == MOAT_HC_OK && arch.stop_request[cpu])
                        m.park(cpu);
                }
                break;
            case 13:
                arch.root_online = (arch.root_online ^ (1u << cpu)) & cell_root().cpu_mask;
                break;
            case 14: {
                // The root routes one of its SPIs to one of its CPUs (the distributor filter
                // allows no other), and its requests come from another of its CPUs.
                u32 intid = 32 + pick(32);
                if ((cell_root().irqs[1] >> (intid - 32)) & 1 && (cell_root().cpu_mask >> cpu) & 1)
                    arch.spi_route[intid] = cpu;
                u32 me = pick(fake::CPUS);
                if ((cell_root().cpu_mask >> me) & 1)
                    arch.current_cpu = me;
                break;
            }
            }
            check_invariants(("step " + std::to_string(step)).c_str());
            if (HasFailure())
                return;
        }
        force_destroy_all(m);
        check_all_returned();
        if (HasFailure())
            return;
    }
}

}  // namespace
