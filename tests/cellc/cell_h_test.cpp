// SPDX-License-Identifier: GPL-2.0
// include/moat/cell.h means the same bytes in C (the kernel module) and C++ (hypervisor, tools).
#include <gtest/gtest.h>

#include <moat/cell.h>

#include <cstddef>
#include <cstring>

extern "C" const std::size_t moat_cell_c_layout[];

TEST(CellHeader, SameLayoutInCAndCxx)
{
    const std::size_t cxx[] = {
        sizeof(moat_cell_desc),
        sizeof(moat_cell_mem_region),
        sizeof(moat_cell_platform),
        offsetof(moat_cell_desc, checksum),
        offsetof(moat_cell_desc, name),
        offsetof(moat_cell_desc, cpu_mpidr),
        offsetof(moat_cell_desc, mem_regions),
        offsetof(moat_cell_desc, irq_bitmap),
        offsetof(moat_cell_desc, platform),
        offsetof(moat_cell_platform, debug_uart),
    };
    for (std::size_t i = 0; i < sizeof(cxx) / sizeof(cxx[0]); i++)
        EXPECT_EQ(moat_cell_c_layout[i], cxx[i]) << "entry " << i;
}

TEST(CellHeader, MagicSpellsMoatcell)
{
    const std::uint64_t magic = MOAT_CELL_MAGIC;
    char text[9] = {};
    std::memcpy(text, &magic, 8);  // the descriptor is little endian, like the host and aarch64
    EXPECT_STREQ(text, "MOATCELL");
}

TEST(CellHeader, EveryFieldIsNaturallyAligned)
{
    EXPECT_EQ(offsetof(moat_cell_desc, entry) % 8, 0u);
    EXPECT_EQ(offsetof(moat_cell_desc, mem_regions) % 8, 0u);
    EXPECT_EQ(offsetof(moat_cell_desc, platform) % 8, 0u);
    EXPECT_EQ(sizeof(moat_cell_desc) % 8, 0u);
}
