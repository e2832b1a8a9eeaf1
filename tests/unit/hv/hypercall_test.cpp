// The hypercall switch (hv/hypercall.cpp) against a fake of the arch's cell operations: cell ids
// keep all 64 bits, GET_INFO tells a cell nothing about the machine, DISABLE is refused while
// other cells exist.
#include <gtest/gtest.h>

#include <moat/abi.h>

#include <string>

#include "hv/cell_ops.hpp"
#include "hv/hypercall.hpp"
#include "hv/state.hpp"

using namespace moat;

namespace {
struct Fake {
    u64 last_id = ~0ull;  // the id the last cell operation was given
    int calls = 0;
    bool cells_exist = false;
    std::string reported;  // what went to the root's error buffer
} fake;

HypercallResult call(u64 fn, std::initializer_list<u64> args, bool root = true, u32 cell_cpus = 4)
{
    u64 a[HYPERCALL_ARGS] = {};
    size_t i = 0;
    for (u64 v : args)
        a[i++] = v;
    HypercallContext ctx{0, 2, 1, root, cell_cpus};
    return hypercall(ctx, fn, a);
}

u64 pool_used() { return 8192; }
}  // namespace

namespace moat::cell_ops {
s64 create(u64, u64, u64 *id, char *, size_t) { fake.calls++; *id = 1; return MOAT_HC_OK; }
s64 load(u32 id, u64, u64, u64, char *, size_t) { fake.calls++; fake.last_id = id; return MOAT_HC_OK; }
s64 start(u32 id, char *, size_t) { fake.calls++; fake.last_id = id; return MOAT_HC_OK; }
s64 shutdown(u32 id, u64, char *, size_t) { fake.calls++; fake.last_id = id; return MOAT_HC_OK; }
s64 destroy(u32 id, char *, size_t) { fake.calls++; fake.last_id = id; return MOAT_HC_OK; }
bool state(u32 id, u32 *st, u32 *cpus, u32 *on)
{
    fake.calls++;
    fake.last_id = id;
    if (id != 0)
        return false;
    *st = MOAT_CELL_STATE_RUNNING;  // only the root exists here
    *cpus = 1;
    *on = 1;
    return true;
}
void report_error(u64, const char *msg) { fake.reported = msg; }
s64 shutdown_notify(u64) { return MOAT_HC_OK; }
s64 shutdown_reply(u64) { return MOAT_HC_OK; }
bool begin_leave() { return !fake.cells_exist; }
void console_putc(char) {}
}  // namespace moat::cell_ops

TEST(Hypercall, ACellIdAbove32BitsNamesNoCellNotTheRoot)
{
    fake = {};
    // 2^32 cut down to 32 bits is 0, the root: the query must not answer for it.
    HypercallResult r = call(MOAT_HC_CELL_STATE, {u64{1} << 32});
    EXPECT_EQ(r.status, MOAT_HC_INVALID);
    EXPECT_EQ(fake.calls, 0);
    for (u64 fn : {MOAT_HC_CELL_START, MOAT_HC_CELL_DESTROY, MOAT_HC_CELL_SHUTDOWN, MOAT_HC_CELL_LOAD}) {
        fake.reported.clear();
        r = call(fn, {(u64{1} << 32) | 1, 0x1000, 0x1000, 0x1000, 0x1000, 0x1000});
        EXPECT_EQ(r.status, MOAT_HC_INVALID) << std::hex << fn;
        EXPECT_NE(fake.reported.find("no cell with id 0x100000001: cell ids are 32-bit"), std::string::npos)
            << fake.reported;
    }
    EXPECT_EQ(fake.calls, 0);
    // Ids that fit are passed on whole.
    r = call(MOAT_HC_CELL_STATE, {0});
    EXPECT_EQ(r.status, MOAT_HC_OK);
    EXPECT_EQ(fake.last_id, 0u);
    r = call(MOAT_HC_CELL_START, {0xffffffff, 0});
    EXPECT_EQ(fake.last_id, 0xffffffffu);
}

TEST(Hypercall, GetInfoTellsACellOnlyTheAbiAndItsOwnCpus)
{
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
    fake = {};
    fake.cells_exist = true;
    HypercallResult r = call(MOAT_HC_DISABLE, {});
    EXPECT_EQ(r.status, MOAT_HC_DENIED);
    EXPECT_FALSE(r.leave);
    fake.cells_exist = false;
    r = call(MOAT_HC_DISABLE, {});
    EXPECT_EQ(r.status, MOAT_HC_OK);
    EXPECT_TRUE(r.leave);
    // A cell cannot disable anything.
    r = call(MOAT_HC_DISABLE, {}, false, 1);
    EXPECT_EQ(r.status, MOAT_HC_DENIED);
    EXPECT_FALSE(r.leave);
}
