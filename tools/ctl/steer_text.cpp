// SPDX-License-Identifier: GPL-2.0
#include "steer_text.hpp"

#include <moat/link_queue.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace moat_ctl {

bool parse_setpoint(const std::string &text, bool unchecked, std::int32_t &milli, std::string &error)
{
    std::size_t i = 0;
    const bool negative = !text.empty() && text[0] == '-';
    if (negative)
        i++;
    std::int64_t whole = 0, frac = 0;
    int digits = 0, decimals = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; i++, digits++)
        if (whole < 10'000'000)
            whole = whole * 10 + (text[i] - '0');
    if (i < text.size() && text[i] == '.')
        for (i++; i < text.size() && text[i] >= '0' && text[i] <= '9'; i++, decimals++)
            if (decimals < 3)
                frac = frac * 10 + (text[i] - '0');
    if (digits == 0 || i != text.size()) {
        error = "setpoint '" + text + "' is not a number of rad/s (e.g. 150 or -42.5)";
        return false;
    }
    if (decimals > 3) {
        error = "setpoint '" + text + "' has more than three decimals (the protocol carries milli rad/s)";
        return false;
    }
    for (; decimals < 3; decimals++)
        frac *= 10;
    std::int64_t v = whole * 1000 + frac;
    v = negative ? -v : v;
    const std::int64_t limit = unchecked ? INT32_MAX : MOAT_CTL_SETPOINT_MAX;
    if (v > limit || v < -limit) {
        error = "setpoint " + text + " rad/s is out of range: at most " + milli_text(limit) +
                " rad/s either way" + (unchecked ? "" : " (the motor could not hold more under load)");
        return false;
    }
    milli = static_cast<std::int32_t>(v);
    return true;
}

bool parse_rate(const std::string &text, std::uint32_t &hz, std::string &error)
{
    char *end = nullptr;
    const unsigned long v = text.empty() || text[0] == '-' ? 0 : std::strtoul(text.c_str(), &end, 10);
    if (!end || *end || v < 1 || v > MOAT_CTL_RATE_MAX) {
        error = "telemetry rate '" + text + "' must be a whole number of messages per second, 1.." +
                std::to_string(MOAT_CTL_RATE_MAX);
        return false;
    }
    hz = static_cast<std::uint32_t>(v);
    return true;
}

bool parse_hex(const std::string &text, std::string &bytes, std::string &error)
{
    bytes.clear();
    int nibble = -1;
    for (char c : text) {
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (c == ' ')
            continue;
        if (v < 0) {
            error = std::string("raw message: '") + c + "' is not a hex digit";
            return false;
        }
        if (nibble < 0) {
            nibble = v;
        } else {
            bytes.push_back(static_cast<char>(nibble << 4 | v));
            nibble = -1;
        }
    }
    if (nibble >= 0 || bytes.size() > MOAT_LINKQ_MAX_MSG) {
        error = nibble >= 0 ? "raw message: an odd number of hex digits"
                            : "raw message: more than " + std::to_string(MOAT_LINKQ_MAX_MSG) + " bytes (a queue slot)";
        return false;
    }
    return true;
}

moat_ctl_msg setpoint_command(std::uint32_t seq, std::int32_t milli)
{
    moat_ctl_msg m = moat_ctl_new(MOAT_CTL_SETPOINT, seq);
    m.u.setpoint.milli_rad_s = milli;
    m.u.setpoint.mode = MOAT_CTL_MODE_HOLD;
    return m;
}

moat_ctl_msg profile_command(std::uint32_t seq)
{
    moat_ctl_msg m = moat_ctl_new(MOAT_CTL_SETPOINT, seq);
    m.u.setpoint.mode = MOAT_CTL_MODE_PROFILE;
    return m;
}

moat_ctl_msg rate_command(std::uint32_t seq, std::uint32_t hz)
{
    moat_ctl_msg m = moat_ctl_new(MOAT_CTL_RATE, seq);
    m.u.rate.hz = hz;
    return m;
}

std::string milli_text(std::int64_t milli)
{
    char buf[32];
    const std::uint64_t a = milli < 0 ? 0 - static_cast<std::uint64_t>(milli) : static_cast<std::uint64_t>(milli);
    std::snprintf(buf, sizeof(buf), "%s%" PRIu64 ".%03" PRIu64, milli < 0 ? "-" : "", a / 1000, a % 1000);
    return buf;
}

std::string telemetry_line(const moat_ctl_msg &m)
{
    const moat_ctl_telemetry &t = m.u.telemetry;
    char buf[512];
    std::snprintf(buf, sizeof(buf),
                  "telemetry #%u: period=%" PRIu64 " speed=%s setpoint=%s voltage=%s load=%s settled=%d mode=%s"
                  " window=%u misses=%u/%" PRIu64 " jitter=%d..%dns latency_max=%uns exec_max=%uns"
                  " accepted=%u refused=%u dropped=%u",
                  m.seq, t.period, milli_text(t.speed).c_str(), milli_text(t.setpoint).c_str(),
                  milli_text(t.voltage).c_str(), milli_text(t.load / 1000).c_str(),
                  (t.flags & MOAT_CTL_TF_SETTLED) ? 1 : 0,
                  (t.flags & MOAT_CTL_TF_BRAKING) ? "braking" : (t.flags & MOAT_CTL_TF_HOLD) ? "hold" : "profile",
                  t.window_periods, t.window_misses, t.misses, t.jitter_min_ns, t.jitter_max_ns, t.latency_max_ns,
                  t.exec_max_ns, t.accepted, t.refused, t.dropped);
    return buf;
}

std::string ack_line(const moat_ctl_msg &m)
{
    const moat_ctl_ack &a = m.u.ack;
    char buf[256];
    std::snprintf(buf, sizeof(buf), "answer to #%u (type %u): %s%s; the cell has accepted %u, refused %u", m.seq,
                  a.command, a.status == MOAT_CTL_OK ? "" : "refused: ", moat_ctl_verdict_name(a.status), a.accepted,
                  a.refused);
    return buf;
}

void RateMeter::add(const moat_ctl_telemetry &t, std::uint32_t seq, long long now_ms)
{
    if (messages == 0) {
        first_period = t.period;
        first_misses = t.misses;
        first_ms = now_ms;
    } else if (seq != last_seq + 1) {
        gaps++;
    }
    if (messages)
        window_misses += t.window_misses;
    last_period = t.period;
    last_misses = t.misses;
    last_ms = now_ms;
    last_seq = seq;
    messages++;
}

double RateMeter::linux_hz() const
{
    if (messages < 2 || last_ms <= first_ms)
        return 0.0;
    return static_cast<double>(messages - 1) * 1000.0 / static_cast<double>(last_ms - first_ms);
}

double RateMeter::hz(std::uint64_t periods_per_second) const
{
    if (messages < 2 || last_period <= first_period)
        return 0.0;
    return static_cast<double>(messages - 1) * static_cast<double>(periods_per_second) /
           static_cast<double>(last_period - first_period);
}

}  // namespace moat_ctl
