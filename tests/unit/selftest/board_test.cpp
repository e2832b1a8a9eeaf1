// moat selftest: the board from its device tree, and where its cells and demos are found.
#include <gtest/gtest.h>

#include <set>

#include "selftest_board.hpp"

namespace moat::selftest {
namespace {

using namespace std::string_literals;

TEST(SelftestBoard, Facts)
{
    BoardFacts v = board_facts("linux,dummy-virt\0"s, {"arm,gic-v3\0"s}, true);
    EXPECT_EQ(v.name, "virt");
    EXPECT_EQ(v.gic, 3u);
    EXPECT_TRUE(v.emulated);
    EXPECT_EQ(v.description, "linux,dummy-virt (QEMU virt, GICv3)");
    BoardFacts pi = board_facts("raspberrypi,4-model-b\0brcm,bcm2711\0"s, {"arm,gic-400\0"s, "brcm,bcm2836-l1-intc\0"s}, false);
    EXPECT_EQ(pi.name, "rpi4");
    EXPECT_EQ(pi.gic, 2u);
    EXPECT_FALSE(pi.emulated);
    BoardFacts z = board_facts("xlnx,zynqmp-zcu102-rev1.0\0xlnx,zynqmp-zcu102\0xlnx,zynqmp\0"s, {"arm,gic-400\0arm,cortex-a15-gic\0"s}, false);
    EXPECT_EQ(z.name, "zcu102");
    EXPECT_EQ(z.compatible, "xlnx,zynqmp-zcu102-rev1.0");
    BoardFacts u = board_facts(""s, {}, false);
    EXPECT_TRUE(board_facts("xlnx,zynqmp-zcu102\0"s, {"arm,gic-400\0"s}, true).emulated);
    EXPECT_EQ(u.name, "unknown");
    EXPECT_EQ(u.gic, 0u);
    EXPECT_EQ(u.description, "(no compatible) (unknown, GIC not recognised)");
}

TEST(SelftestBoard, DemosDirForCells)
{
    EXPECT_EQ(demos_dir_for("/cells"), "/demos");
    EXPECT_EQ(demos_dir_for("/cells/gicv2"), "/demos/gicv2");
    EXPECT_EQ(demos_dir_for("/usr/share/moat/cells/rpi4/"), "/usr/share/moat/demos/rpi4");
    EXPECT_EQ(demos_dir_for("/home/pi/mycells"), "/home/pi/mycells");  // no "cells" component
    EXPECT_EQ(demos_dir_for("/cells/cellsx"), "/demos/cellsx");
}

struct FakeFs {
    std::set<std::string> dirs, files;
    PathTest dir() const { return [this](const std::string &p) { return dirs.count(p) > 0; }; }
    PathTest file() const { return [this](const std::string &p) { return files.count(p) > 0; }; }
};

FakeFs initramfs()
{
    FakeFs fs;
    fs.dirs = {"/cells", "/cells/gicv2", "/demos", "/demos/gicv2", "/cells/zcu102", "/demos/zcu102", "/tmp"};
    for (const char *d : {"/cells", "/cells/gicv2", "/cells/zcu102"}) {
        fs.files.insert(std::string(d) + "/root.cell");
        fs.files.insert(std::string(d) + "/ctl-loop.cell");
    }
    for (const char *d : {"/demos", "/demos/gicv2"}) {
        fs.files.insert(std::string(d) + "/ctl-loop.bin");
        fs.files.insert(std::string(d) + "/timer-latency.bin");
    }
    fs.files.insert("/demos/zcu102/ctl-loop.bin");
    return fs;
}

TEST(SelftestBoard, DefaultsFollowTheBoardAndGic)
{
    const FakeFs fs = initramfs();
    SelftestFiles f;
    std::string err;
    ASSERT_TRUE(locate_files(board_facts("linux,dummy-virt\0"s, {"arm,gic-v3\0"s}, true), "", "", "", true, fs.dir(),
                             fs.file(), f, err)) << err;
    EXPECT_EQ(f.root_cell, "/cells/root.cell");
    EXPECT_EQ(f.ctl_cell, "/cells/ctl-loop.cell");
    EXPECT_EQ(f.latency_bin, "/demos/timer-latency.bin");
    ASSERT_TRUE(locate_files(board_facts("linux,dummy-virt\0"s, {"arm,cortex-a15-gic\0"s}, true), "", "", "", true,
                             fs.dir(), fs.file(), f, err)) << err;
    EXPECT_EQ(f.ctl_cell, "/cells/gicv2/ctl-loop.cell");
    EXPECT_EQ(f.ctl_bin, "/demos/gicv2/ctl-loop.bin");
}

TEST(SelftestBoard, QemuSigns)
{
    EXPECT_TRUE(qemu_signs(true, ""s));
    // QEMU's xlnx-zcu102 disables the ZynqMP firmware node; the board's boot leaves it as it is.
    EXPECT_TRUE(qemu_signs(false, "disabled\0"s));
    EXPECT_FALSE(qemu_signs(false, "okay\0"s));
    EXPECT_FALSE(qemu_signs(false, ""s));
    EXPECT_FALSE(qemu_signs(false, "disabledx\0"s));
}

// The boards whose demos print on the cell's own UART (rpi4, zcu102) have the self-check's builds,
// with moat's console, in selftest/ beside them (demos/CMakeLists.txt, scripts/mkdeb.sh).
FakeFs installed_boards()
{
    FakeFs fs;
    for (const char *b : {"rpi4", "zcu102"}) {
        const std::string cells = std::string("/usr/share/moat/cells/") + b;
        const std::string demos = std::string("/usr/share/moat/demos/") + b;
        fs.dirs.insert({cells, demos, demos + "/selftest"});
        fs.files.insert({cells + "/root.cell", cells + "/ctl-loop.cell", demos + "/ctl-loop.bin",
                         demos + "/selftest/ctl-loop.bin", demos + "/selftest/timer-latency.bin"});
    }
    return fs;
}

TEST(SelftestBoard, BoardsWithTheirOwnUartUseTheSelftestBuilds)
{
    FakeFs fs = installed_boards();
    SelftestFiles f;
    std::string err;
    const BoardFacts z = board_facts("xlnx,zynqmp-zcu102\0xlnx,zynqmp\0"s, {"arm,gic-400\0"s}, false);
    ASSERT_TRUE(locate_files(z, "", "", "", true, fs.dir(), fs.file(), f, err)) << err;
    EXPECT_EQ(f.ctl_cell, "/usr/share/moat/cells/zcu102/ctl-loop.cell");
    EXPECT_EQ(f.ctl_bin, "/usr/share/moat/demos/zcu102/selftest/ctl-loop.bin");
    EXPECT_EQ(f.latency_bin, "/usr/share/moat/demos/zcu102/selftest/timer-latency.bin");
    const BoardFacts pi = board_facts("raspberrypi,4-model-b\0brcm,bcm2711\0"s, {"arm,gic-400\0"s}, false);
    ASSERT_TRUE(locate_files(pi, "", "", "", true, fs.dir(), fs.file(), f, err)) << err;
    EXPECT_EQ(f.ctl_bin, "/usr/share/moat/demos/rpi4/selftest/ctl-loop.bin");
    EXPECT_EQ(f.latency_bin, "/usr/share/moat/demos/rpi4/selftest/timer-latency.bin");
    // --demos naming the board's demos directory takes its selftest/ too; naming selftest/ itself works.
    ASSERT_TRUE(locate_files(z, "", "/usr/share/moat/demos/zcu102", "", true, fs.dir(), fs.file(), f, err)) << err;
    EXPECT_EQ(f.ctl_bin, "/usr/share/moat/demos/zcu102/selftest/ctl-loop.bin");
    ASSERT_TRUE(locate_files(z, "", "/usr/share/moat/demos/zcu102/selftest", "", true, fs.dir(), fs.file(), f, err)) << err;
    EXPECT_EQ(f.latency_bin, "/usr/share/moat/demos/zcu102/selftest/timer-latency.bin");
    // The initramfs's layout (/cells/BOARD, /demos/BOARD/selftest) likewise.
    fs.dirs.insert({"/cells/zcu102", "/demos/zcu102", "/demos/zcu102/selftest"});
    fs.files.insert({"/cells/zcu102/root.cell", "/cells/zcu102/ctl-loop.cell", "/demos/zcu102/ctl-loop.bin",
                     "/demos/zcu102/selftest/ctl-loop.bin", "/demos/zcu102/selftest/timer-latency.bin"});
    ASSERT_TRUE(locate_files(z, "/cells/zcu102", "", "", true, fs.dir(), fs.file(), f, err)) << err;
    EXPECT_EQ(f.ctl_bin, "/demos/zcu102/selftest/ctl-loop.bin");
    // A selftest/ with only one of the two is not taken: the directory itself is, and found short.
    fs.files.erase("/usr/share/moat/demos/zcu102/selftest/timer-latency.bin");
    EXPECT_FALSE(locate_files(z, "", "", "", true, fs.dir(), fs.file(), f, err));
    EXPECT_EQ(err, "/usr/share/moat/demos/zcu102 has no timer-latency.bin and no selftest/ with ctl-loop.bin and "
                   "timer-latency.bin (the demos built for the board): give their directory with --demos DIR");
    // On QEMU virt (hypervisor console already) the demos directory is used as it is.
    const FakeFs virt_fs = initramfs();
    ASSERT_TRUE(locate_files(board_facts("linux,dummy-virt\0"s, {"arm,gic-v3\0"s}, true), "", "", "", true,
                             virt_fs.dir(), virt_fs.file(), f, err)) << err;
    EXPECT_EQ(f.ctl_bin, "/demos/ctl-loop.bin");
}

TEST(SelftestBoard, ClearErrors)
{
    const FakeFs fs = initramfs();
    const BoardFacts virt = board_facts("linux,dummy-virt\0"s, {"arm,gic-v3\0"s}, true);
    SelftestFiles f;
    std::string err;
    EXPECT_FALSE(locate_files(virt, "/nonexistent", "", "", true, fs.dir(), fs.file(), f, err));
    EXPECT_EQ(err, "--cells /nonexistent: no such directory (give the directory of the board's compiled cells: "
                   "root.cell, ctl-loop.cell)");
    EXPECT_FALSE(locate_files(virt, "/tmp", "", "", true, fs.dir(), fs.file(), f, err));
    EXPECT_NE(err.find("--cells /tmp has no ctl-loop.cell"), std::string::npos) << err;
    EXPECT_FALSE(locate_files(virt, "", "/nowhere", "", true, fs.dir(), fs.file(), f, err));
    EXPECT_NE(err.find("--demos /nowhere: no such directory"), std::string::npos) << err;
    // The ZCU102's demos directory has no timer-latency build.
    const BoardFacts z = board_facts("xlnx,zynqmp-zcu102\0"s, {"arm,gic-400\0"s}, false);
    EXPECT_FALSE(locate_files(z, "", "", "", true, fs.dir(), fs.file(), f, err));
    EXPECT_EQ(err, "/demos/zcu102 has no timer-latency.bin and no selftest/ with ctl-loop.bin and timer-latency.bin "
                   "(the demos built for the board): give their directory with --demos DIR");
    // Given with --demos, the message names the directory given and no option to give.
    EXPECT_FALSE(locate_files(z, "", "/demos/zcu102", "", true, fs.dir(), fs.file(), f, err));
    EXPECT_EQ(err, "/demos/zcu102 has no timer-latency.bin and no selftest/ with ctl-loop.bin and timer-latency.bin "
                   "(the demos built for the board)");
    // No cells for a board at all.
    const BoardFacts pi = board_facts("raspberrypi,4-model-b\0"s, {"arm,gic-400\0"s}, false);
    EXPECT_FALSE(locate_files(pi, "", "", "", true, fs.dir(), fs.file(), f, err));
    EXPECT_NE(err.find("no ctl-loop.cell for raspberrypi,4-model-b (rpi4, GICv2) in /usr/share/moat/cells/rpi4 /cells/rpi4"),
              std::string::npos) << err;
    const BoardFacts unknown = board_facts("acme,board\0"s, {}, false);
    EXPECT_FALSE(locate_files(unknown, "", "", "", true, fs.dir(), fs.file(), f, err));
    EXPECT_NE(err.find("compatible \"acme,board\") is not one moat has cells for"), std::string::npos) << err;
    // The root cell is needed only when moat is not enabled yet.
    EXPECT_FALSE(locate_files(virt, "", "", "/x/root.cell", true, fs.dir(), fs.file(), f, err));
    EXPECT_NE(err.find("--root-cell /x/root.cell: no such file"), std::string::npos) << err;
    EXPECT_TRUE(locate_files(virt, "", "", "/x/root.cell", false, fs.dir(), fs.file(), f, err)) << err;
}

}  // namespace
}  // namespace moat::selftest
