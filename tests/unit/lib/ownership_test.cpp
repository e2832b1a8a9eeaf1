// SPDX-License-Identifier: GPL-2.0
// lib/ownership.cpp: every region of a new cell against the hypervisor, the root cell and the other
// cells, on a system laid out like QEMU virt (1 GiB of RAM, a 60 MiB cell pool, 4 MiB hypervisor).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "lib/ownership.hpp"

namespace {

constexpr moat::u32 RW = MOAT_CELL_MEM_READ | MOAT_CELL_MEM_WRITE;
constexpr moat::u32 RWX = RW | MOAT_CELL_MEM_EXEC;
constexpr moat::u32 IO = RW | MOAT_CELL_MEM_IO;
constexpr moat::u32 SHARED = RW | MOAT_CELL_MEM_SHARED;

void add(moat_cell_desc &d, moat::u64 phys, moat::u64 size, moat::u32 flags, moat::u64 virt = ~0ull)
{
    d.mem_regions[d.num_mem_regions++] = {phys, virt == ~0ull ? phys : virt, size, flags, 0};
}

moat_cell_desc root_v3()
{
    moat_cell_desc r{};
    r.flags = MOAT_CELL_FLAG_ROOT;
    add(r, 0x40000000, 0x3c000000, RWX | MOAT_CELL_MEM_DMA);          // RAM below the pool
    add(r, 0x7c000000, 0x3c00000, RW | MOAT_CELL_MEM_CELL_POOL);      // the cell pool
    add(r, 0x7e000000, 0x100000, SHARED);                             // shared, inside the pool
    add(r, 0x9000000, 0x1000, IO);                                    // UART (the debug UART)
    add(r, 0x9010000, 0x1000, IO);                                    // RTC
    add(r, 0x9030000, 0x1000, IO);                                    // GPIO
    add(r, 0x80a0000, 0xf60000, IO);                                  // redistributors
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

moat_cell_desc cell(const char *name)
{
    moat_cell_desc c{};
    std::snprintf(c.name, sizeof(c.name), "%s", name);
    return c;
}

// "" if accepted, otherwise the message.
std::string check(const moat_cell_desc &root, const moat_cell_desc &c, const moat_cell_desc *other = nullptr)
{
    char err[512] = "untouched";
    const moat_cell_desc *others[] = {other};
    bool ok = moat::ownership_check(root, others, other ? 1 : 0, c, err, sizeof(err));
    EXPECT_EQ(ok, err[0] == '\0') << err;
    return ok ? "" : err;
}

TEST(Ownership, PoolRamAndARootDeviceAreAccepted)
{
    moat_cell_desc c = cell("a");
    add(c, 0x7c000000, 0x1000000, RWX, 0x40000000);
    add(c, 0x9010000, 0x1000, IO);
    EXPECT_EQ(check(root_v3(), c), "");
}

TEST(Ownership, RootRamCarvedOutIsAccepted)
{
    moat_cell_desc c = cell("a");
    add(c, 0x60000000, 0x200000, RWX, 0x40000000);
    EXPECT_EQ(check(root_v3(), c), "");
}

TEST(Ownership, RamOnTheGicDistributorIsRefused)
{
    moat_cell_desc c = cell("a");
    add(c, 0x7c000000, 0x1000000, RWX, 0x40000000);
    add(c, 0x8000000, 0x10000, RW, 0x50000000);
    std::string e = check(root_v3(), c);
    EXPECT_NE(e.find("mem_regions[1]"), std::string::npos) << e;
    EXPECT_NE(e.find("GIC distributor"), std::string::npos) << e;
    EXPECT_NE(e.find("move it off"), std::string::npos) << e;
}

TEST(Ownership, EveryHypervisorOwnedRangeIsRefused)
{
    moat_cell_desc root = root_v3();
    struct {
        moat::u64 phys, size;
        moat::u32 flags;
        const char *owner;
    } cases[] = {
        {0x7fc00000, 0x1000, RW, "hypervisor's memory"},
        {0x7fbff000, 0x2000, RW, "hypervisor's memory"},  // the pool's last page and the hypervisor's first
        {0x80a0000, 0x20000, IO, "redistributors"},
        {0x9000000, 0x1000, IO, "console UART"},
        {0x8000000, 0x1000, IO, "GIC distributor"},
    };
    for (const auto &k : cases) {
        moat_cell_desc c = cell("a");
        add(c, 0x7c000000, 0x100000, RWX, 0x40000000);
        add(c, k.phys, k.size, k.flags, 0x60000000);
        std::string e = check(root, c);
        EXPECT_NE(e.find(k.owner), std::string::npos) << std::hex << k.phys << ": " << e;
    }
}

TEST(Ownership, GicV2FramesAreRefused)
{
    moat_cell_desc root = root_v3();
    moat_cell_platform &p = root.platform;
    p.gic_version = 2;
    p.gicr_base = p.gicr_size = p.gicr_stride = 0;
    p.gicc_base = 0x8010000, p.gicc_size = 0x10000;
    p.gich_base = 0x8030000, p.gich_size = 0x10000;
    p.gicv_base = 0x8040000, p.gicv_size = 0x10000;
    root.mem_regions[6] = {0x8040000, 0x8010000, 0x10000, IO, 0};  // GICV where Linux expects GICC
    const char *owners[] = {"CPU interface (platform.gicc)", "virtual interface control", "virtual CPU interface"};
    moat::u64 bases[] = {0x8010000, 0x8030000, 0x8040000};
    for (int i = 0; i < 3; i++) {
        moat_cell_desc c = cell("a");
        add(c, 0x7c000000, 0x100000, RWX, 0x40000000);
        add(c, bases[i], 0x1000, IO, 0x8010000);
        std::string e = check(root, c);
        EXPECT_NE(e.find(owners[i]), std::string::npos) << e;
    }
    char err[256];
    EXPECT_TRUE(moat::root_layout_check(root, err, sizeof(err))) << err;
}

TEST(Ownership, RamStraddlingRootRamAndThePoolIsRefused)
{
    moat_cell_desc c = cell("a");
    add(c, 0x7bfff000, 0x2000, RWX, 0x40000000);
    std::string e = check(root_v3(), c);
    EXPECT_NE(e.find("not inside one owner"), std::string::npos) << e;
    EXPECT_NE(e.find("root mem_regions[0]"), std::string::npos) << e;
    EXPECT_FALSE(moat::region_taken_from_root(root_v3(), c.mem_regions[0]));
}

TEST(Ownership, RamNobodyDeclaredIsRefused)
{
    moat_cell_desc c = cell("a");
    add(c, 0x100000000, 0x100000, RWX, 0x40000000);
    std::string e = check(root_v3(), c);
    EXPECT_NE(e.find("neither RAM nor cell pool"), std::string::npos) << e;
}

TEST(Ownership, RamOnARootDeviceIsRefused)
{
    moat_cell_desc c = cell("a");
    add(c, 0x7c000000, 0x100000, RWX, 0x40000000);
    add(c, 0x9010000, 0x1000, SHARED, 0x50000000);
    std::string e = check(root_v3(), c);
    EXPECT_NE(e.find("reaches into the root cell's device"), std::string::npos) << e;
}

TEST(Ownership, DeviceOutsideTheRootsDevicesIsRefused)
{
    moat_cell_desc c = cell("a");
    add(c, 0x7c000000, 0x100000, RWX, 0x40000000);
    add(c, 0x9010000, 0x2000, IO);  // the RTC and the page after it, which is nobody's
    std::string e = check(root_v3(), c);
    EXPECT_NE(e.find("device must lie wholly in one root device region"), std::string::npos) << e;
    moat_cell_desc d = cell("b");
    add(d, 0x7c000000, 0x100000, RWX, 0x40000000);
    add(d, 0x60000000, 0x1000, IO);  // root RAM as a device
    e = check(root_v3(), d);
    EXPECT_NE(e.find("root cell's RAM"), std::string::npos) << e;
}

TEST(Ownership, PrivateRamInRootSharedMemoryIsRefusedSharedIsAccepted)
{
    moat_cell_desc c = cell("a");
    add(c, 0x7c000000, 0x100000, RWX, 0x40000000);
    add(c, 0x7e000000, 0x100000, RW, 0x50000000);
    std::string e = check(root_v3(), c);
    EXPECT_NE(e.find("memory the root cell shares"), std::string::npos) << e;
    c.mem_regions[1].flags = SHARED;
    EXPECT_EQ(check(root_v3(), c), "");
    EXPECT_FALSE(moat::region_taken_from_root(root_v3(), c.mem_regions[1]));
}

TEST(Ownership, OtherCellsMemoryIsRefusedUnlessBothShare)
{
    moat_cell_desc a = cell("first");
    add(a, 0x7c000000, 0x1000000, RWX, 0x40000000);
    add(a, 0x7d000000, 0x100000, SHARED, 0x50000000);
    moat_cell_desc b = cell("second");
    add(b, 0x7c800000, 0x1000000, RWX, 0x40000000);
    std::string e = check(root_v3(), b, &a);
    EXPECT_NE(e.find("cell \"first\""), std::string::npos) << e;
    b.mem_regions[0] = {0x7d000000, 0x40000000, 0x100000, SHARED, 0};
    add(b, 0x7d800000, 0x100000, RWX, 0x48000000);
    EXPECT_EQ(check(root_v3(), b, &a), "");
    b.mem_regions[0].flags = RW;  // b would keep a's shared memory to itself
    EXPECT_NE(check(root_v3(), b, &a), "");
}

TEST(Ownership, TwoCellsCannotTakeOneDevice)
{
    moat_cell_desc a = cell("first");
    add(a, 0x7c000000, 0x100000, RWX, 0x40000000);
    add(a, 0x9010000, 0x1000, IO);
    moat_cell_desc b = cell("second");
    add(b, 0x7d000000, 0x100000, RWX, 0x40000000);
    add(b, 0x9010000, 0x1000, IO);
    std::string e = check(root_v3(), b, &a);
    EXPECT_NE(e.find("mem_regions[1]"), std::string::npos) << e;
    EXPECT_NE(e.find("cell \"first\""), std::string::npos) << e;
}

TEST(Ownership, WhatCreateTakesFromTheRoot)
{
    moat_cell_desc r = root_v3();
    EXPECT_TRUE(moat::region_taken_from_root(r, {0x60000000, 0x40000000, 0x200000, RWX, 0}));
    EXPECT_TRUE(moat::region_taken_from_root(r, {0x9010000, 0x9010000, 0x1000, IO, 0}));
    EXPECT_FALSE(moat::region_taken_from_root(r, {0x7c000000, 0x40000000, 0x200000, RWX, 0}));
    EXPECT_FALSE(moat::region_taken_from_root(r, {0x60000000, 0x40000000, 0x200000, SHARED, 0}));
    EXPECT_FALSE(moat::region_taken_from_root(r, {0x60000000, 0x40000000, 0x200000,
                                                   RWX | MOAT_CELL_MEM_ROOT_SHARED, 0}));
}

TEST(Ownership, RootMustSeeItsRegionsAtTheirPhysicalAddress)
{
    moat_cell_desc r = root_v3();
    char err[256];
    EXPECT_TRUE(moat::root_layout_check(r, err, sizeof(err))) << err;
    r.mem_regions[0].virt_start = 0x80000000;
    EXPECT_FALSE(moat::root_layout_check(r, err, sizeof(err)));
    EXPECT_NE(std::string(err).find("root cell mem_regions[0]: IPA 0x80000000 differs"), std::string::npos) << err;
}

}  // namespace
