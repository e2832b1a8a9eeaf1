// SPDX-License-Identifier: GPL-2.0
// One cell's console output gathered into lines before the hypervisor prints them as
// "[name] text". Pure state, no locking: the caller holds the cell's console lock (its CPUs
// print at once). Every index stays inside the buffer whatever the cell sends.
#pragma once

#include "lib/types.hpp"

namespace moat {

class ConsoleLine {
public:
    // Characters in one printed line; a longer line goes on in the next one.
    static constexpr u32 MAX = 199;

    void reset() { *this = ConsoleLine{}; }

    // Add one character the cell sent. Returns the completed line (without its newline, NUL
    // terminated; valid until the next call) when `c` ends one or fills the buffer, else nullptr.
    const char *put(char c)
    {
        if (done_ || len_ > MAX) {
            len_ = 0;
            done_ = false;
        }
        if (c == '\r')
            return nullptr;
        if (c != '\n')
            buf_[len_++] = printable(c);
        if (c != '\n' && len_ < MAX)
            return nullptr;
        buf_[len_] = '\0';
        done_ = true;
        return buf_;
    }

private:
    // A cell does not get to send the root's terminal control characters (or a NUL that would
    // cut its line short).
    static char printable(char c)
    {
        unsigned char u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f ? '?' : c;
    }

    char buf_[MAX + 1] = {};
    u32 len_ = 0;
    bool done_ = false;
};

}  // namespace moat
