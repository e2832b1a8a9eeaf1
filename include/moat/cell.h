/* SPDX-License-Identifier: MIT */
/*
 * moat cell descriptor: the binary form of one cell, written by moat-cellc from a device-tree
 * overlay (docs/binding.md) and checked by moat_cell_validate() (lib/cell_validate.cpp) before
 * the driver or the hypervisor trusts a single field of it.
 *
 * One fixed-size little-endian record, no pointers, every array with a fixed capacity and a
 * count; unused entries and all reserved fields are zero. The same bytes mean the same thing to
 * the C kernel module, the freestanding C++ hypervisor and the host C++ tools.
 */
#ifndef MOAT_CELL_H
#define MOAT_CELL_H

#include "abi.h"
#include "link.h"

/* "MOATCELL" read as a little-endian u64. */
#define MOAT_CELL_MAGIC MOAT_ULL(0x4c4c454354414f4d)

#define MOAT_CELL_NAME_LEN 32       /* bytes of name[], including at least one NUL */
#define MOAT_CELL_MAX_CPUS MOAT_MAX_CPUS
#define MOAT_CELL_MAX_MEM_REGIONS 64
/* IRQs are a bitmap over GIC INTIDs 0..1023: SPI n is INTID 32 + n. Only SPIs (32..1019) may be
 * set; SGIs and PPIs are per CPU and virtualised by the hypervisor. A bitmap instead of a list
 * lets the root cell own every SPI no other cell takes, without a count limit. */
#define MOAT_CELL_IRQ_BITS 1024
#define MOAT_CELL_IRQ_WORDS (MOAT_CELL_IRQ_BITS / 32)
#define MOAT_CELL_FIRST_SPI 32      /* lowest INTID a cell may own */
#define MOAT_CELL_LAST_SPI 1019     /* highest SPI INTID the GIC architecture allows */
/* The MPIDR_EL1 affinity fields (Aff3 [39:32], Aff2..Aff0 [23:0]): all a cpu_mpidr[] entry may hold */
#define MOAT_MPIDR_AFFINITY_MASK MOAT_ULL(0xff00ffffff)

#define MOAT_CELL_PAGE_SIZE MOAT_ULL(0x1000) /* stage-2 granule: every region is page aligned */

/* moat_cell_desc.flags */
#define MOAT_CELL_FLAG_ROOT (MOAT_U(1) << 0) /* the root cell (Linux); platform block is valid */
/* The cell's CPUs take their physical interrupts at EL1, without the hypervisor ("moat,irq-delivery
 * = \"direct\"", docs/binding.md); not for the root cell. Since ABI 3.0. */
#define MOAT_CELL_FLAG_DIRECT_IRQ (MOAT_U(1) << 1)
/* The cell runs Linux ("moat,os = \"linux\"", docs/linux-cell.md): the debug, OS lock and PMU
 * registers its kernel touches at boot read as zero and ignore writes; a bare-metal cell fails on
 * them. Not for the root cell. Since ABI 3.3. */
#define MOAT_CELL_FLAG_LINUX (MOAT_U(1) << 2)
#define MOAT_CELL_FLAGS_KNOWN (MOAT_CELL_FLAG_ROOT | MOAT_CELL_FLAG_DIRECT_IRQ | MOAT_CELL_FLAG_LINUX)

/* moat_cell_mem_region.flags */
#define MOAT_CELL_MEM_READ (MOAT_U(1) << 0)
#define MOAT_CELL_MEM_WRITE (MOAT_U(1) << 1)
#define MOAT_CELL_MEM_EXEC (MOAT_U(1) << 2)
#define MOAT_CELL_MEM_DMA (MOAT_U(1) << 3)         /* the cell's devices may DMA into it */
#define MOAT_CELL_MEM_IO (MOAT_U(1) << 4)          /* device registers: mapped Device-nGnRE */
#define MOAT_CELL_MEM_LOADABLE (MOAT_U(1) << 5)    /* root may write an image here before start */
#define MOAT_CELL_MEM_SHARED (MOAT_U(1) << 6)      /* inter-cell shared memory, may be in >1 cell */
#define MOAT_CELL_MEM_ROOT_SHARED (MOAT_U(1) << 7) /* root keeps this region while the cell runs */
/* Root descriptor only: RAM kept from the root for other cells (a "moat,cell-pool" region). Not
 * mapped in the root cell; the hypervisor lets a cell's RAM come from here or from the root's. */
#define MOAT_CELL_MEM_CELL_POOL (MOAT_U(1) << 8)
#define MOAT_CELL_MEM_FLAGS_KNOWN MOAT_U(0x1ff)

/* moat_cell_console.type; NONE and PL011 keep the numbers of MOAT_CONSOLE_* in abi.h. */
#define MOAT_CELL_CONSOLE_NONE MOAT_CONSOLE_NONE
#define MOAT_CELL_CONSOLE_PL011 MOAT_CONSOLE_PL011
#define MOAT_CELL_CONSOLE_HYPERCALL 2 /* output through MOAT_HC_CONSOLE_PUTC, base is 0 */
/* A console ring page (cell_ring.h) mapped at IPA base, which no region of the cell may cover;
 * the hypercall console works too (early boot). The cell's first CPU enters with x0 = base.
 * Not for the root cell. Since ABI 3.1. */
#define MOAT_CELL_CONSOLE_RING 3

/* moat_cell_platform.psci_method */
#define MOAT_CELL_PSCI_SMC 1
#define MOAT_CELL_PSCI_HVC 2

/* GICv3 redistributor frames per CPU: RD_base + SGI_base, 64 KiB each. */
#define MOAT_CELL_GICR_STRIDE_V3 MOAT_ULL(0x20000)
/* ... plus VLPI_base + reserved frame on GICv4. */
#define MOAT_CELL_GICR_STRIDE_V4 MOAT_ULL(0x40000)

#ifndef __ASSEMBLER__

/* One stage-2 mapping: [phys_start, phys_start + size) appears at [virt_start, ...) in the
 * cell. All three are multiples of MOAT_CELL_PAGE_SIZE; size is not zero; neither end wraps. */
struct moat_cell_mem_region {
	moat_u64 phys_start; /* physical address */
	moat_u64 virt_start; /* intermediate physical address (IPA) the cell sees */
	moat_u64 size;       /* bytes */
	moat_u32 flags;      /* MOAT_CELL_MEM_* */
	moat_u32 reserved0;  /* zero */
};
MOAT_STATIC_ASSERT(sizeof(struct moat_cell_mem_region) == 32, "mem region layout changed");

/* A console: PL011 at IPA `base` (inside one of the cell's IO regions), a hypercall console,
 * or none. */
struct moat_cell_console {
	moat_u32 type;      /* MOAT_CELL_CONSOLE_* */
	moat_u32 reserved0; /* zero */
	moat_u64 base;      /* PL011: register base (IPA for a cell, physical in the platform block);
			       otherwise 0 */
};
MOAT_STATIC_ASSERT(sizeof(struct moat_cell_console) == 16, "console layout changed");

/* What the hypervisor needs to know about the board; taken from the board tree by moat-cellc.
 * Valid only in the root cell's descriptor (MOAT_CELL_FLAG_ROOT); all zero in other cells.
 * Addresses are physical. IRQ numbers are GIC INTIDs (PPI n is INTID 16 + n). */
struct moat_cell_platform {
	moat_u32 gic_version; /* 2 or 3, from the GIC node's compatible */
	moat_u32 psci_method; /* MOAT_CELL_PSCI_*, from /psci "method" */
	moat_u64 gicd_base;   /* distributor: first reg entry of the GIC node */
	moat_u64 gicd_size;
	moat_u64 gicr_base;   /* v3: redistributor region (second reg entry); v2: 0 */
	moat_u64 gicr_size;
	moat_u64 gicr_stride; /* v3: bytes per CPU, "redistributor-stride" or 0x20000; v2: 0 */
	moat_u64 gicc_base;   /* v2: CPU interface (reg entry 2); v3: 0 */
	moat_u64 gicc_size;
	moat_u64 gich_base;   /* v2: virtual interface control (reg entry 3); v3: 0 */
	moat_u64 gich_size;
	moat_u64 gicv_base;   /* v2: virtual CPU interface (reg entry 4); v3: 0 */
	moat_u64 gicv_size;
	moat_u32 maint_irq;   /* GIC maintenance interrupt (PPI) from the GIC node's interrupts */
	/* Architected timer PPIs from /timer, in binding order. */
	moat_u32 timer_sec_phys_irq;
	moat_u32 timer_phys_irq;
	moat_u32 timer_virt_irq;
	moat_u32 timer_hyp_irq;
	moat_u32 reserved0;   /* zero */
	struct moat_cell_console debug_uart; /* from /chosen stdout-path; NONE if there is none */
	moat_u64 hv_base;     /* the "moat,hypervisor" reserved-memory region */
	moat_u64 hv_size;
};
MOAT_STATIC_ASSERT(sizeof(struct moat_cell_platform) == 152, "platform layout changed");

struct moat_cell_desc {
	moat_u64 magic;        /* MOAT_CELL_MAGIC */
	moat_u32 abi_version;  /* MOAT_ABI_VERSION the descriptor was written for */
	moat_u32 total_size;   /* bytes of the whole descriptor: sizeof(struct moat_cell_desc) */
	moat_u32 checksum;     /* moat_cell_checksum(): FNV-1a 32 over total_size bytes, this
				  field counted as zero */
	moat_u32 flags;        /* MOAT_CELL_FLAG_* */
	char name[MOAT_CELL_NAME_LEN]; /* [A-Za-z0-9._-], NUL padded, at least one NUL */
	moat_u32 num_cpus;     /* used entries of cpu_mpidr[], 1..MOAT_CELL_MAX_CPUS */
	moat_u32 num_mem_regions; /* used entries of mem_regions[], 1..MOAT_CELL_MAX_MEM_REGIONS */
	moat_u64 entry;        /* IPA the cell's first CPU starts at; 0 for the root cell */
	struct moat_cell_console console; /* the cell's console */
	moat_u64 cpu_mpidr[MOAT_CELL_MAX_CPUS]; /* MPIDR_EL1 affinity (Aff3..Aff0) of each CPU,
						   from the cpu node's reg; the first one boots */
	struct moat_cell_mem_region mem_regions[MOAT_CELL_MAX_MEM_REGIONS];
	moat_u32 irq_bitmap[MOAT_CELL_IRQ_WORDS]; /* bit (i % 32) of word i / 32: INTID i */
	struct moat_cell_platform platform;       /* root cell only */
	struct moat_cell_links links;             /* the links it takes part in (link.h) */
};
#define MOAT_CELL_DESC_SIZE 3736
MOAT_STATIC_ASSERT(sizeof(struct moat_cell_desc) == MOAT_CELL_DESC_SIZE, "cell descriptor layout changed");

#endif /* !__ASSEMBLER__ */
#endif /* MOAT_CELL_H */
