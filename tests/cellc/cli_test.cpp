// SPDX-License-Identifier: GPL-2.0
// The moat-cellc command line: exit status, output only on success, dumps of what it wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "fixtures.hpp"

using cellc_test::CellText;
using cellc_test::scratch_path;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

struct CliRun {
    int status;
    std::string output;  // stdout and stderr
};

CliRun run_cellc(const std::string &args)
{
    std::string cmd = std::string(MOAT_CELLC) + " " + args + " 2>&1";
    FILE *p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof(buf), p))
        out.append(buf, n);
    int st = pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string board() { return (cellc_test::test_board(), scratch_path("board.dtb")); }

std::string cell_file(const CellText &c)
{
    cellc_test::cell_blob(c);
    return scratch_path(c.name + ".dtbo");
}

}  // namespace

TEST(CellcCli, CompileWritesADescriptorThatDumps)
{
    std::string out = scratch_path("good.cell");
    std::filesystem::remove(out);
    CliRun r = run_cellc("compile --board " + board() + " " + cell_file({}) + " -o " + out);
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(std::filesystem::file_size(out), sizeof(moat_cell_desc));
    CliRun dump = run_cellc("dump " + out);
    EXPECT_EQ(dump.status, 0);
    EXPECT_THAT(dump.output, StartsWith("cell \"a\"\n"));
    CliRun json = run_cellc("dump --json " + out);
    EXPECT_THAT(json.output, StartsWith("{\"name\": \"a\""));
}

TEST(CellcCli, ErrorsWriteNothingAndKeepTheOldFile)
{
    std::string out = scratch_path("kept.cell");
    std::ofstream(out) << "previous";
    CellText bad;
    bad.name = "bad";
    bad.cpus = "&cpu0";
    CliRun r = run_cellc("compile --board " + board() + " " + cell_file(bad) + " -o " + out);
    EXPECT_EQ(r.status, 1);
    EXPECT_THAT(r.output, HasSubstr("error: " + scratch_path("bad.dtbo") + ": /cell-bad: cpus: /cpus/cpu@0 (MPIDR 0x0) "
                                    "is the boot CPU"));
    EXPECT_EQ(cellc_test::read_text(out), "previous");
    for (const auto &e : std::filesystem::directory_iterator(std::filesystem::path(out).parent_path()))
        EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
}

TEST(CellcCli, DumpRefusesGarbage)
{
    std::string junk = scratch_path("junk.cell");
    std::ofstream(junk) << "not a cell descriptor";
    CliRun r = run_cellc("dump " + junk);
    EXPECT_EQ(r.status, 1);
    EXPECT_THAT(r.output, StartsWith("error: " + junk + ": invalid cell descriptor: magic: "));
}

TEST(CellcCli, UsageErrors)
{
    EXPECT_EQ(run_cellc("").status, 2);
    EXPECT_EQ(run_cellc("compile --board x.dtb").status, 2);
    EXPECT_EQ(run_cellc("frobnicate").status, 2);
    CliRun missing = run_cellc("check --board /nonexistent.dtb a.dtbo");
    EXPECT_EQ(missing.status, 1);
    EXPECT_THAT(missing.output, StartsWith("error: /nonexistent.dtb: cannot read the board tree: "));
}
