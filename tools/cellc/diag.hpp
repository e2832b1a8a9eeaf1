// SPDX-License-Identifier: GPL-2.0
// Where a problem is (file, node, property) and what it is. Every message moat-cellc prints is
// one of these, so that the user can find the line to change.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace cellc {

struct Location {
    std::string file;      // the .dtb/.dtbo (or .cell) the offending node came from
    std::string node;      // node path in the merged tree, e.g. /moat-cell-ctl-loop
    std::string property;  // property name, or empty
};

struct Diagnostic {
    Location where;
    std::string message;   // what is wrong and what to change

    // "file: node: property: message", leaving out empty parts.
    std::string str() const;
};

// Thrown when input cannot be processed any further (unreadable file, broken tree, ...).
class Error : public std::runtime_error {
public:
    explicit Error(Diagnostic d) : std::runtime_error(d.str()), diag_(std::move(d)) {}
    Error(Location where, std::string message) : Error(Diagnostic{std::move(where), std::move(message)}) {}
    const Diagnostic &diagnostic() const { return diag_; }

private:
    Diagnostic diag_;
};

using Diagnostics = std::vector<Diagnostic>;

// 0x-prefixed lower-case hex, the way every address appears in messages.
std::string hex(unsigned long long v);

}  // namespace cellc
