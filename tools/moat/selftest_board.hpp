// SPDX-License-Identifier: GPL-2.0
// moat selftest: which board this is and where its compiled cells and demos are. Pure functions
// (the file system is passed in) so that tests/unit/selftest/ checks every case on the host.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace moat::selftest {

struct BoardFacts {
    std::string name;         // "rpi4", "zcu102", "virt" (QEMU), "unknown"
    std::string compatible;   // the root compatible's first entry
    unsigned gic = 0;         // 2 or 3; 0 when no GIC was recognised
    bool emulated = false;    // QEMU (virt, or a fw-cfg device in the tree)
    std::string description;  // for the report
};

// Whether the device tree shows that QEMU made the machine: a fw-cfg device node (QEMU virt), or
// on a ZynqMP the firmware node (/firmware/zynqmp-firmware) with status "disabled" as read
// (NUL-terminated; empty when absent): QEMU's xlnx-zcu102 disables it when it boots Linux
// without EL3 firmware, while on the board TF-A and the PMU firmware serve it and Linux needs
// it for its clocks and power domains.
bool qemu_signs(bool fw_cfg_node, const std::string &zynqmp_firmware_status);

// compatible: the root node's property as read (strings separated by NULs); intcs: the
// compatible properties of the interrupt controllers found in the tree.
// emulated_signs: qemu_signs() of the tree.
BoardFacts board_facts(const std::string &compatible, const std::vector<std::string> &intcs, bool emulated_signs);

// Where moat's tools install a board's cells (then the test initramfs's layout).
std::vector<std::string> cell_dir_candidates(const BoardFacts &b);

// The demos' directory that goes with a cells directory: the last "cells" component becomes
// "demos" (/usr/share/moat/cells/rpi4 -> /usr/share/moat/demos/rpi4, /cells/gicv2 -> /demos/gicv2).
std::string demos_dir_for(const std::string &cells_dir);

// The sub-directory of a board's demos with the self-check's builds of ctl-loop and timer-latency
// on boards whose demos print on a UART of the cell's own (demos/CMakeLists.txt: DEMO_CELL_CONSOLE):
// there they are built again with the hypervisor's console, which the self-check reads.
inline constexpr const char *kSelftestDemosSubdir = "selftest";

using PathTest = std::function<bool(const std::string &)>;

struct SelftestFiles {
    std::string root_cell, ctl_cell, ctl_bin, latency_bin;
};

// Resolves --cells/--demos/--root-cell (empty: the defaults); the demos are taken from the
// demos directory's selftest/ when it holds both, else from the directory itself. False with err naming what is
// missing and which option to give. The root cell is only required to exist when
// need_root_cell (moat is not enabled yet).
bool locate_files(const BoardFacts &b, const std::string &cells, const std::string &demos,
                  const std::string &root_cell, bool need_root_cell, const PathTest &is_dir,
                  const PathTest &is_file, SelftestFiles &out, std::string &err);

}  // namespace moat::selftest
