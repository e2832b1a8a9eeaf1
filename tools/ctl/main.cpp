// SPDX-License-Identifier: GPL-2.0
// moat-ctl: steer the ctl-loop cell from Linux over link "ctl" (docs/steering.md). Linux's end
// of the link is /dev/moat-link-ctl (moat.ko, UIO's conventions): map 0 is the shared section
// with the two queues of include/moat/ctl_link.h, map 1 the doorbell register page, map 2 the
// state page; write() of 0x80000000 | peer rings a peer, poll()/read() wait for our doorbell.
// The cell polls its queue every control period, so our ring costs the cell no exit (and us two:
// moat.ko's store to the register page and its read of the ring's status, which lets write()
// fail when the cell is not there); the cell rings us once per answer, never for telemetry.
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <moat/link.h>
#include <moat/link_queue.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "steer_text.hpp"

namespace {

constexpr std::uint32_t kRingWrite = 0x80000000u;  // moat.ko: write() of this | peer rings it
constexpr std::uint64_t kCellRateHz = 10'000;      // the loop's periods per second
constexpr int kAnswerTimeoutMs = 2000;

void usage(FILE *out)
{
    std::fprintf(out,
                 "usage: moat-ctl [--link NAME] <command>\n"
                 "\n"
                 "Steers the ctl-loop cell (demos/ctl-loop built as ctl-steer) over /dev/moat-link-NAME\n"
                 "(default NAME: " MOAT_CTL_LINK_NAME ").\n"
                 "\n"
                 "commands:\n"
                 "  set RAD_S [--unchecked]  hold this speed setpoint (|RAD_S| <= %s); --unchecked sends\n"
                 "                           any value, for testing the cell's own check\n"
                 "  profile                  back to the built-in setpoint profile\n"
                 "  watch [--rate HZ] [--count N]\n"
                 "                           stream telemetry at HZ messages per second (default 10,\n"
                 "                           at most %u), print N of them (default 10), then stop it\n"
                 "  raw HEX                  send these bytes as one message and print the answer\n"
                 "                           (testing: the cell must refuse garbage)\n"
                 "  storm MS                 ring the cell flat out for MS milliseconds (10..60000) of Linux time and\n"
                 "                           count the rings the hypervisor took and throttled (testing: a\n"
                 "                           doorbell storm must not disturb the loop); sends no message,\n"
                 "                           so it may run beside another moat-ctl\n",
                 moat_ctl::milli_text(MOAT_CTL_SETPOINT_MAX).c_str(), MOAT_CTL_RATE_MAX);
}

class Link {
public:
    // `queues`: map the section and take the device for ourselves (every command but storm).
    bool open(const std::string &name, bool queues)
    {
        path_ = "/dev/moat-link-" + name;
        fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
        if (fd_ < 0) {
            std::fprintf(stderr, "moat-ctl: cannot open %s: %s%s\n", path_.c_str(), std::strerror(errno),
                         errno == ENOENT ? " (is the hypervisor enabled with a root cell that has link \"" MOAT_CTL_LINK_NAME
                                           "\", e.g. steer-root.cell?)"
                                         : "");
            return false;
        }
        // One producer and one consumer per queue: a second moat-ctl would break both.
        if (queues && flock(fd_, LOCK_EX | LOCK_NB)) {
            std::fprintf(stderr, "moat-ctl: %s is in use by another moat-ctl: %s\n", path_.c_str(),
                         std::strerror(errno));
            return false;
        }
        const long page = sysconf(_SC_PAGESIZE);
        void *shared = queues ? mmap(nullptr, MOAT_CTL_SECTION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0)
                              : nullptr;
        void *state = mmap(nullptr, page, PROT_READ, MAP_SHARED, fd_, 2 * page);
        if (shared == MAP_FAILED || state == MAP_FAILED) {
            std::fprintf(stderr, "moat-ctl: cannot map %s: %s (a link with one section of %u KiB is expected)\n",
                         path_.c_str(), std::strerror(errno), MOAT_CTL_SECTION_SIZE / 1024);
            return false;
        }
        if (queues) {
            auto *base = static_cast<std::uint8_t *>(shared);
            to_cell_ = reinterpret_cast<moat_linkq *>(base + MOAT_CTL_QUEUE_TO_CELL);
            to_linux_ = reinterpret_cast<moat_linkq *>(base + MOAT_CTL_QUEUE_TO_LINUX);
        }
        state_ = static_cast<const volatile moat_link_state *>(state);
        return true;
    }

    int fd() const { return fd_; }
    bool cell_up() const { return state_->peer_state[MOAT_CTL_PEER_CELL] == MOAT_LINK_PEER_UP; }

    // What the cell left in our queue before we came: not ours to answer.
    unsigned drain()
    {
        std::uint8_t buf[MOAT_LINKQ_MAX_MSG];
        unsigned n = 0;
        while (moat_linkq_pop(to_linux_, buf, sizeof(buf)) >= 0)
            n++;
        return n;
    }

    // Push and ring: no exit in the cell (it polls).
    bool send(const void *msg, std::uint32_t len)
    {
        if (moat_linkq_push(to_cell_, msg, len)) {
            std::fprintf(stderr, "moat-ctl: the queue to the cell is full: is the cell running ctl-steer?\n");
            return false;
        }
        const std::uint32_t ring = kRingWrite | MOAT_CTL_PEER_CELL;
        if (write(fd_, &ring, sizeof(ring)) != sizeof(ring)) {
            std::fprintf(stderr, "moat-ctl: ringing the cell failed: %s\n", std::strerror(errno));
            return false;
        }
        return true;
    }

    // The next valid message from the cell within `ms`; invalid ones are counted and skipped.
    bool receive(moat_ctl_msg &m, int ms)
    {
        const long long deadline = now_ms() + ms;
        for (;;) {
            std::uint8_t buf[MOAT_LINKQ_MAX_MSG];
            const int n = moat_linkq_pop(to_linux_, buf, sizeof(buf));
            if (n >= 0) {
                const std::uint32_t verdict = moat_ctl_decode(buf, static_cast<std::uint32_t>(n), MOAT_CTL_TO_LINUX, &m);
                if (verdict == MOAT_CTL_OK)
                    return true;
                refused_++;
                std::printf("moat-ctl: ignored a message from the cell: %s\n", moat_ctl_verdict_name(verdict));
                continue;
            }
            const long long left = deadline - now_ms();
            if (left <= 0)
                return false;
            // The cell rings for answers only; telemetry is picked up at least every 10 ms.
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, left < 10 ? static_cast<int>(left) : 10) == 1 && (p.revents & POLLIN)) {
                std::uint32_t count;
                if (read(fd_, &count, sizeof(count)) != sizeof(count) && errno != EAGAIN) {
                    std::fprintf(stderr, "moat-ctl: reading %s failed: %s\n", path_.c_str(), std::strerror(errno));
                    return false;
                }
            } else if (p.revents & (POLLERR | POLLHUP)) {
                std::fprintf(stderr, "moat-ctl: %s is gone (hypervisor disabled)\n", path_.c_str());
                return false;
            }
        }
    }

    std::uint32_t next_seq() const { return __atomic_load_n(&to_cell_->head, __ATOMIC_ACQUIRE) + 1; }
    unsigned refused() const { return refused_; }

    static long long now_ms()
    {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
    }

private:
    std::string path_;
    int fd_ = -1;
    moat_linkq *to_cell_ = nullptr;
    moat_linkq *to_linux_ = nullptr;
    const volatile moat_link_state *state_ = nullptr;
    unsigned refused_ = 0;
};

// Send one command and wait for its answer, printing telemetry that arrives meanwhile only if
// `show`. 0: accepted; 1: refused by the cell; 2: no answer.
int command(Link &link, const void *msg, std::uint32_t len, std::uint32_t seq)
{
    if (!link.send(msg, len))
        return 2;
    moat_ctl_msg m;
    const long long deadline = Link::now_ms() + kAnswerTimeoutMs;
    while (Link::now_ms() < deadline && link.receive(m, static_cast<int>(deadline - Link::now_ms()))) {
        if (m.type != MOAT_CTL_ACK || m.seq != seq)
            continue;  // telemetry, or an answer to an earlier command
        std::printf("moat-ctl: %s\n", moat_ctl::ack_line(m).c_str());
        return m.u.ack.status == MOAT_CTL_OK ? 0 : 1;
    }
    std::fprintf(stderr, "moat-ctl: no answer from the cell within %d ms (is it running ctl-steer?)\n",
                 kAnswerTimeoutMs);
    return 2;
}

int command(Link &link, const moat_ctl_msg &m) { return command(link, &m, sizeof(m), m.seq); }

int watch(Link &link, std::uint32_t hz, unsigned count)
{
    int rc = command(link, moat_ctl::rate_command(link.next_seq(), hz));
    if (rc)
        return rc;
    moat_ctl::RateMeter meter;
    moat_ctl_msg m;
    // Each message is due 1/hz s after the previous one; allow a second more for the first.
    const int wait_ms = static_cast<int>(1000 / hz) + 1000;
    while (meter.messages < count && link.receive(m, wait_ms)) {
        if (m.type != MOAT_CTL_TELEMETRY)
            continue;
        meter.add(m.u.telemetry, m.seq, Link::now_ms());
        std::printf("moat-ctl: %s\n", moat_ctl::telemetry_line(m).c_str());
    }
    const bool complete = meter.messages == count;
    rc = command(link, moat_ctl::rate_command(link.next_seq(), 0));
    const double rate = meter.hz(kCellRateHz);
    std::printf("moat-ctl: %llu telemetry messages, %.1f per second of cell time (asked: %u), %.1f per second of"
                " Linux time, %llu sequence gaps, deadline misses: %llu in the windows, %llu by the totals,"
                " %u invalid messages ignored\n",
                static_cast<unsigned long long>(meter.messages), rate, hz, meter.linux_hz(),
                static_cast<unsigned long long>(meter.gaps), static_cast<unsigned long long>(meter.window_misses),
                static_cast<unsigned long long>(meter.total_misses()), link.refused());
    if (!complete)
        std::fprintf(stderr, "moat-ctl: only %llu of %u telemetry messages arrived\n",
                     static_cast<unsigned long long>(meter.messages), count);
    return complete ? rc : 2;
}

// Ring the cell with write() as fast as one thread can for `ms` of CLOCK_MONOTONIC. Each
// ring the hypervisor takes (it set the doorbell pending, or found it still pending and
// coalesced it) returns 4, each over this endpoint's budget -EAGAIN; anything else ends the storm.
int storm(Link &link, unsigned ms)
{
    const std::uint32_t ring = kRingWrite | MOAT_CTL_PEER_CELL;
    const long long start = Link::now_ms(), end = start + ms;
    unsigned long long taken = 0, throttled = 0;
    long long now = start;
    int err = 0;
    while (!err && (now = Link::now_ms()) < end) {
        // 64 rings between clock reads: the loop is rings, not clock_gettime.
        for (int i = 0; i < 64; i++) {
            if (write(link.fd(), &ring, sizeof(ring)) == sizeof(ring)) {
                taken++;
            } else if (errno == EAGAIN) {
                throttled++;
            } else {
                err = errno;
                break;
            }
        }
    }
    const double s = (now - start) / 1000.0;
    std::printf("moat-ctl: storm: %llu rings in %.2f s of Linux time (%.0f per second): %llu taken (signalled"
                " or coalesced), %llu throttled\n",
                taken + throttled, s, s > 0 ? (taken + throttled) / s : 0.0, taken, throttled);
    if (err) {
        std::fprintf(stderr, "moat-ctl: ringing the cell failed: %s%s\n", std::strerror(err),
                     err == ENOLINK ? " (the cell is not there)" : "");
        return 2;
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string name = MOAT_CTL_LINK_NAME, error;
    if (args.size() >= 2 && args[0] == "--link") {
        name = args[1];
        args.erase(args.begin(), args.begin() + 2);
    }
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        usage(args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    const std::string cmd = args[0];
    // Check the command line fully before touching the link.
    std::int32_t milli = 0;
    std::uint32_t hz = 10;
    unsigned count = 10;
    std::string raw;
    bool ok = true;
    if (cmd == "set" && (args.size() == 2 || (args.size() == 3 && args[2] == "--unchecked"))) {
        ok = moat_ctl::parse_setpoint(args[1], args.size() == 3, milli, error);
    } else if (cmd == "profile" && args.size() == 1) {
    } else if (cmd == "watch") {
        for (std::size_t i = 1; ok && i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                error = "watch: " + args[i] + " needs a value";
                ok = false;
            } else if (args[i] == "--rate") {
                ok = moat_ctl::parse_rate(args[i + 1], hz, error);
            } else if (args[i] == "--count") {
                char *end = nullptr;
                const unsigned long v = std::strtoul(args[i + 1].c_str(), &end, 10);
                ok = *end == 0 && v >= 1 && v <= 100000 && args[i + 1][0] != '-';
                count = static_cast<unsigned>(v);
                error = "watch: --count takes a number of messages, 1..100000";
            } else {
                error = "watch: unknown option " + args[i] + " (--rate HZ, --count N)";
                ok = false;
            }
        }
    } else if (cmd == "raw" && args.size() == 2) {
        ok = moat_ctl::parse_hex(args[1], raw, error);
    } else if (cmd == "storm" && args.size() == 2) {
        char *end = nullptr;
        const unsigned long v = std::strtoul(args[1].c_str(), &end, 10);
        ok = *end == 0 && v >= 10 && v <= 60000 && args[1][0] != '-';
        count = static_cast<unsigned>(v);
        error = "storm: MS is a whole number of milliseconds, 10..60000";
    } else {
        usage(stderr);
        return 2;
    }
    if (!ok) {
        std::fprintf(stderr, "moat-ctl: %s\n", error.c_str());
        return 2;
    }

    Link link;
    if (!link.open(name, cmd != "storm"))
        return 2;
    if (!link.cell_up()) {
        std::fprintf(stderr, "moat-ctl: the link's cell is not running (moat cell start ctl-loop)\n");
        return 2;
    }
    if (cmd == "storm")
        return storm(link, count);
    link.drain();
    if (cmd == "set")
        return command(link, moat_ctl::setpoint_command(link.next_seq(), milli));
    if (cmd == "profile")
        return command(link, moat_ctl::profile_command(link.next_seq()));
    if (cmd == "watch")
        return watch(link, hz, count);
    // raw: the cell answers with the seq it read (bytes 8..11), or 0 if the message has no
    // whole header (16 bytes).
    std::uint32_t seq = 0;
    if (raw.size() >= 16)
        std::memcpy(&seq, raw.data() + 8, sizeof(seq));
    return command(link, raw.data(), static_cast<std::uint32_t>(raw.size()), seq);
}
