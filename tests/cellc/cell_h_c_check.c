/* SPDX-License-Identifier: GPL-2.0 */
/* include/moat/cell.h compiled as C (-std=c11 -pedantic): sizes and offsets for cell_h_test.cpp. */
#include <stddef.h>

#include <moat/cell.h>

const size_t moat_cell_c_layout[] = {
	sizeof(struct moat_cell_desc),
	sizeof(struct moat_cell_mem_region),
	sizeof(struct moat_cell_platform),
	offsetof(struct moat_cell_desc, checksum),
	offsetof(struct moat_cell_desc, name),
	offsetof(struct moat_cell_desc, cpu_mpidr),
	offsetof(struct moat_cell_desc, mem_regions),
	offsetof(struct moat_cell_desc, irq_bitmap),
	offsetof(struct moat_cell_desc, platform),
	offsetof(struct moat_cell_platform, debug_uart),
};
