// The hypercall table (hv/hypercall.cpp) over the real cell lifecycle (hv/cells.cpp) and the fake
// arch (fake_arch.hpp): who may make each call, cell ids keep all 64 bits, refusals reach the
// root's error buffer from the register the ABI names, GET_INFO tells a cell nothing about the
// machine, DISABLE is refused while other cells exist.
#include <gtest/gtest.h>

#include <moat/abi.h>

#include <cstdio>
#include <string>

#include "fake_arch.hpp"
#include "hv/cell.hpp"
#include "lib/cell_validate.hpp"
#include "hv/hypercall.hpp"
#include "hv/state.hpp"

using namespace moat;
using fake::arch;

namespace {
constexpr u64 ERRBUF = 0x41002000;

HypercallResult call(u64 fn, std::initializer_list<u64> args, bool root = true, u32 cell_cpus = 4)
{
    u64 a[HYPERCALL_ARGS] = {};
    size_t i = 0;
    for (u64 v : args)
        a[i++] = v;
    HypercallContext ctx{0, 2, 1, root, cell_cpus, root ? &cell_root() : nullptr};
    return hypercall(ctx, fn, a);
}

u64 pool_used() { return 8192; }

// A one-CPU cell on CPU 1, put where the fake root RAM holds descriptors.
void put_cell_desc()
{
    moat_cell_desc d{};
    d.magic = MOAT_CELL_MAGIC;
    d.abi_version = MOAT_ABI_VERSION;
    d.total_size = sizeof(d);
    std::snprintf(d.name, sizeof(d.name), "x");
    d.num_cpus = 1;
    d.cpu_mpidr[0] = 1;
    d.num_mem_regions = 1;
    d.mem_regions[0] = {0x7c000000, 0x7c000000, 0x100000,
                        MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE | MOAT_CELL_MEM_EXEC, 0};
    d.entry = 0x7c000000;
    d.checksum = moat_cell_checksum(&d, sizeof(d));
    fake::put(fake::DESC_PA, &d, sizeof(d));
}
}  // namespace

TEST(Hypercall, ACellIdAbove32BitsNamesNoCellNotTheRoot)
{
    fake::reset();
    // 2^32 cut down to 32 bits is 0, the root: the query must not answer for it.
    HypercallResult r = call(MOAT_HC_CELL_STATE, {u64{1} << 32});
    EXPECT_EQ(r.status, MOAT_HC_INVALID);
    for (u64 fn : {MOAT_HC_CELL_START, MOAT_HC_CELL_DESTROY, MOAT_HC_CELL_SHUTDOWN, MOAT_HC_CELL_LOAD}) {
        arch.reported.clear();
        r = call(fn, {(u64{1} << 32) | 1, 0x1000, 0x1000, 0x1000, 0x1000, 0x1000});
        EXPECT_EQ(r.status, MOAT_HC_INVALID) << std::hex << fn;
        EXPECT_NE(arch.reported.find("no cell with id 0x100000001: cell ids are 32-bit"), std::string::npos)
            << arch.reported;
    }
    // Ids that fit are passed on whole.
    r = call(MOAT_HC_CELL_STATE, {0});
    EXPECT_EQ(r.status, MOAT_HC_OK);
    EXPECT_EQ(r.ret[0], u64{MOAT_CELL_STATE_RUNNING});
    EXPECT_EQ(r.ret[1], u64{0xff});  // the root has every CPU
    r = call(MOAT_HC_CELL_START, {0xffffffff, ERRBUF});
    EXPECT_EQ(r.status, MOAT_HC_INVALID);
    EXPECT_EQ(arch.reported, "no cell with id 4294967295");
}

TEST(Hypercall, RefusalsGoToTheErrorBufferTheAbiNames)
{
    fake::reset();
    for (u64 fn : {MOAT_HC_CELL_CREATE, MOAT_HC_CELL_LOAD, MOAT_HC_CELL_START, MOAT_HC_CELL_SHUTDOWN,
                   MOAT_HC_CELL_DESTROY}) {
        u64 a[HYPERCALL_ARGS] = {7, 0, 0, 0, 0, 0};
        int arg = MOAT_HC_ERROR_ARG(fn);
        ASSERT_GT(arg, 1) << std::hex << fn;
        a[arg - 1] = ERRBUF;
        arch.reported.clear();
        HypercallContext ctx{0, 2, 1, true, 8, &cell_root()};
        EXPECT_NE(hypercall(ctx, fn, a).status, MOAT_HC_OK);
        EXPECT_FALSE(arch.reported.empty()) << std::hex << fn;
    }
    EXPECT_EQ(MOAT_HC_ERROR_ARG(MOAT_HC_CELL_STATE), 0);
}

TEST(Hypercall, EachCallStatesWhoMayMakeIt)
{
    fake::reset();
    for (u64 fn : {MOAT_HC_CELL_CREATE, MOAT_HC_CELL_LOAD, MOAT_HC_CELL_START, MOAT_HC_CELL_SHUTDOWN,
                   MOAT_HC_CELL_DESTROY, MOAT_HC_CELL_STATE, MOAT_HC_GET_STATS, MOAT_HC_CPU_INFO,
                   MOAT_HC_CONSOLE_INFO, MOAT_HC_DISABLE, MOAT_HC(99)})
        EXPECT_EQ(call(fn, {0}, false, 1).status, MOAT_HC_DENIED) << std::hex << fn;
    for (u64 fn : {MOAT_HC_SHUTDOWN_NOTIFY, MOAT_HC_SHUTDOWN_REPLY})
        EXPECT_EQ(call(fn, {1}, true).status, MOAT_HC_DENIED) << std::hex << fn;
    EXPECT_EQ(call(MOAT_HC(99), {}, true).status, MOAT_HC_NOT_SUPPORTED);
    EXPECT_EQ(call(MOAT_HC_CONSOLE_WRITE, {0}, true).status, MOAT_HC_INVALID);
    EXPECT_EQ(call(MOAT_HC_CONSOLE_WRITE, {3, 0x636261}, true).status, MOAT_HC_OK);
}

TEST(Hypercall, GetInfoTellsACellOnlyTheAbiAndItsOwnCpus)
{
    fake::reset();
    state_set_memory(4096, pool_used);
    HypercallResult root = call(MOAT_HC_GET_INFO, {}, true);
    EXPECT_EQ(root.status, MOAT_HC_OK);
    EXPECT_EQ(root.ret[0], u64{MOAT_ABI_VERSION});
    EXPECT_EQ(root.ret[2], 4096u + 8192u);  // the root may know the hypervisor's memory use
    HypercallResult cell = call(MOAT_HC_GET_INFO, {}, false, 2);
    EXPECT_EQ(cell.status, MOAT_HC_OK);
    EXPECT_EQ(cell.ret[0], u64{MOAT_ABI_VERSION});
    EXPECT_EQ(cell.ret[1], 2u);  // its own CPUs, not the machine's
    EXPECT_EQ(cell.ret[2], 0u);  // nothing about the hypervisor's memory
}

TEST(Hypercall, DisableIsRefusedWhileOtherCellsExist)
{
    fake::reset();
    put_cell_desc();
    HypercallResult r = call(MOAT_HC_CELL_CREATE, {fake::DESC_PA, sizeof(moat_cell_desc), ERRBUF});
    ASSERT_EQ(r.status, MOAT_HC_OK) << arch.reported;
    u64 id = r.ret[0];
    r = call(MOAT_HC_DISABLE, {});
    EXPECT_EQ(r.status, MOAT_HC_DENIED);
    EXPECT_FALSE(r.leave);
    EXPECT_EQ(call(MOAT_HC_CELL_DESTROY, {id, ERRBUF}).status, MOAT_HC_OK);
    r = call(MOAT_HC_DISABLE, {});
    EXPECT_EQ(r.status, MOAT_HC_OK);
    EXPECT_TRUE(r.leave);
    // A cell cannot disable anything.
    r = call(MOAT_HC_DISABLE, {}, false, 1);
    EXPECT_EQ(r.status, MOAT_HC_DENIED);
    EXPECT_FALSE(r.leave);
}
