// SPDX-License-Identifier: MIT
/*
 * moat-link-talk: both ends of link "talk" (cells/qemu-virt-linux/talk-link.dtso) between the
 * root cell's Linux (peer 0) and the Linux cell linux1 (peer 1), each through the
 * /dev/moat-link-talk its own moat.ko made: map 0 the 64 KiB section (two link_queue.h queues:
 * root -> cell at 0, cell -> root at 0x8000), map 1 the doorbell register page, map 2 the state
 * page (UIO's conventions, linux-driver/link.c).
 *
 *   moat-link-talk cell        in the cell: say hello to the root, wait for its token, answer it
 *                              reversed (the ring: a store to the mapped register page)
 *   moat-link-talk root TOKEN  in the root: wait for the cell's hello, send TOKEN, check that
 *                              the answer is TOKEN reversed (the ring: write() of
 *                              0x80000000 | peer)
 *
 * Exit status 0 when the exchange went as described; every line says what was seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <moat/link.h>
#include <moat/link_queue.h>

#define DEV "/dev/moat-link-talk"
#define TO_CELL 0x0
#define TO_ROOT 0x8000
#define SECTION_SIZE 0x10000
#define ROOT_PEER 0
#define CELL_PEER 1
#define RING_WRITE 0x80000000u /* moat.ko: write() of this | peer rings it */

static const char *me = "?";
static int fd;
static uint8_t *section;
static volatile uint32_t *regs;
static volatile struct moat_link_state *state;

static int open_link(void)
{
	long page = sysconf(_SC_PAGESIZE);

	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		printf("link-talk: %s: cannot open %s: %s\n", me, DEV, strerror(errno));
		return -1;
	}
	section = mmap(NULL, SECTION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	regs = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
	state = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 2 * page);
	if (section == MAP_FAILED || regs == MAP_FAILED || state == MAP_FAILED) {
		printf("link-talk: %s: cannot map the link: %s\n", me, strerror(errno));
		return -1;
	}
	printf("link-talk: %s: peer %u of %u; peer states %u %u\n", me, regs[MOAT_LINK_REG_SELF / 4],
	       regs[MOAT_LINK_REG_PEERS / 4], state->peer_state[ROOT_PEER], state->peer_state[CELL_PEER]);
	return 0;
}

/* The next message of queue `at`, waiting for doorbells up to `ms` in all. */
static int receive(uint32_t at, char *buf, uint32_t cap, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint32_t count;
	int n;

	for (; ms > 0; ms -= 1000) {
		n = moat_linkq_pop((struct moat_linkq *)(section + at), buf, cap - 1);
		if (n >= 0) {
			buf[n] = '\0';
			return n;
		}
		/* A doorbell may have rung before we opened: look at the queue at least every second. */
		if (poll(&p, 1, 1000) == 1 && read(fd, &count, sizeof(count)) != sizeof(count))
			return -1;
	}
	return -1;
}

static int send(uint32_t at, const char *msg)
{
	if (moat_linkq_push((struct moat_linkq *)(section + at), msg, (uint32_t)strlen(msg))) {
		printf("link-talk: %s: the queue is full\n", me);
		return -1;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return 0;
}

static void reverse(const char *in, char *out)
{
	size_t n = strlen(in), i;

	for (i = 0; i < n; i++)
		out[i] = in[n - 1 - i];
	out[n] = '\0';
}

static int cell(void)
{
	char token[MOAT_LINKQ_MAX_MSG + 1], answer[MOAT_LINKQ_MAX_MSG + 1];
	uint32_t status;

	if (send(TO_ROOT, "hello from linux1"))
		return 1;
	regs[MOAT_LINK_REG_RING / 4] = ROOT_PEER; /* one store, one exit */
	status = regs[MOAT_LINK_REG_STATUS / 4];
	printf("link-talk: cell: said hello, ring status %u\n", status);
	if (status != MOAT_LINK_RING_OK)
		return 1;
	if (receive(TO_CELL, token, sizeof(token), 60000) < 0) {
		printf("link-talk: cell: no token from the root in 60 s\n");
		return 1;
	}
	reverse(token, answer);
	if (send(TO_ROOT, answer))
		return 1;
	regs[MOAT_LINK_REG_RING / 4] = ROOT_PEER;
	printf("link-talk: cell got '%s', answered '%s' (ring status %u)\n", token, answer,
	       regs[MOAT_LINK_REG_STATUS / 4]);
	return 0;
}

static int root(const char *token)
{
	char hello[MOAT_LINKQ_MAX_MSG + 1], answer[MOAT_LINKQ_MAX_MSG + 1], want[MOAT_LINKQ_MAX_MSG + 1];
	uint32_t ring = RING_WRITE | CELL_PEER;

	if (strlen(token) == 0 || strlen(token) > 64) {
		printf("link-talk: root: the token must have 1..64 characters\n");
		return 2;
	}
	if (receive(TO_ROOT, hello, sizeof(hello), 120000) < 0) {
		printf("link-talk: root: no hello from the cell in 120 s\n");
		return 1;
	}
	printf("link-talk: root got '%s'\n", hello);
	if (send(TO_CELL, token))
		return 1;
	if (write(fd, &ring, sizeof(ring)) != sizeof(ring)) {
		printf("link-talk: root: ring of the cell refused: %s\n", strerror(errno));
		return 1;
	}
	if (receive(TO_ROOT, answer, sizeof(answer), 30000) < 0) {
		printf("link-talk: root: no answer from the cell in 30 s\n");
		return 1;
	}
	reverse(token, want);
	if (strcmp(answer, want)) {
		printf("link-talk: root: sent '%s', the cell answered '%s', not the token reversed\n", token, answer);
		return 1;
	}
	printf("link-talk: root sent '%s', the cell answered '%s': the token reversed\n", token, answer);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "cell")) {
		me = "cell";
		return open_link() ? 1 : cell();
	}
	if (argc == 3 && !strcmp(argv[1], "root")) {
		me = "root";
		return open_link() ? 1 : root(argv[2]);
	}
	fprintf(stderr, "usage: moat-link-talk cell | moat-link-talk root TOKEN\n");
	return 2;
}
