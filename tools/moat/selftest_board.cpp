// SPDX-License-Identifier: GPL-2.0
#include "selftest_board.hpp"

namespace moat::selftest {

namespace {

std::vector<std::string> split_nul(const std::string &s)
{
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t end = s.find('\0', pos);
        if (end == std::string::npos)
            end = s.size();
        if (end > pos)
            out.push_back(s.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

bool has(const std::vector<std::string> &v, const std::string &prefix)
{
    for (const std::string &s : v)
        if (s.rfind(prefix, 0) == 0)
            return true;
    return false;
}

bool has_demos(const std::string &dir, const PathTest &is_file)
{
    return is_file(dir + "/ctl-loop.bin") && is_file(dir + "/timer-latency.bin");
}

}  // namespace

bool qemu_signs(bool fw_cfg_node, const std::string &zynqmp_firmware_status)
{
    const std::vector<std::string> status = split_nul(zynqmp_firmware_status);
    return fw_cfg_node || (!status.empty() && status.front() == "disabled");
}

BoardFacts board_facts(const std::string &compatible, const std::vector<std::string> &intcs, bool emulated_signs)
{
    BoardFacts b;
    const std::vector<std::string> compat = split_nul(compatible);
    b.compatible = compat.empty() ? "(no compatible)" : compat.front();
    if (has(compat, "xlnx,zynqmp-zcu102"))
        b.name = "zcu102";
    else if (has(compat, "raspberrypi,4-model-b"))
        b.name = "rpi4";
    else if (has(compat, "linux,dummy-virt"))
        b.name = "virt";
    else
        b.name = "unknown";
    for (const std::string &i : intcs) {
        const std::vector<std::string> c = split_nul(i);
        if (has(c, "arm,gic-v3"))
            b.gic = 3;
        else if (b.gic == 0 && (has(c, "arm,gic-400") || has(c, "arm,cortex-a15-gic") || has(c, "arm,cortex-a9-gic") ||
                                has(c, "arm,cortex-a7-gic")))
            b.gic = 2;
    }
    b.emulated = emulated_signs || b.name == "virt";
    b.description = b.compatible + " (" + (b.name == "virt" ? "QEMU virt" : b.name) + ", " +
                    (b.gic ? "GICv" + std::to_string(b.gic) : std::string("GIC not recognised")) + ")";
    return b;
}

std::vector<std::string> cell_dir_candidates(const BoardFacts &b)
{
    if (b.name == "virt")
        return b.gic == 2 ? std::vector<std::string>{"/usr/share/moat/cells/qemu-virt-gicv2", "/cells/gicv2"}
                          : std::vector<std::string>{"/usr/share/moat/cells/qemu-virt", "/cells"};
    if (b.name == "unknown")
        return {};
    return {"/usr/share/moat/cells/" + b.name, "/cells/" + b.name};
}

std::string demos_dir_for(const std::string &cells_dir)
{
    std::string d = cells_dir;
    while (d.size() > 1 && d.back() == '/')
        d.pop_back();
    for (size_t pos = d.rfind("cells"); pos != std::string::npos; pos = pos ? d.rfind("cells", pos - 1) : std::string::npos) {
        const bool starts = pos == 0 || d[pos - 1] == '/';
        const bool ends = pos + 5 == d.size() || d[pos + 5] == '/';
        if (starts && ends)
            return d.substr(0, pos) + "demos" + d.substr(pos + 5);
        if (pos == 0)
            break;
    }
    return d;
}

bool locate_files(const BoardFacts &b, const std::string &cells, const std::string &demos,
                  const std::string &root_cell, bool need_root_cell, const PathTest &is_dir,
                  const PathTest &is_file, SelftestFiles &out, std::string &err)
{
    std::string dir = cells;
    if (dir.empty()) {
        const std::vector<std::string> candidates = cell_dir_candidates(b);
        if (candidates.empty()) {
            err = "the board (compatible \"" + b.compatible + "\") is not one moat has cells for (rpi4, zcu102, QEMU virt):"
                  " give the directory of its compiled cells with --cells DIR";
            return false;
        }
        for (const std::string &c : candidates)
            if (is_file(c + "/ctl-loop.cell")) {
                dir = c;
                break;
            }
        if (dir.empty()) {
            err = "no ctl-loop.cell for " + b.description + " in";
            for (const std::string &c : candidates)
                err += " " + c;
            err += ": install the board's cells, or give their directory with --cells DIR";
            return false;
        }
    } else if (!is_dir(dir)) {
        err = "--cells " + dir + ": no such directory (give the directory of the board's compiled cells: root.cell, ctl-loop.cell)";
        return false;
    } else if (!is_file(dir + "/ctl-loop.cell")) {
        err = "--cells " + dir + " has no ctl-loop.cell (moat-cellc compiles cells/<board>/ctl-loop.dtso into it)";
        return false;
    }
    out.ctl_cell = dir + "/ctl-loop.cell";

    std::string ddir = demos;
    if (ddir.empty())
        ddir = is_file(dir + "/ctl-loop.bin") ? dir : demos_dir_for(dir);
    else if (!is_dir(ddir)) {
        err = "--demos " + ddir + ": no such directory (give the directory with ctl-loop.bin and timer-latency.bin, or"
              " the board's demos directory with them in selftest/)";
        return false;
    }
    // Boards whose demos print on a UART the cell owns have the self-check's builds (hypervisor
    // console, which the self-check reads) in selftest/ beside them.
    const std::string hvc_dir = ddir + "/" + std::string(kSelftestDemosSubdir);
    if (has_demos(hvc_dir, is_file))
        ddir = hvc_dir;
    for (const char *name : {"ctl-loop.bin", "timer-latency.bin"}) {
        if (!is_file(ddir + "/" + name)) {
            err = ddir + " has no " + name + " and no " + kSelftestDemosSubdir +
                  "/ with ctl-loop.bin and timer-latency.bin (the demos built for the board" +
                  (demos.empty() ? "): give their directory with --demos DIR" : ")");
            return false;
        }
    }
    out.ctl_bin = ddir + "/ctl-loop.bin";
    out.latency_bin = ddir + "/timer-latency.bin";

    out.root_cell = root_cell.empty() ? dir + "/root.cell" : root_cell;
    if (need_root_cell && !is_file(out.root_cell)) {
        err = (root_cell.empty() ? dir + " has no root.cell" : "--root-cell " + root_cell + ": no such file") +
              " (moat is not enabled: the self-check enables it with the board's root cell; give it with --root-cell FILE)";
        return false;
    }
    return true;
}

}  // namespace moat::selftest
