// SPDX-License-Identifier: MIT
/*
 * moat-link-pair: Linux's end of link "pair" (cells/qemu-virt-link-pair) through
 * /dev/moat-link-pair (maps: 0 the shared section, 1 Linux's command section, 2 the doorbell
 * register page, 3 the state page). It steers the cells ping and pong (demos/link-pair, protocol
 * in demos/link-pair/pair.h): a command into our section, a doorbell to the cell, then wait for
 * the cell's doorbell and read its result from the shared section.
 *
 *   moat-link-pair roundtrip N SIZE  ping sends N messages of SIZE bytes (1..4096) to pong and
 *                                    checks what comes back; round trip min/avg/max
 *   moat-link-pair storm MS [GAP_US] pong runs a job every 1000 us for MS ms against deadlines
 *                                    while ping rings pong as fast as it can (or every GAP_US:
 *                                    a slower storm, to tell ping's exit rate from pong's load)
 *   moat-link-pair stranger CELL     CELL (ping|pong) rings peer 7 and itself
 *   moat-link-pair write-linux CELL  CELL writes our section, read-only to it: it fails, we are told
 *   moat-link-pair state             each peer's state from the state page
 *
 * Times are printed in ns of the cells' counter (guest instructions under -icount shift=0).
 * Exit status 0 when everything checked out.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <moat/link.h>

#include "pair.h"

#define DEV "/dev/moat-link-pair"

static int fd;
static volatile uint8_t *shared;
static volatile struct pair_command *commands;
static volatile uint32_t *regs;
static volatile struct moat_link_state *state;
static const char *const state_names[] = { "down", "up", "failed" };

static int open_link(void)
{
	long page = sysconf(_SC_PAGESIZE);

	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		printf("link-pair: cannot open %s: %s\n", DEV, strerror(errno));
		return -1;
	}
	shared = mmap(NULL, PAIR_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	commands = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
	regs = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * page);
	state = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 3 * page);
	if (shared == MAP_FAILED || commands == MAP_FAILED || regs == MAP_FAILED || state == MAP_FAILED) {
		printf("link-pair: cannot map the link: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static const char *peer_state(uint32_t p)
{
	uint32_t s = state->peer_state[p];
	return s < 3 ? state_names[s] : "?";
}

static uint32_t next_seq[3];

/* Give `peer` a command and ring it. */
static void command(uint32_t peer, uint32_t cmd, uint32_t arg0, uint32_t arg1)
{
	volatile struct pair_command *c = (volatile struct pair_command *)((volatile uint8_t *)commands + PAIR_CMD(peer));

	if (!next_seq[peer])
		next_seq[peer] = c->seq + 1;
	c->cmd = cmd;
	c->arg0 = arg0;
	c->arg1 = arg1;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	c->seq = next_seq[peer];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	regs[MOAT_LINK_REG_RING / 4] = peer; /* one store: one exit */
}

/* Wait (at most `ms` of wall time) for `peer`'s result of its last command; NULL if none came. */
static volatile struct pair_result *result(uint32_t peer, int ms)
{
	volatile struct pair_result *r = (volatile struct pair_result *)(shared + PAIR_RESULT(peer));
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec t0, t;
	uint32_t count;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (r->seq == next_seq[peer]) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			next_seq[peer]++;
			return r;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
			return NULL;
		if (poll(&p, 1, 100) == 1 && read(fd, &count, sizeof(count)) != sizeof(count))
			return NULL;
	}
}

static uint64_t ns(volatile struct pair_result *r, uint64_t ticks)
{
	uint64_t hz = r->v[PAIR_FREQ];

	return hz ? ticks / hz * 1000000000ull + ticks % hz * 1000000000ull / hz : 0;
}

static int roundtrip(uint32_t n, uint32_t size)
{
	volatile struct pair_result *r;
	uint64_t done;

	command(PAIR_PING, PAIR_CMD_ROUNDTRIP, n, size);
	r = result(PAIR_PING, 60000);
	if (!r) {
		printf("link-pair: no result from ping\n");
		return 1;
	}
	done = r->v[PAIR_RT_DONE];
	printf("link-pair: %llu round trips of %u bytes ping <-> pong, %llu mismatched, %llu lost\n",
	       (unsigned long long)done, size, (unsigned long long)r->v[PAIR_RT_MISMATCHED],
	       (unsigned long long)r->v[PAIR_RT_LOST]);
	if (done && done > r->v[PAIR_RT_MISMATCHED]) {
		uint64_t ok = done - r->v[PAIR_RT_MISMATCHED], total = ns(r, r->v[PAIR_RT_TOTAL_TICKS]);
		printf("link-pair: round trip ns min %llu avg %llu max %llu; %llu bytes/s each way\n",
		       (unsigned long long)ns(r, r->v[PAIR_RT_MIN_TICKS]), (unsigned long long)(total / ok),
		       (unsigned long long)ns(r, r->v[PAIR_RT_MAX_TICKS]),
		       (unsigned long long)(total ? ok * size * 1000000000ull / total : 0));
	}
	return done != n || r->v[PAIR_RT_MISMATCHED] || r->v[PAIR_RT_LOST];
}

static int storm(uint32_t ms, uint32_t gap_us)
{
	volatile struct pair_result *p, *q;

	command(PAIR_PONG, PAIR_CMD_DEADLINES, ms, 1000);
	command(PAIR_PING, PAIR_CMD_STORM, ms, gap_us);
	q = result(PAIR_PONG, 60000);
	p = result(PAIR_PING, 60000);
	if (!p || !q) {
		printf("link-pair: no result from %s\n", p ? "pong" : "ping");
		return 1;
	}
	printf("link-pair: storm: ping rang %llu times in %llu us: %llu ok, %llu throttled\n",
	       (unsigned long long)p->v[PAIR_ST_RINGS], (unsigned long long)ns(p, p->v[PAIR_ST_TICKS]) / 1000,
	       (unsigned long long)p->v[PAIR_ST_OK], (unsigned long long)p->v[PAIR_ST_THROTTLED]);
	printf("link-pair: storm: pong ran %llu jobs, %llu missed their deadline, latest start %llu ns after due; took %llu doorbells\n",
	       (unsigned long long)q->v[PAIR_DL_JOBS], (unsigned long long)q->v[PAIR_DL_MISSED],
	       (unsigned long long)ns(q, q->v[PAIR_DL_MAX_LATE_TICKS]), (unsigned long long)q->v[PAIR_DL_DOORBELLS]);
	return q->v[PAIR_DL_MISSED] != 0 || q->v[PAIR_DL_JOBS] == 0;
}

static uint32_t cell_of(const char *name)
{
	return !strcmp(name, "ping") ? PAIR_PING : !strcmp(name, "pong") ? PAIR_PONG : 0;
}

static int stranger(uint32_t peer)
{
	volatile struct pair_result *r;

	command(peer, PAIR_CMD_RING_STRANGER, 0, 0);
	r = result(peer, 10000);
	if (!r) {
		printf("link-pair: no answer\n");
		return 1;
	}
	printf("link-pair: %s rang peer 7: status %llu, itself: status %llu\n", peer == PAIR_PING ? "ping" : "pong",
	       (unsigned long long)r->v[PAIR_RS_FAR], (unsigned long long)r->v[PAIR_RS_SELF]);
	return r->v[PAIR_RS_FAR] != MOAT_LINK_RING_NOT_PEER || r->v[PAIR_RS_SELF] != MOAT_LINK_RING_NOT_PEER;
}

static int write_linux(uint32_t peer)
{
	uint32_t count;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int i;

	command(peer, PAIR_CMD_WRITE_LINUX, 0, 0);
	/* The hypervisor rings us when the peer's state changes. */
	for (i = 0; i < 100 && state->peer_state[peer] != MOAT_LINK_PEER_FAILED; i++)
		if (poll(&p, 1, 100) == 1 && read(fd, &count, sizeof(count)) != sizeof(count))
			break;
	printf("link-pair: after its write to our section, %s is %s\n", peer == PAIR_PING ? "ping" : "pong",
	       peer_state(peer));
	return state->peer_state[peer] != MOAT_LINK_PEER_FAILED;
}

int main(int argc, char **argv)
{
	if (argc < 2 || open_link())
		return 2;
	if (!strcmp(argv[1], "roundtrip") && argc == 4)
		return roundtrip((uint32_t)strtoul(argv[2], NULL, 0), (uint32_t)strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "storm") && (argc == 3 || argc == 4))
		return storm((uint32_t)strtoul(argv[2], NULL, 0), argc == 4 ? (uint32_t)strtoul(argv[3], NULL, 0) : 0);
	if (!strcmp(argv[1], "stranger") && argc == 3 && cell_of(argv[2]))
		return stranger(cell_of(argv[2]));
	if (!strcmp(argv[1], "write-linux") && argc == 3 && cell_of(argv[2]))
		return write_linux(cell_of(argv[2]));
	if (!strcmp(argv[1], "state")) {
		printf("link-pair: linux %s, ping %s, pong %s\n", peer_state(0), peer_state(1), peer_state(2));
		return 0;
	}
	printf("usage: moat-link-pair roundtrip N SIZE | storm MS [GAP_US] | stranger ping|pong | write-linux ping|pong | state\n");
	return 2;
}
