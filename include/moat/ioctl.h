/* SPDX-License-Identifier: MIT */
/* moat ABI: ioctls of /dev/moat, shared by the driver and the moat CLI. */
#ifndef MOAT_IOCTL_H
#define MOAT_IOCTL_H

#include "abi.h"

#ifdef __KERNEL__
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define MOAT_DEVICE_NAME "moat"
#define MOAT_FIRMWARE_NAME "moat/moat-hv.bin"
#define MOAT_IOCTL_TYPE 0xb7

/* MOAT_ENABLE: load the hypervisor image and enter it on every online CPU. */
struct moat_enable_args {
	moat_u64 image;      /* user pointer to the image, or 0 to load MOAT_FIRMWARE_NAME */
	moat_u64 image_size; /* bytes at image */
	moat_u64 config;     /* user pointer to the root cell descriptor (moat-cellc output) */
	moat_u64 config_size;/* its size: sizeof(struct moat_cell_desc) */
};
MOAT_STATIC_ASSERT(sizeof(struct moat_enable_args) == 32, "moat_enable_args layout changed");

/* MOAT_INFO: state of the driver and, when enabled, what the hypervisor answers at EL2. */
struct moat_info {
	moat_u32 driver_abi_version; /* MOAT_ABI_VERSION the driver was built with */
	moat_u32 enabled;            /* 1 when the hypervisor runs */
	moat_u32 hv_abi_version;     /* from MOAT_HC_GET_INFO at EL2, 0 when disabled */
	moat_u32 hv_cpus;            /* CPUs in the hypervisor, from MOAT_HC_GET_INFO */
	moat_u64 mem_base;           /* reserved hypervisor memory from the device tree */
	moat_u64 mem_size;
	moat_u64 mem_used;           /* bytes in use, from MOAT_HC_GET_INFO */
	moat_u64 enable_count;       /* successful enables since the module was loaded */
};
MOAT_STATIC_ASSERT(sizeof(struct moat_info) == 48, "moat_info layout changed");

/* MOAT_LAST_ERROR: the driver's explanation of the last failed ioctl on this open file. */
#define MOAT_ERROR_LEN 256
struct moat_error {
	char message[MOAT_ERROR_LEN];
};

/* MOAT_STATS: exits per CPU and per reason (MOAT_EXIT_*), as counted by the hypervisor. */
struct moat_stats {
	moat_u32 cpus;    /* rows filled: CPUs in the hypervisor's range */
	moat_u32 reasons; /* columns filled: MOAT_EXIT_REASONS */
	moat_u64 count[MOAT_MAX_CPUS][MOAT_EXIT_REASONS];
};
MOAT_STATIC_ASSERT(sizeof(struct moat_stats) == 8 + 8 * MOAT_MAX_CPUS * MOAT_EXIT_REASONS,
		   "moat_stats layout changed");

#define MOAT_ENABLE _IOW(MOAT_IOCTL_TYPE, 1, struct moat_enable_args)
#define MOAT_DISABLE _IO(MOAT_IOCTL_TYPE, 2)
#define MOAT_INFO _IOR(MOAT_IOCTL_TYPE, 3, struct moat_info)
#define MOAT_LAST_ERROR _IOR(MOAT_IOCTL_TYPE, 4, struct moat_error)
#define MOAT_STATS _IOR(MOAT_IOCTL_TYPE, 5, struct moat_stats)

#endif /* MOAT_IOCTL_H */
