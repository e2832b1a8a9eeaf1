/* SPDX-License-Identifier: MIT */
/* moat ABI: ioctls of /dev/moat, shared by the driver and the moat CLI. */
#ifndef MOAT_IOCTL_H
#define MOAT_IOCTL_H

#include "abi.h"
#include "cell.h"

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
	moat_u64 driver_allocations; /* buffers the driver holds right now (leak check) */
};
MOAT_STATIC_ASSERT(sizeof(struct moat_info) == 56, "moat_info layout changed");

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

/* Cells. A cell is named by the name in its descriptor. */
#define MOAT_NAME_LEN MOAT_CELL_NAME_LEN

struct moat_cell_create_args {
	moat_u64 desc;      /* user pointer to the descriptor (moat-cellc output) */
	moat_u64 desc_size; /* sizeof(struct moat_cell_desc) */
};

struct moat_cell_ref {
	char name[MOAT_NAME_LEN];
};

/* MOAT_CELL_SHUTDOWN, MOAT_CELL_DESTROY: a cooperative cell is asked first and has timeout_ms
 * (0: MOAT_STOP_TIMEOUT_MS) to answer; MOAT_STOP_FORCE stops it without asking. */
struct moat_cell_stop_args {
	char name[MOAT_NAME_LEN];
	moat_u32 flags;      /* MOAT_STOP_* */
	moat_u32 timeout_ms;
};
#define MOAT_STOP_FORCE MOAT_U(1)
#define MOAT_STOP_FLAGS_KNOWN MOAT_STOP_FORCE
#define MOAT_STOP_TIMEOUT_MS 3000
#define MOAT_STOP_TIMEOUT_MAX_MS 60000

struct moat_cell_load_args {
	char name[MOAT_NAME_LEN];
	moat_u64 image;      /* user pointer */
	moat_u64 image_size;
	moat_u64 address;    /* cell IPA to load at; 0: the cell's entry address */
};

struct moat_cell_status {
	char name[MOAT_NAME_LEN];
	moat_u32 id;
	moat_u32 state;      /* MOAT_CELL_STATE_* */
	moat_u32 num_cpus;
	moat_u32 cpus_on;    /* how many are powered on */
	moat_u32 linux_cpu[MOAT_MAX_CPUS]; /* the CPUs, by Linux's numbering */
	moat_u32 flags;      /* MOAT_CELL_FLAG_* of its descriptor (ABI 3.0): DIRECT_IRQ says how its
				CPUs take interrupts */
	moat_u32 reserved0;  /* zero */
};

struct moat_cell_list {
	moat_u32 count;
	moat_u32 reserved;
	struct moat_cell_status cells[MOAT_MAX_CELLS];
};

#define MOAT_ENABLE _IOW(MOAT_IOCTL_TYPE, 1, struct moat_enable_args)
#define MOAT_DISABLE _IO(MOAT_IOCTL_TYPE, 2)
#define MOAT_INFO _IOR(MOAT_IOCTL_TYPE, 3, struct moat_info)
#define MOAT_LAST_ERROR _IOR(MOAT_IOCTL_TYPE, 4, struct moat_error)
#define MOAT_STATS _IOR(MOAT_IOCTL_TYPE, 5, struct moat_stats)
#define MOAT_CELL_CREATE _IOW(MOAT_IOCTL_TYPE, 16, struct moat_cell_create_args)
#define MOAT_CELL_LOAD _IOW(MOAT_IOCTL_TYPE, 17, struct moat_cell_load_args)
#define MOAT_CELL_START _IOW(MOAT_IOCTL_TYPE, 18, struct moat_cell_ref)
#define MOAT_CELL_SHUTDOWN _IOW(MOAT_IOCTL_TYPE, 19, struct moat_cell_stop_args)
#define MOAT_CELL_DESTROY _IOW(MOAT_IOCTL_TYPE, 20, struct moat_cell_stop_args)
#define MOAT_CELL_LIST _IOR(MOAT_IOCTL_TYPE, 21, struct moat_cell_list)
/* MOAT_CONSOLE: a snapshot of the hypervisor's console ring (struct moat_console_ring) copied
 * to a user buffer (too large for the ioctl number's size field). */
struct moat_console_args {
	moat_u64 buf;  /* user pointer to a struct moat_console_ring */
	moat_u64 size; /* sizeof(struct moat_console_ring) */
};
#define MOAT_CONSOLE _IOW(MOAT_IOCTL_TYPE, 6, struct moat_console_args)
/* MOAT_CELL_CONSOLE: the lines moat.ko drained from the cells' console rings (cell_ring.h), as
 * "[name] text\r\n", in the same struct moat_console_ring form; drained first. Since ABI 3.1. */
#define MOAT_CELL_CONSOLE _IOW(MOAT_IOCTL_TYPE, 7, struct moat_console_args)

#endif /* MOAT_IOCTL_H */
