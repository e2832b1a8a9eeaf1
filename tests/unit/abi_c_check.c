/* SPDX-License-Identifier: GPL-2.0 */
/* The ABI headers compiled as C (-std=c11 -pedantic): sizes and offsets for abi_test.cpp. */
#include <stddef.h>

#include <moat/abi.h>
#include <moat/cell.h>
#include <moat/cell_ring.h>
#include <moat/ioctl.h>
#include <moat/link.h>

const size_t moat_c_sizes[] = {
	sizeof(struct moat_image_header),
	sizeof(struct moat_enable_args),
	sizeof(struct moat_info),
	sizeof(struct moat_error),
	sizeof(struct moat_cell_desc),
	sizeof(struct moat_cell_links),
	sizeof(struct moat_cell_link),
	sizeof(struct moat_link_section),
	sizeof(struct moat_link_state),
};

const size_t moat_c_offsets[] = {
	offsetof(struct moat_image_header, mem_base),
	offsetof(struct moat_image_header, cpu_mpidr),
	offsetof(struct moat_info, mem_base),
	offsetof(struct moat_cell_desc, links),
	offsetof(struct moat_cell_link, regs_ipa),
	offsetof(struct moat_cell_link, peers),
	offsetof(struct moat_cell_link, sections),
	offsetof(struct moat_link_state, peer_state),
};
