/* SPDX-License-Identifier: MIT */
/*
 * A cell's console ring: one page the hypervisor gives each cell whose overlay says
 * console = "ring" (docs/binding.md), mapped read-write in the cell at the IPA its descriptor
 * names (console.base) and read-only in the root cell, where moat.ko drains it. The cell learns
 * the address without an exit: x0 of its first CPU at entry. Printing is a few stores, no exit.
 *
 * One writer (the cell) and one reader (the root's driver), plain C11, header only, the same
 * code for demos/lib, moat.ko and the host tests. The writer never waits: it writes its bytes
 * at head % MOAT_CELL_RING_DATA and then publishes head (release store); a reader that falls
 * more than a ring behind loses the oldest bytes and says so. The reader writes nothing in the
 * page (it cannot: the root's mapping is read-only) and trusts nothing in it: the cell may write
 * any head at any time, and its bytes anything. So the reader
 *  - reads only data[i % MOAT_CELL_RING_DATA]: never outside the page;
 *  - consumes at most MOAT_CELL_RING_DATA bytes and emits at most MOAT_CELL_RING_MAX_LINES lines
 *    per drain (the rest is dropped and counted), then returns: no loop on the cell's word;
 *  - escapes every byte outside printable ASCII as \xNN and cuts lines at
 *    MOAT_CELL_RING_LINE_MAX characters.
 * A head that moves backwards or leaps ahead reads as an overrun: the reader skips to the last
 * MOAT_CELL_RING_DATA bytes before head and says how much it dropped.
 *
 * Both sides must map the page as normal cacheable memory (the hypervisor maps it so in stage 2,
 * the cell in stage 1: demos/lib uses it only with its MMU on).
 */
#ifndef MOAT_CELL_RING_H
#define MOAT_CELL_RING_H

#include "abi.h"

#define MOAT_CELL_RING_SIZE 4096u                       /* one page */
#define MOAT_CELL_RING_DATA (MOAT_CELL_RING_SIZE - 64u) /* bytes of text it holds */
#define MOAT_CELL_RING_LINE_MAX 199u                    /* characters of one emitted line */
#define MOAT_CELL_RING_MAX_LINES 64u                    /* lines one drain emits at most */

#ifndef __ASSEMBLER__
struct moat_cell_ring {
	moat_u64 head;    /* bytes written since the cell started; the writer's */
	moat_u8 pad[56];  /* head alone on its cache line */
	char data[MOAT_CELL_RING_DATA];
};
MOAT_STATIC_ASSERT(sizeof(struct moat_cell_ring) == MOAT_CELL_RING_SIZE, "cell ring layout changed");

/* Writer (the cell). The last MOAT_CELL_RING_DATA bytes of s if it is longer. */
static inline void moat_cell_ring_write(struct moat_cell_ring *r, const char *s, moat_u32 n)
{
	moat_u64 head = r->head; /* only we write it */
	moat_u32 i;

	for (i = 0; i < n; i++)
		((volatile char *)r->data)[(head + i) % MOAT_CELL_RING_DATA] = s[i];
	__atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
}

/* Reader state, private to the reader (never in the ring page). Zero it when the cell's ring
 * starts (the hypervisor zeroes the page at create). */
struct moat_cell_ring_reader {
	moat_u64 tail;       /* bytes consumed */
	moat_u64 dropped;    /* bytes lost to overruns, garbled indices or the line bound, ever */
	moat_u32 line_len;   /* characters in line[] not yet emitted */
	char line[MOAT_CELL_RING_LINE_MAX + 1];
	char copy[MOAT_CELL_RING_DATA]; /* a drain copies out before it looks at a byte */
};

/* Called with each complete line, NUL-terminated, printable ASCII only, without its newline. */
typedef void (*moat_cell_ring_emit)(void *ctx, const char *line);

/* What one drain did. */
struct moat_cell_ring_drained {
	moat_u32 bytes;   /* consumed from the ring */
	moat_u32 lines;   /* emitted */
	moat_u64 dropped; /* bytes lost in this drain (overrun, garbled head, line bound) */
};

static inline void moat_cell_ring_put(struct moat_cell_ring_reader *rd, char c)
{
	rd->line[rd->line_len++] = c;
}

/* Ends the line being built; false (and nothing emitted) once the drain has emitted its share. */
static inline int moat_cell_ring_end_line(struct moat_cell_ring_reader *rd, moat_cell_ring_emit emit, void *ctx,
					  struct moat_cell_ring_drained *d)
{
	if (d->lines >= MOAT_CELL_RING_MAX_LINES)
		return 0;
	rd->line[rd->line_len] = '\0';
	emit(ctx, rd->line);
	rd->line_len = 0;
	d->lines++;
	return 1;
}

/* One byte into the line: \n ends it, \r is dropped, printable ASCII as it is, anything else as
 * \xNN. A line that would pass MOAT_CELL_RING_LINE_MAX is emitted first. False when the drain
 * may emit no more. */
static inline int moat_cell_ring_take(struct moat_cell_ring_reader *rd, unsigned char c, moat_cell_ring_emit emit,
				      void *ctx, struct moat_cell_ring_drained *d)
{
	static const char hex[] = "0123456789abcdef";
	moat_u32 need = (c >= 0x20 && c < 0x7f) ? 1 : 4;

	if (c == '\n')
		return moat_cell_ring_end_line(rd, emit, ctx, d);
	if (c == '\r')
		return 1;
	if (rd->line_len + need > MOAT_CELL_RING_LINE_MAX && !moat_cell_ring_end_line(rd, emit, ctx, d))
		return 0;
	if (need == 1) {
		moat_cell_ring_put(rd, (char)c);
	} else {
		moat_cell_ring_put(rd, '\\');
		moat_cell_ring_put(rd, 'x');
		moat_cell_ring_put(rd, hex[c >> 4]);
		moat_cell_ring_put(rd, hex[c & 15]);
	}
	return 1;
}

/* Drains what the cell wrote since the last drain: emits its complete lines (a partial last line
 * waits for the next drain). Bounded whatever the page holds: at most MOAT_CELL_RING_DATA bytes
 * read, MOAT_CELL_RING_MAX_LINES lines emitted. */
static inline struct moat_cell_ring_drained moat_cell_ring_drain(const struct moat_cell_ring *r,
								  struct moat_cell_ring_reader *rd,
								  moat_cell_ring_emit emit, void *ctx)
{
	struct moat_cell_ring_drained d = {0, 0, 0};
	moat_u64 head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	moat_u64 avail = head - rd->tail;
	moat_u64 head_after, overwritten;
	moat_u32 i, start = 0;

	if (avail > MOAT_CELL_RING_DATA) { /* behind by more than a ring, or head went backwards */
		d.dropped = avail - MOAT_CELL_RING_DATA;
		rd->tail = head - MOAT_CELL_RING_DATA;
		avail = MOAT_CELL_RING_DATA;
	}
	for (i = 0; i < (moat_u32)avail; i++)
		rd->copy[i] = ((const volatile char *)r->data)[(rd->tail + i) % MOAT_CELL_RING_DATA];
	/* What the writer wrote while we copied may have overwritten the start of the copy. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head_after = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	overwritten = head_after - rd->tail - MOAT_CELL_RING_DATA;
	if (head_after - rd->tail > MOAT_CELL_RING_DATA)
		start = overwritten < avail ? (moat_u32)overwritten : (moat_u32)avail;
	d.dropped += start;
	for (i = start; i < (moat_u32)avail; i++) {
		if (!moat_cell_ring_take(rd, (unsigned char)rd->copy[i], emit, ctx, &d)) {
			d.dropped += avail - i; /* the line bound: the rest of this drain is dropped */
			rd->line_len = 0;
			break;
		}
	}
	d.bytes = (moat_u32)avail;
	rd->tail += avail;
	rd->dropped += d.dropped;
	return d;
}
#endif /* !__ASSEMBLER__ */
#endif /* MOAT_CELL_RING_H */
