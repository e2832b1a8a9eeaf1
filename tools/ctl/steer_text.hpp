// SPDX-License-Identifier: GPL-2.0
// moat-ctl's side of the steering protocol (include/moat/ctl_link.h) that needs no device: the
// commands it builds from what the user typed, and the text it prints of what the cell sent.
// Host-tested (tests/unit/ctl/); main.cpp does the I/O.
#pragma once

#include <moat/ctl_link.h>

#include <cstdint>
#include <string>

namespace moat_ctl {

// "150", "-42.5", "0.125" rad/s -> milli rad/s. False, with the reason in `error`, for anything
// else: not a number, more than three decimals, or beyond MOAT_CTL_SETPOINT_MAX (unless
// `unchecked`, which lets any int32 through so that the cell's own check can be tested).
bool parse_setpoint(const std::string &text, bool unchecked, std::int32_t &milli, std::string &error);
// A telemetry rate, 1..MOAT_CTL_RATE_MAX per second.
bool parse_rate(const std::string &text, std::uint32_t &hz, std::string &error);
// Hex bytes ("4d54434c0100..." or with spaces) -> at most MOAT_LINKQ_MAX_MSG bytes.
bool parse_hex(const std::string &text, std::string &bytes, std::string &error);

moat_ctl_msg setpoint_command(std::uint32_t seq, std::int32_t milli);
moat_ctl_msg profile_command(std::uint32_t seq);
moat_ctl_msg rate_command(std::uint32_t seq, std::uint32_t hz);

// "150.000": thousandths as a decimal.
std::string milli_text(std::int64_t milli);
// One line for a telemetry message (decoded and valid).
std::string telemetry_line(const moat_ctl_msg &m);
// One line for an answer (decoded and valid).
std::string ack_line(const moat_ctl_msg &m);

// Telemetry rate as the cell's own clock measures it (messages after the first over the control
// periods between first and last, at `periods_per_second`) and as Linux's clock does (over the
// time between their arrivals); deadline misses two ways: the windows' counts after the first
// message, and the growth of the total between first and last, which must agree.
struct RateMeter {
    std::uint64_t first_period = 0, last_period = 0, messages = 0, window_misses = 0, gaps = 0;
    std::uint64_t first_misses = 0, last_misses = 0;
    long long first_ms = 0, last_ms = 0;
    std::uint32_t last_seq = 0;
    void add(const moat_ctl_telemetry &t, std::uint32_t seq, long long now_ms = 0);
    // Messages per second of cell time, 0 with fewer than two messages.
    double hz(std::uint64_t periods_per_second) const;
    // Messages per second of Linux time, 0 with fewer than two messages.
    double linux_hz() const;
    std::uint64_t total_misses() const { return last_misses - first_misses; }
};

}  // namespace moat_ctl
