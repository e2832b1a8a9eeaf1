/* SPDX-License-Identifier: MIT */
/*
 * A lock-free single-producer / single-consumer message queue in a link section, the same bytes
 * for a bare-metal cell (demos/lib) and a Linux program (tests/link-echo): plain C11, header
 * only, no allocation. One side only pushes, the other only pops. Messages are copied into fixed
 * slots of MOAT_LINKQ_SLOT_SIZE bytes (a u32 length then the bytes), MOAT_LINKQ_SLOTS of them.
 *
 * head (written by the producer only) and tail (by the consumer only) count messages since
 * init and live on cache lines of their own; a release store after the copy and an acquire load
 * before reading order the data, so both peers must map the section as normal cacheable memory
 * (the link binding does). Nothing in it is trusted: the consumer bounds every length, and a
 * peer that scribbles over the queue can only garble messages, never make the other overrun.
 *
 * Pushing or popping costs no exit; tell the other side with a doorbell (or let it poll).
 */
#ifndef MOAT_LINK_QUEUE_H
#define MOAT_LINK_QUEUE_H

#include "abi.h"

#define MOAT_LINKQ_SLOT_SIZE 256u
#define MOAT_LINKQ_SLOTS 64u             /* a power of two */
#define MOAT_LINKQ_MAX_MSG (MOAT_LINKQ_SLOT_SIZE - 4u)

#ifndef __ASSEMBLER__
struct moat_linkq {
	moat_u32 head;                   /* messages pushed; the producer's */
	moat_u8 pad0[60];
	moat_u32 tail;                   /* messages popped; the consumer's */
	moat_u8 pad1[60];
	moat_u8 slot[MOAT_LINKQ_SLOTS][MOAT_LINKQ_SLOT_SIZE];
};
MOAT_STATIC_ASSERT(sizeof(struct moat_linkq) == 128 + MOAT_LINKQ_SLOTS * MOAT_LINKQ_SLOT_SIZE,
		   "link queue layout changed");

static inline void moat_linkq_copy(volatile moat_u8 *dst, const volatile moat_u8 *src, moat_u32 n)
{
	moat_u32 i;

	for (i = 0; i < n; i++)
		dst[i] = src[i];
}

/* 0 on success, -1 if the queue is full or the message too long. Producer only. */
static inline int moat_linkq_push(struct moat_linkq *q, const void *msg, moat_u32 len)
{
	moat_u32 head = q->head; /* only we write it */
	moat_u32 tail = __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
	volatile moat_u8 *slot;

	if (len > MOAT_LINKQ_MAX_MSG || head - tail >= MOAT_LINKQ_SLOTS)
		return -1;
	slot = q->slot[head % MOAT_LINKQ_SLOTS];
	moat_linkq_copy(slot + 4, (const volatile moat_u8 *)msg, len);
	*(volatile moat_u32 *)slot = len;
	__atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

/* The message's length (0..MOAT_LINKQ_MAX_MSG) copied into msg (room for cap bytes, the rest
 * dropped), or -1 if the queue is empty. Consumer only. */
static inline int moat_linkq_pop(struct moat_linkq *q, void *msg, moat_u32 cap)
{
	moat_u32 tail = q->tail; /* only we write it */
	moat_u32 head = __atomic_load_n(&q->head, __ATOMIC_ACQUIRE);
	const volatile moat_u8 *slot;
	moat_u32 len;

	if (head == tail)
		return -1;
	slot = q->slot[tail % MOAT_LINKQ_SLOTS];
	len = *(const volatile moat_u32 *)slot;
	if (len > MOAT_LINKQ_MAX_MSG)
		len = MOAT_LINKQ_MAX_MSG; /* a garbled length never reads past the slot */
	moat_linkq_copy((volatile moat_u8 *)msg, slot + 4, len < cap ? len : cap);
	__atomic_store_n(&q->tail, tail + 1, __ATOMIC_RELEASE);
	return (int)len;
}

/* Messages waiting (as far as the caller can tell). */
static inline moat_u32 moat_linkq_count(struct moat_linkq *q)
{
	return __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE);
}
#endif /* !__ASSEMBLER__ */
#endif /* MOAT_LINK_QUEUE_H */
