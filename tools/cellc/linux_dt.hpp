// SPDX-License-Identifier: GPL-2.0
// The device tree a Linux cell boots with (docs/linux-cell.md), generated from the board tree
// and the cell's overlay: never written by hand.
#pragma once

#include <string>
#include <vector>

#include "cellc.hpp"

namespace cellc {

struct LinuxDtResult {
    std::vector<char> dtb;  // empty if diags is not
    Diagnostics diags;
};

// The tree of the cell that the last overlay defines: its RAM as /memory, its CPUs (enable-method
// "psci"), PSCI over SMC (what moat traps for cells), the GIC as the cell sees it, the timer, its
// devices with the clocks they name, and /chosen with `bootargs` and the console as stdout-path.
// The initramfs range is added at load time (moat cell linux).
LinuxDtResult linux_dt(const Blob &board, const std::vector<Blob> &overlays, const std::string &bootargs);

}  // namespace cellc
