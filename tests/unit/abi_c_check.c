/* SPDX-License-Identifier: GPL-2.0 */
/* The ABI headers compiled as C (-std=c11 -pedantic): sizes and offsets for abi_test.cpp. */
#include <stddef.h>

#include <moat/abi.h>
#include <moat/ioctl.h>

const size_t moat_c_sizes[] = {
	sizeof(struct moat_image_header),
	sizeof(struct moat_enable_args),
	sizeof(struct moat_info),
	sizeof(struct moat_error),
};

const size_t moat_c_offsets[] = {
	offsetof(struct moat_image_header, mem_base),
	offsetof(struct moat_image_header, cpu_mpidr),
	offsetof(struct moat_info, mem_base),
};
