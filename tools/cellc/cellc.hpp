// SPDX-License-Identifier: GPL-2.0
// moat-cellc as a library: what the command line, the tests and the fuzzers call.
// Nothing here throws on bad input; every problem comes back as a Diagnostic.
#pragma once

#include <vector>

#include "descriptor.hpp"

namespace cellc {

struct CompileResult {
    std::vector<char> descriptor;  // empty if diags is not
    Diagnostics diags;
};

// Compiles the cell that the last overlay defines; the other overlays are context (e.g. a
// shared-memory region the cell maps). Overlays may come in any order.
CompileResult compile_cell(const Blob &board, const std::vector<Blob> &overlays);

// Checks a whole system: the root cell and every other cell, on their own and together.
Diagnostics check_system(const Blob &board, const std::vector<Blob> &overlays);

}  // namespace cellc
