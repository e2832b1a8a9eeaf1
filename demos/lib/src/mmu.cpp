// SPDX-License-Identifier: MIT
#include "demo/mmu.hpp"

#include <stddef.h>
#include <stdint.h>

#include "demo/arch_bits.h"
#include "demo/board.hpp"
#include "demo/sysreg.hpp"

namespace demo::mmu {

namespace {

constexpr unsigned kVaBits = 32;  // 4 GiB: T0SZ = 64 - 32; the walk then starts at level 1
constexpr unsigned kLevel1Entries = 1u << (kVaBits - PTE_LEVEL1_BLOCK_SHIFT);
constexpr uint64_t kBlockSize = uint64_t{1} << PTE_LEVEL1_BLOCK_SHIFT;
constexpr unsigned kMairNormal = 0;
constexpr unsigned kMairDevice = 1;
constexpr size_t kTableAlign = 4096;

constexpr uint64_t block_of(uint64_t addr) { return addr >> PTE_LEVEL1_BLOCK_SHIFT; }

// The devices the library touches must be Device memory, so not in the image's gigabyte, and
// inside the 4 GiB the map covers.
constexpr uint64_t kImageBlock = block_of(DEMO_LINK_ADDRESS);
constexpr board::DeviceRange kDevices[] = {board::kUart, board::kGicDistributor, board::kGicPerCpu};
constexpr bool devices_outside_image()
{
    for (const auto &d : kDevices)
        if (block_of(d.base) == kImageBlock || block_of(d.base + d.size - 1) == kImageBlock)
            return false;
    return true;
}
constexpr bool devices_below_map_end()
{
    for (const auto &d : kDevices)
        if (d.base + d.size > (uint64_t{1} << kVaBits))
            return false;
    return true;
}
static_assert(devices_outside_image(),
              "a device the demos use shares the image's gigabyte: the identity map would make it Normal memory");
static_assert(devices_below_map_end(), "a device the demos use lies above 4 GiB: widen the identity map");

alignas(kTableAlign) uint64_t level1[kLevel1Entries];

constexpr uint64_t kNormalBlock = PTE_BLOCK | (uint64_t{kMairNormal} << PTE_ATTRINDX_SHIFT) | PTE_SH_INNER | PTE_AF |
                                  PTE_UXN;
// Device memory is never executable, not even speculatively.
constexpr uint64_t kDeviceBlock = PTE_BLOCK | (uint64_t{kMairDevice} << PTE_ATTRINDX_SHIFT) | PTE_AF | PTE_PXN |
                                  PTE_UXN;

}  // namespace

bool enabled() { return arch::read_sctlr() & SCTLR_EL1_M; }

bool normal(uintptr_t addr, size_t size)
{
    return enabled() && size && addr + size > addr && block_of(addr) == kImageBlock &&
           block_of(addr + size - 1) == kImageBlock;
}

void enable()
{
    if (enabled())
        return;
    for (unsigned i = 0; i < kLevel1Entries; i++)
        level1[i] = (uint64_t{i} << PTE_LEVEL1_BLOCK_SHIFT) | (i == kImageBlock ? kNormalBlock : kDeviceBlock);
    static_assert(kImageBlock < kLevel1Entries, "the image must lie in the first 4 GiB");
    static_assert(kBlockSize == 1024ull * 1024 * 1024, "level-1 blocks are 1 GiB with 4 KiB pages");

    arch::write_mair((MAIR_ATTR_NORMAL_WB << MAIR_ATTR_SHIFT(kMairNormal)) |
                     (MAIR_ATTR_DEVICE_nGnRE << MAIR_ATTR_SHIFT(kMairDevice)));
    arch::write_tcr((uint64_t{64 - kVaBits} << TCR_EL1_T0SZ_SHIFT) | TCR_EL1_IRGN0_WBWA | TCR_EL1_ORGN0_WBWA |
                    TCR_EL1_SH0_INNER | TCR_EL1_TG0_4K | TCR_EL1_EPD1 | (TCR_EL1_IPS_4G << TCR_EL1_IPS_SHIFT));
    arch::write_ttbr0(reinterpret_cast<uintptr_t>(level1));
    // The table was written with the MMU off, straight to memory; the walker reads it from
    // there. Drop any translations a previous owner of this CPU left behind.
    arch::dsb_sy();
    arch::tlbi_vmalle1();
    arch::ic_iallu();
    arch::dsb_sy();
    arch::isb();

    const uint64_t sctlr = (arch::read_sctlr() | SCTLR_EL1_M | SCTLR_EL1_C | SCTLR_EL1_I) & ~(SCTLR_EL1_A | SCTLR_EL1_WXN);
    arch::write_sctlr(sctlr);
    arch::isb();
}

}  // namespace demo::mmu
