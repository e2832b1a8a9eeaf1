// SPDX-License-Identifier: GPL-2.0
#include "selftest_report.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace moat::selftest {

namespace {

// The value of "key=" among the space-separated words of s, without the given unit suffix.
std::optional<std::string_view> field(std::string_view s, std::string_view key, std::string_view unit = "")
{
    size_t pos = 0;
    while (pos < s.size()) {
        size_t end = s.find(' ', pos);
        if (end == std::string_view::npos)
            end = s.size();
        std::string_view word = s.substr(pos, end - pos);
        if (word.size() > key.size() && word.substr(0, key.size()) == key && word[key.size()] == '=') {
            std::string_view v = word.substr(key.size() + 1);
            if (!unit.empty()) {
                if (v.size() <= unit.size() || v.substr(v.size() - unit.size()) != unit)
                    return std::nullopt;
                v.remove_suffix(unit.size());
            }
            return v;
        }
        pos = end + 1;
    }
    return std::nullopt;
}

template <typename T> bool number(std::optional<std::string_view> v, T &out)
{
    if (!v || v->empty())
        return false;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    return ec == std::errc() && p == v->data() + v->size();
}

// The text after "prefix" in line, if the line has it (cells' lines carry "[cell] " first).
std::optional<std::string_view> after(std::string_view line, std::string_view prefix)
{
    size_t at = line.find(prefix);
    if (at == std::string_view::npos)
        return std::nullopt;
    return line.substr(at + prefix.size());
}

std::string fmt(const char *f, auto... args)
{
    char buf[256];
    std::snprintf(buf, sizeof(buf), f, args...);
    return buf;
}

// "[lo,hi) ticks: n" or ">=lo ticks: n"
bool parse_bucket(std::string_view s, Bucket &b)
{
    size_t colon = s.find(" ticks: ");
    if (colon == std::string_view::npos || !number(s.substr(colon + 8), b.count))
        return false;
    std::string_view range = s.substr(0, colon);
    if (range.substr(0, 2) == ">=") {
        b.upper = 0;
        return number(range.substr(2), b.lower);
    }
    size_t comma = range.find(',');
    if (range.size() < 4 || range.front() != '[' || range.back() != ')' || comma == std::string_view::npos)
        return false;
    return number(range.substr(1, comma - 1), b.lower) &&
           number(range.substr(comma + 1, range.size() - comma - 2), b.upper) && b.upper > b.lower;
}

}  // namespace

bool parse_ctl_line(std::string_view line, CtlSecond &out)
{
    auto rest = after(line, "ctl-loop: t=");
    if (!rest)
        return false;
    std::string s = "t=" + std::string(*rest);
    CtlSecond c;
    bool ok = number(field(s, "t", "s"), c.second) && number(field(s, "periods"), c.periods) &&
              number(field(s, "misses"), c.misses) && number(field(s, "jitter_min", "ns"), c.jitter_min_ns) &&
              number(field(s, "jitter_avg", "ns"), c.jitter_avg_ns) &&
              number(field(s, "jitter_max", "ns"), c.jitter_max_ns) &&
              number(field(s, "latency_max", "ns"), c.latency_max_ns) &&
              number(field(s, "exec_max", "ns"), c.exec_max_ns);
    if (ok)
        out = c;
    return ok;
}

void ConsoleParser::feed(std::string_view text)
{
    for (char ch : text) {
        if (ch == '\n') {
            line(partial_);
            partial_.clear();
        } else if (ch != '\r') {
            partial_.push_back(ch);
        }
    }
}

void ConsoleParser::line(std::string_view l)
{
    CtlSecond c;
    if (parse_ctl_line(l, c)) {
        ctl_.push_back(c);
        return;
    }
    auto rest = after(l, "timer-latency: ");
    if (!rest)
        return;
    std::string_view s = *rest;
    if (s.substr(0, 6) == "done, ") {
        latency_.done = true;
        latency_.ok = s.substr(6) == "ok";
        return;
    }
    if (auto hz = after(s, "CNTFRQ="); hz) {
        std::string_view v = hz->substr(0, hz->find(' '));
        number(std::optional(v), latency_.cntfrq);
        return;
    }
    if (s.substr(0, 5) != "mode=")
        return;
    size_t sp = s.find(' ');
    if (sp == std::string_view::npos)
        return;
    std::string mode(s.substr(5, sp - 5));
    std::string_view what = s.substr(sp + 1);
    if (what.substr(0, 8) == "handler ") {
        LatencyRound &r = latency_.rounds[mode];
        std::string w(what);
        number(field(w, "samples"), r.samples);
        number(field(w, "min_ns"), r.min_ns);
        number(field(w, "avg_ns"), r.avg_ns);
        number(field(w, "max_ns"), r.max_ns);
    } else if (what.substr(0, 5) == "hist ") {
        Bucket b;
        if (parse_bucket(what.substr(5), b))
            latency_.rounds[mode].histogram.push_back(b);
    } else if (what.substr(0, 7) == "ERROR: ") {
        std::uint64_t n = 0;
        std::string_view e = what.substr(7);
        if (number(std::optional(e.substr(0, e.find(' '))), n))
            latency_.rounds[mode].early += n;
    }
}

CtlSummary summarize(const std::vector<CtlSecond> &seconds)
{
    CtlSummary s;
    std::int64_t avg_sum = 0;
    for (const CtlSecond &c : seconds) {
        if (s.seconds == 0) {
            s.jitter_min_ns = c.jitter_min_ns;
            s.jitter_max_ns = c.jitter_max_ns;
        }
        s.jitter_min_ns = std::min(s.jitter_min_ns, c.jitter_min_ns);
        s.jitter_max_ns = std::max(s.jitter_max_ns, c.jitter_max_ns);
        s.latency_max_ns = std::max(s.latency_max_ns, c.latency_max_ns);
        avg_sum += c.jitter_avg_ns;
        s.periods += c.periods;
        s.misses += c.misses;
        s.seconds++;
    }
    if (s.seconds)
        s.jitter_avg_ns = avg_sum / static_cast<std::int64_t>(s.seconds);
    return s;
}

std::int64_t ticks_to_ns(std::uint64_t ticks, std::uint64_t cntfrq)
{
    if (cntfrq == 0)
        return 0;
    return static_cast<std::int64_t>((static_cast<unsigned __int128>(ticks) * 1'000'000'000u) / cntfrq);
}

std::optional<std::int64_t> quantile_upper_ns(const LatencyRound &r, double q, std::uint64_t cntfrq)
{
    std::uint64_t total = 0;
    for (const Bucket &b : r.histogram)
        total += b.count;
    if (total == 0 || q <= 0 || q > 1)
        return std::nullopt;
    // The sample of rank ceil(q * total), counted from the smallest.
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total) + 0.999999);
    std::vector<Bucket> sorted = r.histogram;
    std::sort(sorted.begin(), sorted.end(), [](const Bucket &a, const Bucket &b) { return a.lower < b.lower; });
    std::uint64_t seen = 0;
    for (const Bucket &b : sorted) {
        seen += b.count;
        if (seen >= rank)
            return b.upper ? std::optional(ticks_to_ns(b.upper, cntfrq)) : std::nullopt;
    }
    return std::nullopt;
}

std::string histogram_text(const LatencyRound &r, std::uint64_t cntfrq, unsigned width)
{
    std::uint64_t peak = 0;
    for (const Bucket &b : r.histogram)
        peak = std::max(peak, b.count);
    std::string out;
    for (const Bucket &b : r.histogram) {
        if (b.count == 0)
            continue;
        // At least one mark for a non-empty bucket: a rare outlier must stay visible.
        unsigned bar = peak ? static_cast<unsigned>((b.count * width + peak - 1) / peak) : 0;
        std::string range = b.upper ? fmt("[%9lld, %9lld) ns", static_cast<long long>(ticks_to_ns(b.lower, cntfrq)),
                                          static_cast<long long>(ticks_to_ns(b.upper, cntfrq)))
                                    : fmt("[%9lld,       ...) ns", static_cast<long long>(ticks_to_ns(b.lower, cntfrq)));
        out += "    " + range + fmt(" %6llu ", static_cast<unsigned long long>(b.count)) + std::string(bar, '#') + "\n";
    }
    return out;
}

bool unexpected_exit(unsigned reason)
{
    switch (reason) {
    case MOAT_EXIT_HYPERCALL:  // the console
    case MOAT_EXIT_IRQ:        // its own timer
        return false;
    default:
        return true;
    }
}

namespace {

constexpr const char *EXIT_NAMES[MOAT_EXIT_REASONS] = MOAT_EXIT_REASON_NAMES;

// The first thing wrong with a phase, or "".
std::string phase_failure(const Phase &p, unsigned duration_s, bool emulated)
{
    if (!p.errors.empty())
        return "phase " + p.name + ": " + p.errors.front();
    const CtlSummary s = summarize(p.ctl);
    if (s.seconds < duration_s)
        return fmt("phase %s: the ctl-loop reported %llu of %u seconds", p.name.c_str(),
                   static_cast<unsigned long long>(s.seconds), duration_s);
    if (s.misses && !emulated)
        return fmt("phase %s: %llu deadline misses in the ctl-loop", p.name.c_str(),
                   static_cast<unsigned long long>(s.misses));
    if (!p.cpu_offline_in_linux)
        return fmt("phase %s: CPU %u stayed online in Linux while the cell had it", p.name.c_str(), p.cell_cpu);
    for (unsigned r = 0; r < MOAT_EXIT_REASONS; r++)
        if (unexpected_exit(r) && p.exits[r])
            return fmt("phase %s: isolation: %llu %s exits on the cell's CPU %u", p.name.c_str(),
                       static_cast<unsigned long long>(p.exits[r]), EXIT_NAMES[r], p.cell_cpu);
    if (!p.latency.done)
        return "phase " + p.name + ": the timer-latency demo did not finish";
    for (const auto &[mode, round] : p.latency.rounds)
        if (round.early)
            return fmt("phase %s: timer-latency (%s): %llu interrupts before their deadline", p.name.c_str(),
                       mode.c_str(), static_cast<unsigned long long>(round.early));
    if (!p.latency.ok)
        return "phase " + p.name + ": the timer-latency demo reported FAILED";
    return "";
}

}  // namespace

Verdict verdict(const Report &r)
{
    if (!r.errors.empty())
        return {false, r.errors.front()};
    if (r.phases.empty())
        return {false, "no phase ran"};
    for (const Phase &p : r.phases) {
        std::string why = phase_failure(p, r.duration_s, r.emulated);
        if (!why.empty())
            return {false, why};
    }
    return {true, ""};
}

namespace {

std::string ns_or_open(std::optional<std::int64_t> v)
{
    return v ? fmt("< %lld ns", static_cast<long long>(*v)) : std::string("in the open top bucket");
}

void format_phase(std::string &out, const Phase &p, bool emulated)
{
    out += "phase " + p.name + (p.name == "stressed" ? " (Linux under a CPU, memory and file load):\n" : " (Linux idle):\n");
    const CtlSummary s = summarize(p.ctl);
    out += fmt("  ctl-loop 10 kHz:  %llu s reported, %llu periods, %llu deadline misses\n",
               static_cast<unsigned long long>(s.seconds), static_cast<unsigned long long>(s.periods),
               static_cast<unsigned long long>(s.misses));
    if (s.misses && emulated)
        out += "  (misses not judged: emulated; QEMU runs the vCPUs in turn, so Linux's load delays the cell's)\n";
    out += fmt("  ctl-loop jitter:  min %lld ns, avg %lld ns, max %lld ns; release latency max %lld ns\n",
               static_cast<long long>(s.jitter_min_ns), static_cast<long long>(s.jitter_avg_ns),
               static_cast<long long>(s.jitter_max_ns), static_cast<long long>(s.latency_max_ns));
    for (const char *mode : {"wfi", "busy"}) {
        auto it = p.latency.rounds.find(mode);
        if (it == p.latency.rounds.end())
            continue;
        const LatencyRound &r = it->second;
        out += fmt("  timer latency (%s): %llu samples, min %lld ns, avg %lld ns, max %lld ns, p99 %s\n", mode,
                   static_cast<unsigned long long>(r.samples), static_cast<long long>(r.min_ns),
                   static_cast<long long>(r.avg_ns), static_cast<long long>(r.max_ns),
                   ns_or_open(quantile_upper_ns(r, 0.99, p.latency.cntfrq)).c_str());
    }
    out += fmt("  exits/s on CPU %u:", p.cell_cpu);
    bool any = false;
    for (unsigned r = 0; r < MOAT_EXIT_REASONS; r++) {
        if (!p.exits[r])
            continue;
        any = true;
        out += fmt(" %s %.1f", EXIT_NAMES[r], p.exit_seconds > 0 ? static_cast<double>(p.exits[r]) / p.exit_seconds : 0.0);
    }
    out += any ? "\n" : " none\n";
    for (const char *mode : {"wfi", "busy"}) {
        auto it = p.latency.rounds.find(mode);
        if (it == p.latency.rounds.end() || it->second.histogram.empty())
            continue;
        out += fmt("  histogram, timer interrupt to handler (%s):\n", mode);
        out += histogram_text(it->second, p.latency.cntfrq);
    }
    for (const std::string &e : p.errors)
        out += "  error: " + e + "\n";
}

// Isolation: the cell's CPU left Linux and took no exit but its timer and its console.
std::string isolation_line(const Report &r)
{
    for (const Phase &p : r.phases) {
        if (!p.cpu_offline_in_linux)
            return fmt("isolation: FAIL (CPU %u was online in Linux during phase %s)", p.cell_cpu, p.name.c_str());
        for (unsigned x = 0; x < MOAT_EXIT_REASONS; x++)
            if (unexpected_exit(x) && p.exits[x])
                return fmt("isolation: FAIL (%llu %s exits on the cell's CPU %u during phase %s)",
                           static_cast<unsigned long long>(p.exits[x]), EXIT_NAMES[x], p.cell_cpu, p.name.c_str());
    }
    if (r.phases.empty())
        return "isolation: not checked";
    return fmt("isolation: PASS (CPU %u offline in Linux while the cell ran; its only exits were its timer"
               " interrupts and console hypercalls, idle and under stress)",
               r.phases.front().cell_cpu);
}

}  // namespace

std::string format_report(const Report &r)
{
    std::string out = "---- moat selftest report (paste all of it into a bug report) ----\n";
    out += "tool ABI:        " + r.tool_abi + "\n";
    out += "driver ABI:      " + r.driver_abi + "\n";
    out += "hypervisor ABI:  " + r.hv_abi + "\n";
    out += "kernel:          " + r.kernel + "\n";
    out += "board:           " + r.board + "\n";
    out += "cells from:      " + r.board_dir + "\n";
    out += fmt("duration:        %u s of ctl-loop per phase, then one timer-latency run\n", r.duration_s);
    if (r.emulated)
        out += "emulated:        yes (QEMU): the latency and jitter figures are the emulator's, not a board's\n";
    for (const Phase &p : r.phases)
        format_phase(out, p, r.emulated);
    for (const std::string &e : r.errors)
        out += "error: " + e + "\n";
    out += isolation_line(r) + "\n";
    const Verdict v = verdict(r);
    out += v.pass ? "selftest: PASS\n" : "selftest: FAIL (" + v.reason + ")\n";
    out += "---- end of moat selftest report ----\n";
    return out;
}

std::string histogram_csv(const Report &r)
{
    std::string out = "phase,mode,lower_ns,upper_ns,count\n";
    for (const Phase &p : r.phases)
        for (const auto &[mode, round] : p.latency.rounds)
            for (const Bucket &b : round.histogram)
                out += fmt("%s,%s,%lld,%lld,%llu\n", p.name.c_str(), mode.c_str(),
                           static_cast<long long>(ticks_to_ns(b.lower, p.latency.cntfrq)),
                           b.upper ? static_cast<long long>(ticks_to_ns(b.upper, p.latency.cntfrq)) : -1LL,
                           static_cast<unsigned long long>(b.count));
    return out;
}

}  // namespace moat::selftest
