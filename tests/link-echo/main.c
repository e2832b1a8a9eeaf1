// SPDX-License-Identifier: MIT
/*
 * moat-link-echo: Linux's end of link "echo" (cells/qemu-virt-link), through the device moat.ko
 * makes of it, /dev/moat-link-echo, with UIO's conventions: map N at offset N * page size (the
 * sections: 0 shared, 1 ours, 2 the cell's; then 3 the doorbell register page, 4 the state
 * page), read() blocks for the
 * doorbell and returns the count, write() masks/unmasks or rings.
 *
 *   moat-link-echo echo N        N messages to the cell and back, contents checked, each one
 *                                doorbell there (a store to the register page) and one back
 *   moat-link-echo refusals      what the device refuses: a write mapping of the read-only
 *                                section, a mapping beyond a section, a ring to no peer
 *   moat-link-echo ask CMD       send CMD to the cell and print its answer (ring-stranger)
 *   moat-link-echo write-ro      ask the cell to write our read-only section; wait for the
 *                                doorbell that says the peer changed, print its state
 *   moat-link-echo read-other PHYS
 *                                fill link "other"'s section (/dev/moat-link-other, map 0; the
 *                                cell is no peer of that link) at physical address PHYS with a
 *                                secret; ask the cell to read our own section (it answers with
 *                                what we wrote there), then PHYS: the cell must fail without an
 *                                answer, Linux is told, and the secret is left as it was
 *                                (cells/qemu-virt-two-links)
 *   moat-link-echo quit          tell the cell to stop
 *   moat-link-echo state         print what the state page says about the cell
 *   moat-link-echo wait-change   block until the hypervisor rings to say the cell's state
 *                                changed (at most 20 s), then print it
 *   moat-link-echo stale         hold a mapping of every section with data in it while the
 *                                cell is destroyed (at most 20 s; the script touches
 *                                /tmp/stale-destroyed once destroy returned): what it reads afterwards
 *                                must be zeros (the hypervisor zeroes the sections when the
 *                                last cell peer goes; a mapping keeps nothing alive)
 *
 * Exit status 0 when everything checked out; each line says what was seen.
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
#include <moat/link_queue.h>

#define DEV "/dev/moat-link-echo"
#define TO_CELL 0x0
#define TO_LINUX 0x8000
#define SHARED_SIZE 0x10000
#define CELL_PEER 1
#define RING_WRITE 0x80000000u /* moat.ko: write() of this | peer rings it */

static int fd;
static long page;
static uint8_t *shared;
static volatile uint32_t *regs;
static volatile struct moat_link_state *state;

static void *map(unsigned int index, size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)index * page);
}

static int open_link(void)
{
	page = sysconf(_SC_PAGESIZE);
	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		printf("link-echo: cannot open %s: %s\n", DEV, strerror(errno));
		return -1;
	}
	shared = map(0, SHARED_SIZE, PROT_READ | PROT_WRITE);
	regs = map(3, page, PROT_READ | PROT_WRITE);
	state = map(4, page, PROT_READ);
	if (shared == MAP_FAILED || regs == MAP_FAILED || state == MAP_FAILED) {
		printf("link-echo: cannot map the link: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Wait for the next doorbell (read() returns the total count), at most `ms`. */
static int wait_doorbell(int ms, uint32_t *count)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return read(fd, count, sizeof(*count)) == sizeof(*count) ? 0 : -1;
}

/*
 * The doorbell the hypervisor rings when the peer's state changes. A doorbell of an earlier
 * answer may still be unread (receive() polls the queue and can find the message before its
 * doorbell is read), so doorbells that come with the generation unchanged are passed over, a
 * few at most, each waited for up to `ms`.
 */
static int wait_state_change(uint32_t gen, int ms, uint32_t *count)
{
	int tries;

	for (tries = 0; tries < 4; tries++) {
		if (wait_doorbell(ms, count))
			return -1;
		if (state->generation != gen)
			return 0;
	}
	return 0;
}

static void ring_cell(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	regs[MOAT_LINK_REG_RING / 4] = CELL_PEER; /* one store: one exit */
}

static int send(const char *msg, uint32_t len)
{
	if (moat_linkq_push((struct moat_linkq *)(shared + TO_CELL), msg, len)) {
		printf("link-echo: the queue to the cell is full\n");
		return -1;
	}
	ring_cell();
	return 0;
}

static int receive(char *buf, uint32_t cap, int ms)
{
	uint32_t count;
	int n;

	for (;;) {
		n = moat_linkq_pop((struct moat_linkq *)(shared + TO_LINUX), buf, cap);
		if (n >= 0)
			return n;
		if (wait_doorbell(ms, &count))
			return -1;
	}
}

static unsigned long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static int echo(unsigned int n)
{
	char msg[MOAT_LINKQ_MAX_MSG], back[MOAT_LINKQ_MAX_MSG];
	unsigned int i, bad = 0, lost = 0;
	unsigned long long lo = ~0ull, hi = 0, total = 0;

	printf("link-echo: peer %u of %u; the cell is %s\n", regs[MOAT_LINK_REG_SELF / 4],
	       regs[MOAT_LINK_REG_PEERS / 4],
	       state->peer_state[CELL_PEER] == MOAT_LINK_PEER_UP ? "up" : "not up");
	for (i = 0; i < n; i++) {
		/* Lengths from 1 to the largest message, contents from the index. */
		uint32_t len = 1 + (i * 37) % MOAT_LINKQ_MAX_MSG, k;
		int got;

		for (k = 0; k < len; k++)
			msg[k] = (char)('a' + (i + k) % 26);
		unsigned long long dt = now_ns();
		if (send(msg, len))
			return 1;
		got = receive(back, sizeof(back), 5000);
		dt = now_ns() - dt;
		if (got < 0) {
			lost++;
			break;
		}
		if ((uint32_t)got != len || memcmp(msg, back, len))
			bad++;
		total += dt;
		lo = dt < lo ? dt : lo;
		hi = dt > hi ? dt : hi;
	}
	printf("link-echo: %u round trips, %u mismatched, %u lost\n", i, bad, lost);
	if (i && !lost)
		printf("link-echo: round trip (Linux user space <-> cell) ns min %llu avg %llu max %llu\n", lo,
		       total / i, hi);
	return bad || lost;
}

static int refusals(void)
{
	int failures = 0;
	void *p;
	uint32_t v;

	p = map(2, page, PROT_READ | PROT_WRITE);
	printf("link-echo: writable map of the cell's section: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	failures += p != MAP_FAILED;
	p = map(2, page, PROT_READ);
	printf("link-echo: read-only map of the cell's section: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	failures += p == MAP_FAILED;
	p = map(1, page, PROT_READ | PROT_WRITE);
	printf("link-echo: writable map of our own section: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	failures += p == MAP_FAILED;
	p = map(0, 2 * SHARED_SIZE, PROT_READ | PROT_WRITE);
	printf("link-echo: map beyond the section: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	failures += p != MAP_FAILED;
	p = map(9, page, PROT_READ);
	printf("link-echo: map 9 (there are 5): %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	failures += p != MAP_FAILED;
	v = RING_WRITE | 5;
	printf("link-echo: ring peer 5 through write(): %s\n", write(fd, &v, 4) < 0 ? strerror(errno) : "rung");
	failures += regs[MOAT_LINK_REG_STATUS / 4] != MOAT_LINK_RING_NOT_PEER;
	v = RING_WRITE | 0;
	printf("link-echo: ring ourselves through write(): %s\n", write(fd, &v, 4) < 0 ? strerror(errno) : "rung");
	failures += regs[MOAT_LINK_REG_STATUS / 4] != MOAT_LINK_RING_NOT_PEER;
	printf("link-echo: refusals %s\n", failures ? "NOT all refused" : "all as expected");
	return failures != 0;
}

static int ask(const char *cmd)
{
	char back[MOAT_LINKQ_MAX_MSG + 1];
	int n;

	if (send(cmd, (uint32_t)strlen(cmd)))
		return 1;
	n = receive(back, MOAT_LINKQ_MAX_MSG, 5000);
	if (n < 0) {
		printf("link-echo: no answer to %s\n", cmd);
		return 1;
	}
	back[n] = 0;
	printf("link-echo: answer: %s\n", back);
	return 0;
}

static int write_ro(void)
{
	uint32_t gen = state->generation, count;

	if (send("write-ro", 8))
		return 1;
	/* The hypervisor rings us when the peer's state changes. */
	if (wait_doorbell(5000, &count)) {
		printf("link-echo: no doorbell after the cell's write\n");
		return 1;
	}
	printf("link-echo: doorbell %u; state generation %s; the cell is %s\n", count,
	       state->generation != gen ? "changed" : "unchanged",
	       state->peer_state[CELL_PEER] == MOAT_LINK_PEER_FAILED ? "failed" :
	       state->peer_state[CELL_PEER] == MOAT_LINK_PEER_UP ? "up" : "down");
	return state->peer_state[CELL_PEER] != MOAT_LINK_PEER_FAILED;
}

static const char *cell_state(void);

#define OTHER_DEV "/dev/moat-link-other"
#define OTHER_SIZE 0x10000
#define SECRET 0x0dd5ec2eu
#define OWN_MARK 0x600dcafeu
#define CELL_LINUX_OUT 0x50010000ul /* our section, where the cell sees it (echo.dtso) */

/* Words of the other link's section that no longer hold the secret. */
static unsigned int secret_lost(const volatile uint32_t *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < OTHER_SIZE / 4; i++)
		n += p[i] != SECRET;
	return n;
}

static int read_other(unsigned long phys)
{
	char msg[64], back[MOAT_LINKQ_MAX_MSG + 1], want[64];
	volatile uint32_t *other, *ours;
	uint32_t gen, count;
	unsigned int i;
	int ofd, n, failures = 0;

	ofd = open(OTHER_DEV, O_RDWR);
	if (ofd < 0) {
		printf("link-echo: cannot open %s: %s\n", OTHER_DEV, strerror(errno));
		return 1;
	}
	other = mmap(NULL, OTHER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, ofd, 0);
	ours = map(1, page, PROT_READ | PROT_WRITE);
	if (other == MAP_FAILED || ours == MAP_FAILED) {
		printf("link-echo: cannot map the sections: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < OTHER_SIZE / 4; i++)
		other[i] = SECRET;
	printf("link-echo: link \"other\" holds %#x in its %u words\n", SECRET, OTHER_SIZE / 4);
	/* The command works: the cell reads what it may read and answers with it. */
	ours[0] = OWN_MARK;
	snprintf(msg, sizeof(msg), "read %#lx", CELL_LINUX_OUT);
	snprintf(want, sizeof(want), "read %#lx: %#x", CELL_LINUX_OUT, OWN_MARK);
	if (send(msg, (uint32_t)strlen(msg)))
		return 1;
	n = receive(back, MOAT_LINKQ_MAX_MSG, 5000);
	back[n < 0 ? 0 : n] = 0;
	printf("link-echo: answer to \"%s\": %s\n", msg, n < 0 ? "none" : back);
	failures += n < 0 || strcmp(back, want) != 0;
	/* The other link's memory, which the cell does not own. */
	gen = state->generation;
	snprintf(msg, sizeof(msg), "read %#lx", phys);
	if (send(msg, (uint32_t)strlen(msg)))
		return 1;
	if (wait_state_change(gen, 5000, &count)) {
		printf("link-echo: no doorbell after the cell's read\n");
		return 1;
	}
	printf("link-echo: doorbell %u; state generation %s; the cell is %s\n", count,
	       state->generation != gen ? "changed" : "unchanged", cell_state());
	failures += state->peer_state[CELL_PEER] != MOAT_LINK_PEER_FAILED;
	n = moat_linkq_pop((struct moat_linkq *)(shared + TO_LINUX), back, MOAT_LINKQ_MAX_MSG);
	back[n < 0 ? 0 : n] = 0;
	printf("link-echo: answer to \"%s\": %s\n", msg, n < 0 ? "none" : back);
	failures += n >= 0;
	n = (int)secret_lost(other);
	printf("link-echo: link \"other\" words changed: %d\n", n);
	failures += n != 0;
	return failures != 0;
}

static const char *cell_state(void)
{
	switch (state->peer_state[CELL_PEER]) {
	case MOAT_LINK_PEER_UP: return "up";
	case MOAT_LINK_PEER_FAILED: return "failed";
	default: return "down";
	}
}

static int wait_change(void)
{
	uint32_t before = state->peer_state[CELL_PEER], count;

	printf("link-echo: waiting; the cell is %s\n", cell_state());
	fflush(stdout);
	while (state->peer_state[CELL_PEER] == before)
		if (wait_doorbell(20000, &count)) {
			printf("link-echo: no change in 20 s\n");
			return 1;
		}
	printf("link-echo: woken by doorbell %u: the cell is %s\n", count, cell_state());
	return 0;
}

/* Non-zero bytes in [p, p + len). */
static unsigned long nonzero(const volatile uint8_t *p, size_t len)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += p[i] != 0;
	return n;
}

static int stale(void)
{
	const volatile uint8_t *cells = map(2, page, PROT_READ);
	volatile uint8_t *ours = map(1, page, PROT_READ | PROT_WRITE);
	unsigned long left;
	int i;

	if (cells == MAP_FAILED || ours == MAP_FAILED) {
		printf("link-echo: cannot map the sections: %s\n", strerror(errno));
		return 1;
	}
	if (echo(3)) /* the queues now hold what the cell wrote */
		return 1;
	memset((void *)(shared + 0xf000), 0x5a, 0x1000);
	memset((void *)ours, 0xa5, page);
	printf("link-echo: holding the sections, %lu bytes of data in them; destroy the cell\n",
	       nonzero(shared, SHARED_SIZE) + nonzero(ours, page));
	fflush(stdout);
	if (wait_change())
		return 1;
	/* "Down" is published when the cell's last CPU stops, before the destroy zeroes the
	 * sections: the script says when `moat cell destroy` has returned. */
	for (i = 0; i < 200 && access("/tmp/stale-destroyed", F_OK); i++)
		usleep(100000);
	left = nonzero(shared, SHARED_SIZE) + nonzero(ours, page) + nonzero(cells, page);
	printf("link-echo: after the cell went, the held mappings read %lu non-zero bytes\n", left);
	return left != 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || open_link())
		return 2;
	if (!strcmp(argv[1], "echo") && argc == 3)
		return echo((unsigned int)strtoul(argv[2], NULL, 0));
	if (!strcmp(argv[1], "refusals"))
		return refusals();
	if (!strcmp(argv[1], "ask") && argc == 3)
		return ask(argv[2]);
	if (!strcmp(argv[1], "write-ro"))
		return write_ro();
	if (!strcmp(argv[1], "state"))
		return printf("link-echo: the cell is %s (generation %u)\n", cell_state(), state->generation) < 0;
	if (!strcmp(argv[1], "wait-change"))
		return wait_change();
	if (!strcmp(argv[1], "stale"))
		return stale();
	if (!strcmp(argv[1], "read-other") && argc == 3)
		return read_other(strtoul(argv[2], NULL, 0));
	if (!strcmp(argv[1], "quit"))
		return send("quit", 4) != 0;
	printf("usage: moat-link-echo echo N | refusals | ask CMD | write-ro | read-other PHYS | quit | state | wait-change | stale\n");
	return 2;
}
