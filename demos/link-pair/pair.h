/* SPDX-License-Identifier: MIT */
/*
 * Link "pair" (cells/qemu-virt-link-pair): Linux (peer 0) steers two bare-metal cells, ping
 * (peer 1) and pong (peer 2), that talk to each other over the link. Shared by demos/link-pair
 * (both cells run it) and tests/link-pair (Linux's end). Linux writes a command into its own
 * section (the cells only read it) and rings the cell; the cell does it, writes its result into
 * the shared section and rings Linux.
 */
#ifndef MOAT_LINK_PAIR_H
#define MOAT_LINK_PAIR_H

#include <moat/link_queue.h>

/* The shared section (128 KiB, every peer writes it). */
#define PAIR_SHARED_SIZE 0x20000u
#define PAIR_Q_PING_TO_PONG 0x0000u
#define PAIR_Q_PONG_TO_PING 0x8000u
#define PAIR_BULK_PING_TO_PONG 0x10000u /* 4 KiB messages travel here; the queue says so */
#define PAIR_BULK_PONG_TO_PING 0x11000u
#define PAIR_BULK_MAX 0x1000u
#define PAIR_RESULT(peer) (0x1f000u + (peer) * 0x400u)
/* Linux's section (4 KiB, the cells read it): one command slot per peer. */
#define PAIR_CMD(peer) ((peer) * 0x100u)

#define PAIR_LINUX 0u
#define PAIR_PING 1u
#define PAIR_PONG 2u

enum pair_cmd {
	PAIR_CMD_ROUNDTRIP = 1, /* ping: arg0 round trips of arg1 bytes with pong, contents checked */
	PAIR_CMD_STORM = 2,     /* ping: ring pong flat out for arg0 ms (hostile), arg1 us apart */
	PAIR_CMD_DEADLINES = 3, /* pong: a job every arg1 us for arg0 ms, each checked against its
				   deadline (arg1 / 4 after it is due), doorbells taken meanwhile */
	PAIR_CMD_RING_STRANGER = 4, /* either: ring peer 7 and itself: refused */
	PAIR_CMD_WRITE_LINUX = 5,   /* either: write Linux's section (read-only here): fails */
};

struct pair_command {
	moat_u32 seq; /* written last: a new command */
	moat_u32 cmd;
	moat_u32 arg0;
	moat_u32 arg1;
};

struct pair_result {
	moat_u32 seq; /* the command's seq, written last */
	moat_u32 status; /* 0: done */
	moat_u64 v[14];  /* per command, below */
};

/* v[] of ROUNDTRIP */
#define PAIR_RT_DONE 0
#define PAIR_RT_MISMATCHED 1
#define PAIR_RT_LOST 2
#define PAIR_RT_TOTAL_TICKS 3
#define PAIR_RT_MIN_TICKS 4
#define PAIR_RT_MAX_TICKS 5
#define PAIR_FREQ 6 /* every result: the counter's frequency */
/* v[] of STORM */
#define PAIR_ST_RINGS 0
#define PAIR_ST_OK 1
#define PAIR_ST_THROTTLED 2
#define PAIR_ST_TICKS 3
/* v[] of DEADLINES */
#define PAIR_DL_JOBS 0
#define PAIR_DL_MISSED 1
#define PAIR_DL_MAX_LATE_TICKS 2
#define PAIR_DL_DOORBELLS 3
/* v[] of RING_STRANGER */
#define PAIR_RS_FAR 0
#define PAIR_RS_SELF 1

#endif
