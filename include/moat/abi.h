/* SPDX-License-Identifier: MIT */
/*
 * moat ABI: the contract between the hypervisor image, the Linux driver and the host tools.
 *
 * Everything here is plain C with fixed-width types so that the same bytes mean the same thing
 * to the freestanding C++ hypervisor, the C kernel module and the C++ user-space tools.
 * Bump MOAT_ABI_VERSION whenever a layout or a number below changes meaning.
 */
#ifndef MOAT_ABI_H
#define MOAT_ABI_H

#ifdef __ASSEMBLER__
#define MOAT_ULL(x) x
#define MOAT_U(x) x
#else
#define MOAT_ULL(x) x##ull
#define MOAT_U(x) x##u
#endif

#ifndef __ASSEMBLER__
#ifdef __KERNEL__
#include <linux/types.h>
typedef __u8 moat_u8;
typedef __u32 moat_u32;
typedef __u64 moat_u64;
#else
#include <stdint.h>
typedef uint8_t moat_u8;
typedef uint32_t moat_u32;
typedef uint64_t moat_u64;
#endif

#ifdef __cplusplus
#define MOAT_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define MOAT_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif
#endif /* !__ASSEMBLER__ */

/* Major in the upper 16 bits, minor in the lower 16 bits. Minor bumps stay compatible.
 * 2.0: a cell descriptor holds 64 memory regions; MOAT_HC_CELL_SHUTDOWN takes flags and may
 * answer PENDING (cooperative shutdown, MOAT_HC_SHUTDOWN_NOTIFY/REPLY); MOAT_CELL_SHUTDOWN and
 * MOAT_CELL_DESTROY take struct moat_cell_stop_args.
 * 3.0: a cell descriptor ends with its link endpoints (struct moat_cell_links, link.h), 3736
 * bytes; the doorbell register and state pages of a link (link.h); MOAT_CELL_FLAG_DIRECT_IRQ in
 * a cell descriptor; struct moat_cell_status (MOAT_CELL_LIST) ends with the cell's flags.
 * 3.1: console type MOAT_CELL_CONSOLE_RING (cell.h): a console ring page per cell
 * (cell_ring.h), its IPA in x0 of the cell's first CPU at entry; MOAT_HC_CONSOLE_INFO also
 * answers where the cells' rings are (x3).
 * 3.2: a ring may answer MOAT_LINK_RING_THROTTLED (link.h: the doorbell budget).
 * 3.3: MOAT_CELL_FLAG_LINUX in a cell descriptor (cell.h: a Linux cell's debug and PMU
 * registers read as zero and ignore writes instead of failing the cell); counter
 * MOAT_EXIT_IRQ_HELD (struct moat_stats gains its column). */
#define MOAT_ABI_MAJOR MOAT_U(3)
#define MOAT_ABI_MINOR MOAT_U(3)
#define MOAT_ABI_VERSION ((MOAT_ABI_MAJOR << 16) | MOAT_ABI_MINOR)
#define MOAT_ABI_VERSION_MAJOR(v) (((v) >> 16) & 0xffff)
#define MOAT_ABI_VERSION_MINOR(v) ((v) & 0xffff)

/* Highest number of CPUs the hypervisor manages (per-CPU stacks and data are static). */
#define MOAT_MAX_CPUS 8

/* ------------------------------------------------------------------------------------------
 * Hypervisor image: a flat binary that starts with this header, linked position-independent.
 * ------------------------------------------------------------------------------------------ */
#define MOAT_IMAGE_MAGIC MOAT_ULL(0x3130564854414f4d) /* "MOATHV01" little-endian */

#define MOAT_CONSOLE_NONE 0
#define MOAT_CONSOLE_PL011 1

#ifndef __ASSEMBLER__
struct moat_image_header {
	/* Written by the build: the assembler fills these in (arch/arm64/head.S, hv.ld). */
	moat_u64 magic;        /* MOAT_IMAGE_MAGIC */
	moat_u32 abi_version;  /* MOAT_ABI_VERSION the image was built for */
	moat_u32 header_size;  /* sizeof(struct moat_image_header) */
	moat_u64 entry_offset; /* EL2 entry point, bytes from the image start */
	moat_u64 image_size;   /* bytes of the flat binary (text and data) */
	moat_u64 memory_size;  /* bytes the image needs at run time (image + bss + stacks) */
	moat_u32 max_cpus;     /* MOAT_MAX_CPUS of the build */
	moat_u32 reserved0;

	/* Filled by the driver in its copy of the image, before the first entry. */
	moat_u64 mem_base;     /* physical base of the memory reserved for the hypervisor */
	moat_u64 mem_size;     /* its size; what follows the image and the root descriptor is
				  the page pool */
	moat_u64 root_desc_offset; /* the root cell descriptor (include/moat/cell.h), bytes from
				      mem_base, page aligned, after memory_size */
	moat_u64 root_desc_size;
	moat_u32 num_cpus;     /* CPUs the driver will enter (logical ids 0..num_cpus-1) */
	moat_u32 reserved1;
	moat_u64 cpu_mpidr[MOAT_MAX_CPUS]; /* MPIDR_EL1 affinity of each logical CPU */

	/* Written by the hypervisor when an entry fails: why, as one NUL-terminated line. */
	char error[104];
};
MOAT_STATIC_ASSERT(sizeof(struct moat_image_header) == 256, "image header layout changed");
#endif
#define MOAT_IMAGE_HEADER_SIZE 256

/* ------------------------------------------------------------------------------------------
 * Entering the hypervisor. The driver uses the kernel hyp-stub's documented HVC_SOFT_RESTART
 * call (Documentation/virt/kvm/arm/hyp-abi.rst): "hvc #0" with x0 = 1, x1 = physical entry
 * address, x2..x4 = arguments; the stub jumps there at EL2 with the MMU off, x0 = x2, x1 = x3,
 * x2 = x4, and leaves ELR_EL2/SPSR_EL2 pointing back at the caller and VBAR_EL2 at its own
 * vectors, which the hypervisor saves and restores on disable.
 * ------------------------------------------------------------------------------------------ */
#define MOAT_ENTRY_MAGIC MOAT_ULL(0x4d4f415445525452) /* "MOATERTR" */
#define MOAT_ENTRY_FIRST_CPU (MOAT_ULL(1) << 0)      /* this entry also does the global set-up */

/* Values the entry returns in x0 (0 = success). */
#define MOAT_ENTRY_OK 0
#define MOAT_ENTRY_EBADMAGIC 1  /* the entry was called without MOAT_ENTRY_MAGIC */
#define MOAT_ENTRY_EBADCPU 2    /* logical CPU id out of range */
#define MOAT_ENTRY_ENOTFIRST 3  /* a secondary CPU entered before the global set-up */
#define MOAT_ENTRY_EAGAIN 4     /* this CPU is already running the hypervisor */
#define MOAT_ENTRY_ENOMEM 5     /* page tables do not fit the reserved memory */
#define MOAT_ENTRY_EHEADER 6    /* the driver-filled header fields are inconsistent */
#define MOAT_ENTRY_EDESC 7      /* the root cell descriptor was rejected (see header error) */

/* ------------------------------------------------------------------------------------------
 * Hypercalls: SMCCC fast calls, SMC64 convention, owner 6 (vendor-specific hypervisor service),
 * issued with "hvc #0". Results in x0 (MOAT_HC_* status) and x1..x3.
 * ------------------------------------------------------------------------------------------ */
#define MOAT_SMCCC_FAST (MOAT_U(1) << 31)
#define MOAT_SMCCC_64 (MOAT_U(1) << 30)
#define MOAT_SMCCC_OWNER_SHIFT 24
#define MOAT_SMCCC_OWNER_VENDOR_HYP MOAT_U(6)
#define MOAT_HC(n) (MOAT_SMCCC_FAST | MOAT_SMCCC_64 | \
		    (MOAT_SMCCC_OWNER_VENDOR_HYP << MOAT_SMCCC_OWNER_SHIFT) | (n))

#define MOAT_HC_GET_INFO MOAT_HC(1) /* -> x1 = ABI version, x2 = CPUs in the hypervisor,
				       x3 = bytes of reserved memory in use; to a cell other
				       than the root: x2 = its own CPUs, x3 = 0 */
#define MOAT_HC_DISABLE MOAT_HC(2)  /* leave EL2 on the calling CPU, restore the hyp-stub;
				       DENIED while any cell other than the root exists */
#define MOAT_HC_CPU_INFO MOAT_HC(3) /* -> x1 = logical CPU id, x2 = CurrentEL seen at EL2,
				       x3 = hypercalls handled on this CPU */
#define MOAT_HC_CONSOLE_PUTC MOAT_HC(4) /* x1 = character: the caller's console output */
#define MOAT_HC_GET_STATS MOAT_HC(5)    /* x1 = logical CPU, x2 = MOAT_EXIT_* -> x1 = count */
#define MOAT_HC_CONSOLE_WRITE MOAT_HC(6) /* x1 = length (1..MOAT_CONSOLE_WRITE_MAX), x2..x6 = the
					    bytes, little-endian: one exit for up to 40 chars */
#define MOAT_CONSOLE_WRITE_MAX 40
#define MOAT_HC_CONSOLE_INFO MOAT_HC(7)  /* root only -> x1 = physical address of the console
					    ring (struct moat_console_ring), x2 = its size; x3 =
					    physical address of the cells' console rings
					    (struct moat_cell_ring, cell_ring.h), MOAT_MAX_CELLS
					    pages, the one of cell id i at x3 + i * 4096; the
					    root cell may read them all, never write them */
/*
 * Cooperative shutdown, from an isolated cell. A cell that calls MOAT_HC_SHUTDOWN_NOTIFY is asked
 * before it is stopped: `moat cell shutdown|destroy` sends it the SGI it named, and it answers
 * with MOAT_HC_SHUTDOWN_REPLY. Approving stops the cell's CPUs there and then (the call does not
 * return); refusing makes the root's request fail with "refused". A cell that never registered,
 * and any cell with MOAT_SHUTDOWN_FORCE, is stopped without asking.
 */
#define MOAT_HC_SHUTDOWN_NOTIFY MOAT_HC(8) /* x1 = SGI INTID (0..14) the cell has enabled */
#define MOAT_HC_SHUTDOWN_REPLY MOAT_HC(9)  /* x1 = MOAT_SHUTDOWN_APPROVE or MOAT_SHUTDOWN_REFUSE;
					      INVALID if no request is pending */
#define MOAT_SHUTDOWN_APPROVE 1
#define MOAT_SHUTDOWN_REFUSE 2
/*
 * Cell management, from the root cell only. Every call takes in x_last the IPA of a 256-byte
 * buffer in the root's RAM where the hypervisor explains a refusal in words.
 */
#define MOAT_HC_CELL_CREATE MOAT_HC(16)   /* x1 = IPA of the descriptor (within one page), x2 = its
					     size, x3 = error buffer -> x1 = cell id */
#define MOAT_HC_CELL_LOAD MOAT_HC(17)     /* x1 = cell id, x2 = root IPA of the bytes (within one
					     page), x3 = cell IPA to copy to, x4 = size, x5 = error buffer */
#define MOAT_HC_CELL_START MOAT_HC(18)    /* x1 = cell id, x2 = error buffer */
#define MOAT_HC_CELL_SHUTDOWN MOAT_HC(19) /* x1 = cell id, x2 = MOAT_SHUTDOWN_FORCE or 0, x3 =
					     error buffer: stops its CPUs; a cooperative cell is
					     asked first: PENDING until it answers (call again),
					     DENIED when it refused */
#define MOAT_SHUTDOWN_FORCE 1
#define MOAT_HC_CELL_DESTROY MOAT_HC(20)  /* x1 = cell id, x2 = error buffer: memory zeroed and
					     given back, CPUs and IRQs return to the root;
					     PENDING while a stopped cell's CPUs are still on
					     their way or powering off (call again) */
#define MOAT_HC_CELL_STATE MOAT_HC(21)    /* x1 = cell id -> x1 = MOAT_CELL_STATE_*, x2 = mask of
					     logical CPUs, x3 = CPUs powered on */
#define MOAT_HC_ERROR_LEN 256
/* Which register (1 = x1) of a cell call holds its error buffer, 0 for none: one place for the
 * hypervisor and the driver. */
#define MOAT_HC_ERROR_ARG(fn) \
	((fn) == MOAT_HC_CELL_CREATE ? 3 : (fn) == MOAT_HC_CELL_LOAD ? 5 : \
	 (fn) == MOAT_HC_CELL_START ? 2 : (fn) == MOAT_HC_CELL_SHUTDOWN ? 3 : \
	 (fn) == MOAT_HC_CELL_DESTROY ? 2 : 0)

/* Cell slots, the root cell's included. */
#define MOAT_MAX_CELLS 8

#define MOAT_CELL_STATE_FREE 0
#define MOAT_CELL_STATE_STOPPED 1  /* created (or loaded), not started */
#define MOAT_CELL_STATE_RUNNING 2
#define MOAT_CELL_STATE_SHUT_DOWN 3
#define MOAT_CELL_STATE_FAILED 4   /* did something the hypervisor cannot allow; CPUs parked */
#define MOAT_CELL_STATES 5
/* Their names, in this order, as `moat cell list` and /sys/devices/moat show them. */
#define MOAT_CELL_STATE_NAMES { "free", "created", "running", "shut down", "failed" }

/* Why a CPU left its cell for the hypervisor: the counters of MOAT_HC_GET_STATS. */
#define MOAT_EXIT_HYPERCALL 0    /* hvc from the cell */
#define MOAT_EXIT_ABORT_DENIED 1 /* stage-2 fault on memory the cell does not own: abort injected
				    into the root cell, an isolated cell fails */
#define MOAT_EXIT_MMIO 2         /* emulated access to a trapped device (GIC distributor) */
#define MOAT_EXIT_IRQ 3          /* physical interrupt taken at EL2 and injected */
#define MOAT_EXIT_SGI 4          /* software-generated interrupt request (ICC_SGI1R_EL1) */
#define MOAT_EXIT_PSCI 5         /* PSCI call (trapped SMC) */
#define MOAT_EXIT_SMC_OTHER 6    /* any other SMC: refused */
#define MOAT_EXIT_CACHE_SETWAY 7 /* set/way cache maintenance, done safely at EL2 */
#define MOAT_EXIT_MAINTENANCE 8  /* GIC maintenance interrupt */
#define MOAT_EXIT_OTHER 9        /* anything else */
#define MOAT_EXIT_IRQ_HELD 10    /* not an exit of its own: of the irq ones, interrupts whose INTID
				    was still in a list register (or already waiting), held at EL2
				    until that one ended (a physical end of interrupt by someone
				    else, e.g. a direct-mode cell, let it come again) */
#define MOAT_EXIT_REASONS 11
/* Their names, in this order, as `moat stats` and /sys/devices/moat show them. */
#define MOAT_EXIT_REASON_NAMES { "hypercall", "abort_denied", "mmio", "irq", "sgi", "psci", \
		"smc_other", "cache_setway", "maintenance", "other", "irq_held" }

#ifndef __ASSEMBLER__
/* The hypervisor's console output (its own lines and the cells'), kept for `moat console`. */
#define MOAT_CONSOLE_RING_SIZE 16384
struct moat_console_ring {
	moat_u64 written; /* bytes written since enable; the last min(written, size) are in buf */
	moat_u64 reserved;
	char buf[MOAT_CONSOLE_RING_SIZE - 16];
};
MOAT_STATIC_ASSERT(sizeof(struct moat_console_ring) == MOAT_CONSOLE_RING_SIZE, "console ring layout changed");
#endif

/* Hypercall status in x0, SMCCC style. */
#define MOAT_HC_OK 0
#define MOAT_HC_NOT_SUPPORTED (-1)
#define MOAT_HC_INVALID (-2)
#define MOAT_HC_DENIED (-3)
#define MOAT_HC_PENDING 1 /* asked, no answer yet: call again */

#endif /* MOAT_ABI_H */
