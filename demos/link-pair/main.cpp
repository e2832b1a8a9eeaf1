// SPDX-License-Identifier: MIT
// link-pair: both cells of link "pair" (cells/qemu-virt-link-pair) run this image; the
// hypervisor's register page says which one it is (peer 1 "ping", peer 2 "pong"). Linux (peer 0)
// steers them through its read-only section (pair.h): ping sends messages to pong and checks what
// comes back; pong echoes; ping can turn hostile and ring pong flat out while pong runs jobs
// against deadlines. tests/qemu/guest/link-pair.sh drives it with moat-link-pair.
#include "pair.h"

#include "demo/console.hpp"
#include "demo/link.hpp"
#include "demo/mmio.hpp"
#include "demo/runtime.hpp"
#include "demo/sysreg.hpp"
#include "demo/timer.hpp"

namespace {
// pair.dtso: the sections from IPA 0x50000000 in address order (128 KiB shared, then Linux's
// 4 KiB), then the register and state pages. Doorbells: INTID 242 + peer index.
constexpr uintptr_t kSections = 0x50000000, kLinuxSection = 0x20000, kRegs = 0x50021000;
constexpr uint32_t kFirstDoorbell = 242;

using demo::link::Endpoint;

moat_linkq *queue(const Endpoint &l, uint32_t off) { return reinterpret_cast<moat_linkq *>(l.section(off)); }
uint8_t *bytes(const Endpoint &l, uint32_t off) { return reinterpret_cast<uint8_t *>(l.section(off)); }

// The message of round trip i, `len` bytes: its first bytes say which round trip it is, so a
// stale or misrouted one never passes for the right one.
uint8_t pattern(uint32_t i, uint32_t k) { return static_cast<uint8_t>((i * 131 + k * 7 + (k >> 8)) ^ (i >> 3)); }

// ping: one round trip. Small messages travel in the queue; larger ones in the bulk area with
// a 5-byte descriptor ('b', length) in the queue. True if what came back is what went.
bool round_trip(const Endpoint &l, uint32_t i, uint32_t len, uint32_t &seen, bool &lost)
{
    uint8_t msg[MOAT_LINKQ_MAX_MSG], back[MOAT_LINKQ_MAX_MSG];
    uint32_t qlen;
    if (len <= MOAT_LINKQ_MAX_MSG) {
        for (uint32_t k = 0; k < len; k++)
            msg[k] = pattern(i, k);
        qlen = len;
    } else {
        uint8_t *bulk = bytes(l, PAIR_BULK_PING_TO_PONG);
        for (uint32_t k = 0; k < len; k++)
            bulk[k] = pattern(i, k);
        msg[0] = 'b';
        for (uint32_t k = 0; k < 4; k++)
            msg[1 + k] = static_cast<uint8_t>(len >> (8 * k));
        msg[5] = static_cast<uint8_t>(i);
        qlen = 6;
    }
    if (moat_linkq_push(queue(l, PAIR_Q_PING_TO_PONG), msg, qlen)) {
        lost = true;
        return false;
    }
    l.ring(PAIR_PONG);
    int n;
    uint64_t give_up = demo::timer::now() + demo::timer::frequency();  // 1 s
    while ((n = moat_linkq_pop(queue(l, PAIR_Q_PONG_TO_PING), back, sizeof(back))) < 0) {
        if (demo::timer::now() > give_up) {
            lost = true;
            return false;
        }
        seen = l.wait(seen);
    }
    if (static_cast<uint32_t>(n) != qlen)
        return false;
    for (uint32_t k = 0; k < qlen; k++)
        if (back[k] != msg[k])
            return false;
    if (len > MOAT_LINKQ_MAX_MSG) {
        const uint8_t *bulk = bytes(l, PAIR_BULK_PONG_TO_PING);
        for (uint32_t k = 0; k < len; k++)
            if (bulk[k] != pattern(i, k))
                return false;
    }
    return true;
}

void cmd_roundtrip(const Endpoint &l, const pair_command &c, pair_result &r, uint32_t &seen)
{
    uint32_t n = c.arg0, len = c.arg1 < 1 ? 1 : c.arg1 > PAIR_BULK_MAX ? PAIR_BULK_MAX : c.arg1;
    uint64_t total = 0, lo = ~uint64_t{0}, hi = 0;
    uint32_t i = 0, bad = 0;
    bool lost = false;
    for (; i < n && !lost; i++) {
        uint64_t t0 = demo::timer::now();
        bool ok = round_trip(l, i, len, seen, lost);
        uint64_t dt = demo::timer::now() - t0;
        if (!ok) {
            bad += !lost;
            continue;
        }
        total += dt;
        lo = dt < lo ? dt : lo;
        hi = dt > hi ? dt : hi;
    }
    r.v[PAIR_RT_DONE] = i;
    r.v[PAIR_RT_MISMATCHED] = bad;
    r.v[PAIR_RT_LOST] = lost;
    r.v[PAIR_RT_TOTAL_TICKS] = total;
    r.v[PAIR_RT_MIN_TICKS] = lo == ~uint64_t{0} ? 0 : lo;
    r.v[PAIR_RT_MAX_TICKS] = hi;
}

// ping, hostile: as many rings to pong as it can for arg0 ms. Each ring and each status read
// is an exit of ping's own.
void cmd_storm(const Endpoint &l, const pair_command &c, pair_result &r)
{
    uint64_t t0 = demo::timer::now(), end = t0 + demo::timer::from_ns(uint64_t{c.arg0} * 1000000);
    uint64_t rings = 0, ok = 0, throttled = 0, gap = demo::timer::from_ns(uint64_t{c.arg1} * 1000);
    while (demo::timer::now() < end) {
        for (uint64_t next = demo::timer::now() + gap; gap && demo::timer::now() < next;) {
        }
        l.ring(PAIR_PONG);
        uint32_t s = l.last_ring_status();
        rings++;
        ok += s == MOAT_LINK_RING_OK;
        throttled += s == MOAT_LINK_RING_THROTTLED;
    }
    r.v[PAIR_ST_RINGS] = rings;
    r.v[PAIR_ST_OK] = ok;
    r.v[PAIR_ST_THROTTLED] = throttled;
    r.v[PAIR_ST_TICKS] = demo::timer::now() - t0;
}

// pong: a job every arg1 us for arg0 ms on the virtual timer interrupt (here the job is noting
// how late it started); each must start within a quarter period of being due. Doorbells keep
// coming in meanwhile (they are only counted): how late does a storm make the jobs?
struct Jobs {
    uint64_t due, period, slack, left, done, missed, worst;
};
Jobs jobs;

void on_job(uint32_t, uint64_t, void *)
{
    uint64_t now = demo::timer::now(), late = now > jobs.due ? now - jobs.due : 0;
    jobs.worst = late > jobs.worst ? late : jobs.worst;
    jobs.missed += late > jobs.slack;
    jobs.done++;
    if (--jobs.left) {
        jobs.due += jobs.period;
        demo::timer::arm_at(jobs.due);  // also drops the level-triggered line
    } else {
        demo::timer::stop();
    }
}

void cmd_deadlines(const Endpoint &l, const pair_command &c, pair_result &r)
{
    uint64_t period = demo::timer::from_ns(uint64_t{c.arg1 ? c.arg1 : 1000} * 1000);
    uint64_t n = uint64_t{c.arg0} * 1000 / (c.arg1 ? c.arg1 : 1000);
    if (!n)
        n = 1;
    uint32_t bells0 = l.count();
    demo::arch::irq_disable();
    jobs = {demo::timer::now() + period, period, period / 4, n, 0, 0, 0};
    demo::timer::arm_at(jobs.due);
    while (__atomic_load_n(&jobs.left, __ATOMIC_ACQUIRE)) {
        demo::arch::wfi();  // a pending interrupt wakes it even masked
        demo::arch::irq_enable();
        demo::arch::irq_disable();
    }
    demo::arch::irq_enable();
    r.v[PAIR_DL_JOBS] = jobs.done;
    r.v[PAIR_DL_MISSED] = jobs.missed;
    r.v[PAIR_DL_MAX_LATE_TICKS] = jobs.worst;
    r.v[PAIR_DL_DOORBELLS] = l.count() - bells0;
}

// pong: echo whatever ping sent (bulk contents copied back), one doorbell per batch.
void echo_queue(const Endpoint &l)
{
    uint8_t msg[MOAT_LINKQ_MAX_MSG];
    int n;
    bool any = false;
    while ((n = moat_linkq_pop(queue(l, PAIR_Q_PING_TO_PONG), msg, sizeof(msg))) >= 0) {
        if (n == 6 && msg[0] == 'b') {
            uint32_t len = msg[1] | msg[2] << 8 | msg[3] << 16 | static_cast<uint32_t>(msg[4]) << 24;
            len = len > PAIR_BULK_MAX ? PAIR_BULK_MAX : len;  // ping's word is not trusted
            const uint8_t *in = bytes(l, PAIR_BULK_PING_TO_PONG);
            uint8_t *out = bytes(l, PAIR_BULK_PONG_TO_PING);
            for (uint32_t k = 0; k < len; k++)
                out[k] = in[k];
        }
        any |= moat_linkq_push(queue(l, PAIR_Q_PONG_TO_PING), msg, static_cast<uint32_t>(n)) == 0;
    }
    if (any)
        l.ring(PAIR_PING);
}
}  // namespace

int demo_main()
{
    using demo::printf;
    uint32_t self = demo::mmio::read32(kRegs + MOAT_LINK_REG_SELF);  // one exit, before any counting
    demo::set_program_name(self == PAIR_PING ? "ping" : "pong");
    if (self != PAIR_PING && self != PAIR_PONG) {
        printf("link-pair: peer %u of link \"pair\" is neither ping nor pong\n", self);
        return 1;
    }
    Endpoint link({kSections, kRegs, kFirstDoorbell + self});
    if (!link.open()) {
        printf("link-pair: cannot attach the doorbell INTID %u\n", kFirstDoorbell + self);
        return 1;
    }
    // pong's jobs run on the timer: attached now, so that no GIC set-up exit falls in a measurement.
    if (self == PAIR_PONG && !demo::timer::attach_interrupt(on_job, nullptr)) {
        printf("link-pair: cannot attach the timer interrupt\n");
        return 1;
    }
    demo::arch::irq_enable();
    printf("link-pair: %s (peer %u), doorbell INTID %u; ready\n", self == PAIR_PING ? "ping" : "pong", self,
           kFirstDoorbell + self);
    const volatile pair_command &cmd =
        *reinterpret_cast<const volatile pair_command *>(link.section(kLinuxSection + PAIR_CMD(self)));
    auto &res = *reinterpret_cast<pair_result *>(link.section(PAIR_RESULT(self)));
    uint32_t seen = 0, done_seq = 0;
    for (;;) {
        // Look before sleeping: a doorbell that came while a command ran is not lost.
        if (self == PAIR_PONG)
            echo_queue(link);
        uint32_t seq = cmd.seq;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);  // the command's words after its seq
        if (seq == done_seq) {
            seen = link.wait(seen);
            continue;
        }
        done_seq = seq;
        pair_command c{seq, cmd.cmd, cmd.arg0, cmd.arg1};
        pair_result r{};
        r.seq = seq;
        r.v[PAIR_FREQ] = demo::timer::frequency();
        if (c.cmd == PAIR_CMD_ROUNDTRIP && self == PAIR_PING)
            cmd_roundtrip(link, c, r, seen);
        else if (c.cmd == PAIR_CMD_STORM && self == PAIR_PING)
            cmd_storm(link, c, r);
        else if (c.cmd == PAIR_CMD_DEADLINES && self == PAIR_PONG)
            cmd_deadlines(link, c, r);
        else if (c.cmd == PAIR_CMD_RING_STRANGER) {
            link.ring(7);
            r.v[PAIR_RS_FAR] = link.last_ring_status();
            link.ring(self);
            r.v[PAIR_RS_SELF] = link.last_ring_status();
        } else if (c.cmd == PAIR_CMD_WRITE_LINUX) {
            printf("link-pair: writing Linux's read-only section\n");
            demo::mmio::write32(link.section(kLinuxSection), 0xbad);
            printf("link-pair: the write went through (it must not)\n");
            return 2;
        } else
            r.status = 1;
        // The result before its seq: Linux reads seq first.
        for (uint32_t k = 0; k < 14; k++)
            res.v[k] = r.v[k];
        res.status = r.status;
        __atomic_store_n(&res.seq, r.seq, __ATOMIC_RELEASE);
        link.ring(PAIR_LINUX);
    }
}
