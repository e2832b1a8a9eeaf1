/* SPDX-License-Identifier: MIT */
/*
 * The ctl-loop's steering protocol (docs/steering.md): Linux sets the motor's setpoint and
 * chooses a telemetry rate; the cell answers each command and streams telemetry. Messages travel
 * in the two SPSC queues (include/moat/link_queue.h) of link "ctl"'s shared section: Linux ->
 * cell at offset MOAT_CTL_QUEUE_TO_CELL, cell -> Linux at MOAT_CTL_QUEUE_TO_LINUX.
 *
 * Every message is exactly MOAT_CTL_MSG_SIZE bytes, little-endian, starting with a magic and a
 * version. Neither side trusts the other: moat_ctl_decode() is the one check both run on every
 * message they receive. It refuses a wrong size, magic or version, a type not meant for that
 * direction, a nonzero reserved byte and a value out of range, and says which with a
 * MOAT_CTL_E_* code. The cell answers a refused command with MOAT_CTL_ACK carrying that code and
 * counts it; it never applies any part of it.
 *
 * This is the demo's application protocol, not the hypervisor's ABI: it has its own version
 * (MOAT_CTL_VERSION), bumped at every change of a layout or a meaning here. Plain C, header only,
 * no allocation: the same code in the bare-metal cell, in moat-ctl and in the host tests.
 */
#ifndef MOAT_CTL_LINK_H
#define MOAT_CTL_LINK_H

#include "abi.h" /* and <stdint.h>: this header is for user space and cells, not the kernel */

#define MOAT_CTL_LINK_NAME "ctl"       /* Linux's device: /dev/moat-link-ctl */
#define MOAT_CTL_MAGIC MOAT_U(0x4c54434d) /* "MCTL" in memory order */
#define MOAT_CTL_VERSION 1u
#define MOAT_CTL_MSG_SIZE 96u

/* The shared section (64 KiB, both peers write it): the two queues. */
#define MOAT_CTL_QUEUE_TO_CELL 0x0u
#define MOAT_CTL_QUEUE_TO_LINUX 0x8000u
#define MOAT_CTL_SECTION_SIZE 0x10000u
#define MOAT_CTL_PEER_LINUX 0u
#define MOAT_CTL_PEER_CELL 1u

/* Types. Linux -> cell: */
#define MOAT_CTL_SETPOINT 1u   /* payload.setpoint */
#define MOAT_CTL_RATE 2u       /* payload.rate: telemetry messages per second, 0 stops them */
/* Cell -> Linux: */
#define MOAT_CTL_ACK 0x81u     /* payload.ack: the answer to one command (seq echoes its seq) */
#define MOAT_CTL_TELEMETRY 0x82u /* payload.telemetry, at the chosen rate */

/* moat_ctl_setpoint.mode */
#define MOAT_CTL_MODE_HOLD 0u    /* hold milli_rad_s from now on */
#define MOAT_CTL_MODE_PROFILE 1u /* back to the built-in profile (milli_rad_s must be 0) */

/* Ranges. The motor reaches about 460 rad/s at the 24 V supply without load; a setpoint beyond
 * MOAT_CTL_SETPOINT_MAX could not be held under the load profile, so it is refused. */
#define MOAT_CTL_SETPOINT_MAX 300000      /* milli rad/s, either direction */
#define MOAT_CTL_RATE_MAX 1000u           /* telemetry messages per second */
#define MOAT_CTL_SPEED_MAX 1000000        /* milli rad/s: beyond it a telemetry speed is garbage */
#define MOAT_CTL_VOLTAGE_MAX 24000        /* millivolts: the supply */
#define MOAT_CTL_LOAD_MAX 1000000         /* micro N m */

/* moat_ctl_telemetry.flags */
#define MOAT_CTL_TF_SETTLED 0x1u  /* speed within 1 % of the setpoint */
#define MOAT_CTL_TF_HOLD 0x2u     /* holding a setpoint from Linux (else the profile) */
#define MOAT_CTL_TF_BRAKING 0x4u  /* braking for a shutdown: setpoints are refused */
#define MOAT_CTL_TF_ALL 0x7u

/* Verdicts: moat_ctl_decode()'s result and moat_ctl_ack.status. */
#define MOAT_CTL_OK 0u
#define MOAT_CTL_E_SIZE 1u      /* not MOAT_CTL_MSG_SIZE bytes */
#define MOAT_CTL_E_MAGIC 2u
#define MOAT_CTL_E_VERSION 3u
#define MOAT_CTL_E_TYPE 4u      /* unknown, or not for this direction */
#define MOAT_CTL_E_RESERVED 5u  /* a reserved field or byte is not zero */
#define MOAT_CTL_E_RANGE 6u     /* a value out of its range (setpoint, rate, mode, ...) */
#define MOAT_CTL_E_STATE 7u     /* valid, but not now (the cell is braking for a shutdown) */
#define MOAT_CTL_E_COUNT 8u

/* Which way a message travels: what moat_ctl_decode() accepts. */
#define MOAT_CTL_TO_CELL 0u
#define MOAT_CTL_TO_LINUX 1u

#ifndef __ASSEMBLER__

struct moat_ctl_setpoint {
	int32_t milli_rad_s;  /* |v| <= MOAT_CTL_SETPOINT_MAX; 0 with MOAT_CTL_MODE_PROFILE */
	moat_u32 mode;         /* MOAT_CTL_MODE_* */
	moat_u8 reserved[72];  /* zero */
};

struct moat_ctl_rate {
	moat_u32 hz;           /* 0..MOAT_CTL_RATE_MAX */
	moat_u8 reserved[76];  /* zero */
};

struct moat_ctl_ack {
	moat_u32 command;      /* the type of the command answered (as received, for a refused one) */
	moat_u32 status;       /* MOAT_CTL_OK or MOAT_CTL_E_* */
	moat_u32 accepted;     /* commands applied since the cell started */
	moat_u32 refused;      /* commands refused since the cell started (this one included) */
	moat_u8 reserved[64];  /* zero */
};

struct moat_ctl_telemetry {
	moat_u64 period;           /* control periods since start */
	moat_u64 misses;           /* deadline misses since start */
	int32_t speed;            /* milli rad/s */
	int32_t setpoint;         /* milli rad/s */
	int32_t voltage;          /* millivolts */
	int32_t load;             /* micro N m */
	/* Since the previous telemetry message: */
	moat_u32 window_periods;
	moat_u32 window_misses;
	int32_t jitter_min_ns;    /* start-to-start period minus the nominal period */
	int32_t jitter_max_ns;
	moat_u32 latency_max_ns;   /* release to start of the job */
	moat_u32 exec_max_ns;      /* the job's run time */
	moat_u32 rate_hz;          /* the telemetry rate in force */
	moat_u32 accepted;         /* commands applied since start */
	moat_u32 refused;          /* commands refused since start */
	moat_u32 dropped;          /* messages to Linux lost because its queue was full */
	moat_u32 flags;            /* MOAT_CTL_TF_* */
	moat_u32 reserved;         /* zero */
};

struct moat_ctl_msg {
	moat_u32 magic;    /* MOAT_CTL_MAGIC */
	uint16_t version;  /* MOAT_CTL_VERSION */
	uint16_t type;     /* MOAT_CTL_* */
	moat_u32 seq;      /* the sender's count; an ACK carries the command's */
	moat_u32 reserved; /* zero */
	union {
		struct moat_ctl_setpoint setpoint;
		struct moat_ctl_rate rate;
		struct moat_ctl_ack ack;
		struct moat_ctl_telemetry telemetry;
	} u;
};
MOAT_STATIC_ASSERT(sizeof(struct moat_ctl_msg) == MOAT_CTL_MSG_SIZE, "ctl message layout changed");
MOAT_STATIC_ASSERT(sizeof(struct moat_ctl_telemetry) == 80, "ctl telemetry layout changed");

/* A message of `type` with magic, version and seq set, everything else zero. */
static inline struct moat_ctl_msg moat_ctl_new(uint16_t type, moat_u32 seq)
{
	struct moat_ctl_msg m;
	moat_u8 *p = (moat_u8 *)&m;
	moat_u32 i;

	for (i = 0; i < sizeof(m); i++)
		p[i] = 0;
	m.magic = MOAT_CTL_MAGIC;
	m.version = MOAT_CTL_VERSION;
	m.type = type;
	m.seq = seq;
	return m;
}

static inline int moat_ctl_zero(const moat_u8 *p, moat_u32 n)
{
	moat_u32 i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static inline moat_u32 moat_ctl_abs(int32_t v)
{
	return v < 0 ? (moat_u32)0 - (moat_u32)v : (moat_u32)v;
}

static inline moat_u32 moat_ctl_check_setpoint(const struct moat_ctl_setpoint *s)
{
	if (!moat_ctl_zero(s->reserved, sizeof(s->reserved)))
		return MOAT_CTL_E_RESERVED;
	if (s->mode == MOAT_CTL_MODE_HOLD)
		return moat_ctl_abs(s->milli_rad_s) <= MOAT_CTL_SETPOINT_MAX ? MOAT_CTL_OK : MOAT_CTL_E_RANGE;
	if (s->mode == MOAT_CTL_MODE_PROFILE)
		return s->milli_rad_s == 0 ? MOAT_CTL_OK : MOAT_CTL_E_RANGE;
	return MOAT_CTL_E_RANGE;
}

static inline moat_u32 moat_ctl_check_ack(const struct moat_ctl_ack *a)
{
	if (!moat_ctl_zero(a->reserved, sizeof(a->reserved)))
		return MOAT_CTL_E_RESERVED;
	return a->status < MOAT_CTL_E_COUNT ? MOAT_CTL_OK : MOAT_CTL_E_RANGE;
}

static inline moat_u32 moat_ctl_check_telemetry(const struct moat_ctl_telemetry *t)
{
	if (t->reserved || (t->flags & ~MOAT_CTL_TF_ALL))
		return MOAT_CTL_E_RESERVED;
	if (moat_ctl_abs(t->speed) > MOAT_CTL_SPEED_MAX || moat_ctl_abs(t->setpoint) > MOAT_CTL_SETPOINT_MAX ||
	    moat_ctl_abs(t->voltage) > MOAT_CTL_VOLTAGE_MAX || moat_ctl_abs(t->load) > MOAT_CTL_LOAD_MAX ||
	    t->window_misses > t->window_periods || t->misses > t->period || t->rate_hz > MOAT_CTL_RATE_MAX ||
	    t->jitter_min_ns > t->jitter_max_ns)
		return MOAT_CTL_E_RANGE;
	return MOAT_CTL_OK;
}

/*
 * The check both sides run: `len` bytes at `bytes` (any alignment; from shared memory the peer
 * may still be writing, so they are copied once, into *out, and only the copy is looked at),
 * travelling `direction` (MOAT_CTL_TO_*). MOAT_CTL_OK, or the MOAT_CTL_E_* that refuses it.
 * *out is filled whenever len is right, so that a refusal can name the type and seq it saw.
 */
static inline moat_u32 moat_ctl_decode(const volatile void *bytes, moat_u32 len, moat_u32 direction,
				       struct moat_ctl_msg *out)
{
	const volatile moat_u8 *src = (const volatile moat_u8 *)bytes;
	moat_u8 *dst = (moat_u8 *)out;
	moat_u32 i;

	if (len != MOAT_CTL_MSG_SIZE)
		return MOAT_CTL_E_SIZE;
	for (i = 0; i < MOAT_CTL_MSG_SIZE; i++)
		dst[i] = src[i];
	if (out->magic != MOAT_CTL_MAGIC)
		return MOAT_CTL_E_MAGIC;
	if (out->version != MOAT_CTL_VERSION)
		return MOAT_CTL_E_VERSION;
	if (out->reserved)
		return MOAT_CTL_E_RESERVED;
	if (direction == MOAT_CTL_TO_CELL) {
		if (out->type == MOAT_CTL_SETPOINT)
			return moat_ctl_check_setpoint(&out->u.setpoint);
		if (out->type == MOAT_CTL_RATE) {
			if (!moat_ctl_zero(out->u.rate.reserved, sizeof(out->u.rate.reserved)))
				return MOAT_CTL_E_RESERVED;
			return out->u.rate.hz <= MOAT_CTL_RATE_MAX ? MOAT_CTL_OK : MOAT_CTL_E_RANGE;
		}
	} else if (direction == MOAT_CTL_TO_LINUX) {
		if (out->type == MOAT_CTL_ACK)
			return moat_ctl_check_ack(&out->u.ack);
		if (out->type == MOAT_CTL_TELEMETRY)
			return moat_ctl_check_telemetry(&out->u.telemetry);
	}
	return MOAT_CTL_E_TYPE;
}

/* A short name for a verdict, for messages. */
static inline const char *moat_ctl_verdict_name(moat_u32 v)
{
	static const char *const names[MOAT_CTL_E_COUNT] = {
		"ok", "wrong size", "bad magic", "unsupported version", "wrong type",
		"reserved field not zero", "value out of range", "not now (braking)"
	};
	return v < MOAT_CTL_E_COUNT ? names[v] : "unknown verdict";
}

#endif /* !__ASSEMBLER__ */
#endif /* MOAT_CTL_LINK_H */
