/* SPDX-License-Identifier: MIT */
/*
 * moat-link: shared memory and doorbells between cells, the root cell included (docs/binding.md,
 * "Links"). Three things share this header:
 *
 *  - struct moat_cell_link, one endpoint of a link in a cell descriptor (struct moat_cell_links
 *    at the end of struct moat_cell_desc, include/moat/cell.h): written by moat-cellc, checked by
 *    moat_cell_validate() and, against the other peers, by the hypervisor;
 *  - the doorbell register page the hypervisor traps at regs_ipa: one 32-bit store of a peer's
 *    index to MOAT_LINK_REG_RING rings that peer (one exit at the sender; the hypervisor sets the
 *    receiver's doorbell SPI pending in the distributor);
 *  - the state page at regs_ipa + MOAT_LINK_STATE_OFFSET, mapped read-only: the hypervisor keeps
 *    each peer's state there, so a peer learns it without an exit.
 *
 * Every layout change here bumps MOAT_ABI_VERSION (abi.h).
 */
#ifndef MOAT_LINK_H
#define MOAT_LINK_H

#include "abi.h"

#define MOAT_LINK_NAME_LEN 32       /* bytes of a link's name and of each peer's cell name */
#define MOAT_LINK_MAX_PEERS 4       /* cells on one link, the root cell included */
#define MOAT_LINK_MAX_SECTIONS 4    /* shared-memory sections of one link */
#define MOAT_CELL_MAX_LINKS 4       /* links one cell takes part in */

/* moat_link_section.owner: every peer may read and write the section. Otherwise the index of
 * the one peer that may write it; the others only read it. */
#define MOAT_LINK_OWNER_ALL MOAT_U(0xffffffff)

/* Doorbell register page (4 KiB at regs_ipa, trapped: every access is one exit). */
#define MOAT_LINK_REG_RING 0x000    /* W, 32 bits: index of the peer to ring */
#define MOAT_LINK_REG_STATUS 0x004  /* R: MOAT_LINK_RING_* of this endpoint's last ring */
#define MOAT_LINK_REG_SELF 0x008    /* R: this cell's index among the peers */
#define MOAT_LINK_REG_PEERS 0x00c   /* R: number of peers */
#define MOAT_LINK_RING_OK 0         /* the peer's doorbell is pending */
#define MOAT_LINK_RING_NOT_PEER 1   /* no such peer (index out of range, or oneself): refused */
#define MOAT_LINK_RING_PEER_DOWN 2  /* the peer is not there (no cell of that name with this
				       link, or it no longer owns its doorbell): refused */
#define MOAT_LINK_RING_NONE 3       /* nothing rung yet */
#define MOAT_LINK_RING_THROTTLED 4  /* this endpoint set more doorbells pending in the last
				       millisecond than the hypervisor's budget allows: not rung;
				       ring again later (a ring to a peer whose doorbell is still
				       pending is free and answers MOAT_LINK_RING_OK) */

/* State page, read-only, at regs_ipa + MOAT_LINK_STATE_OFFSET. */
#define MOAT_LINK_STATE_OFFSET MOAT_ULL(0x1000)
#define MOAT_LINK_REGS_SIZE MOAT_ULL(0x2000) /* register page + state page */
#define MOAT_LINK_PEER_DOWN 0   /* no cell of that name, or created but not started, or shut down */
#define MOAT_LINK_PEER_UP 1     /* running (the root cell always is) */
#define MOAT_LINK_PEER_FAILED 2 /* did something the hypervisor cannot allow; parked */

#ifndef __ASSEMBLER__

/* One shared-memory section of a link, as this cell sees it. The descriptor also maps it as
 * one of its mem_regions (phys_start, virt_start, size equal; SHARED; READ, and WRITE exactly
 * when owner is MOAT_LINK_OWNER_ALL or this cell's index). */
struct moat_link_section {
	moat_u64 phys;      /* physical base, page aligned */
	moat_u64 ipa;       /* where this cell sees it; the root cell: phys */
	moat_u64 size;      /* bytes, a multiple of 4 KiB */
	moat_u32 owner;     /* peer index that may write it, or MOAT_LINK_OWNER_ALL */
	moat_u32 reserved0; /* zero */
};
MOAT_STATIC_ASSERT(sizeof(struct moat_link_section) == 32, "link section layout changed");

/* One endpoint: this cell's view of one link. */
struct moat_cell_link {
	char name[MOAT_LINK_NAME_LEN]; /* the link's name, [A-Za-z0-9._-], NUL padded */
	moat_u32 self;           /* this cell's index among peers[] */
	moat_u32 num_peers;      /* 2..MOAT_LINK_MAX_PEERS */
	moat_u32 doorbell_intid; /* the SPI this cell's doorbell raises; the cell owns it */
	moat_u32 num_sections;   /* 1..MOAT_LINK_MAX_SECTIONS */
	moat_u64 regs_ipa;       /* the doorbell register page, then the state page (IPA) */
	char peers[MOAT_LINK_MAX_PEERS][MOAT_LINK_NAME_LEN]; /* cell names in peer order;
								  peers[self] is this cell */
	struct moat_link_section sections[MOAT_LINK_MAX_SECTIONS];
};
MOAT_STATIC_ASSERT(sizeof(struct moat_cell_link) == 312, "link endpoint layout changed");

struct moat_cell_links {
	moat_u32 num_links;  /* used entries of link[], 0..MOAT_CELL_MAX_LINKS */
	moat_u32 reserved0;  /* zero */
	struct moat_cell_link link[MOAT_CELL_MAX_LINKS]; /* unused entries are all zero */
};
MOAT_STATIC_ASSERT(sizeof(struct moat_cell_links) == 1256, "links block layout changed");

/* The state page: what the hypervisor tells every peer. generation grows by one at each change
 * (read it before and after the states for a consistent picture). */
struct moat_link_state {
	moat_u32 generation;
	moat_u32 num_peers;
	moat_u32 peer_state[MOAT_LINK_MAX_PEERS]; /* MOAT_LINK_PEER_* */
};
MOAT_STATIC_ASSERT(sizeof(struct moat_link_state) == 24, "link state layout changed");

#endif /* !__ASSEMBLER__ */
#endif /* MOAT_LINK_H */
