// SPDX-License-Identifier: GPL-2.0
// moat-cellc: compiles cell overlays into checked binary descriptors (docs/binding.md).
//
//   moat-cellc compile --board BOARD.dtb [CONTEXT.dtbo...] CELL.dtbo -o OUT.cell
//   moat-cellc check --board BOARD.dtb ROOT.dtbo CELL.dtbo...
//   moat-cellc dump [--json] FILE.cell
//   moat-cellc pack [--unchecked] FILE.json -o OUT.cell   (the inverse of dump --json)
//   moat-cellc linux-dt --board BOARD.dtb [CONTEXT.dtbo...] CELL.dtbo [--bootargs ARGS] -o OUT.dtb
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <iostream>
#include <string>
#include <vector>

#include "cellc.hpp"
#include "linux_dt.hpp"

namespace {

constexpr int EXIT_INVALID = 1;
constexpr int EXIT_USAGE = 2;

// The synopsis: on stderr after a wrong command line, on stdout for --help (the man page is made
// from it: scripts/mkdeb.sh).
void print_usage(std::ostream &out)
{
    out << "usage:\n"
                 "  moat-cellc compile --board BOARD.dtb [CONTEXT.dtbo...] CELL.dtbo -o OUT.cell\n"
                 "  moat-cellc check --board BOARD.dtb ROOT.dtbo [CELL.dtbo...]\n"
                 "  moat-cellc dump [--json] FILE.cell\n"
                 "  moat-cellc pack [--unchecked] FILE.json -o OUT.cell\n"
                 "  moat-cellc linux-dt --board BOARD.dtb [CONTEXT.dtbo...] CELL.dtbo [--bootargs ARGS] -o OUT.dtb\n"
                 "      (the Linux cell's device tree; read it with dtc -I dtb OUT.dtb)\n"
                 "  moat-cellc --help\n";
}

int usage()
{
    print_usage(std::cerr);
    return EXIT_USAGE;
}

int report(const cellc::Diagnostics &diags)
{
    for (const cellc::Diagnostic &d : diags)
        std::cerr << "error: " << d.str() << "\n";
    return diags.empty() ? 0 : EXIT_INVALID;
}

struct Args {
    std::string board, output, bootargs;
    std::vector<std::string> inputs;
    bool json = false;
    bool unchecked = false;
};

bool parse_args(int argc, char **argv, Args &a)
{
    for (int i = 2; i < argc; i++) {
        std::string arg = argv[i];
        if (arg == "--bootargs" && i + 1 < argc)
            a.bootargs = argv[++i];
        else if ((arg == "--board" || arg == "-o") && i + 1 < argc)
            (arg == "-o" ? a.output : a.board) = argv[++i];
        else if (arg == "--json")
            a.json = true;
        else if (arg == "--unchecked")
            a.unchecked = true;
        else if (!arg.empty() && arg[0] == '-')
            return false;
        else
            a.inputs.push_back(arg);
    }
    return true;
}

// Writes next to the destination and renames, so that a failed run never leaves a partial file.
bool write_atomically(const std::string &path, const std::vector<char> &bytes)
{
    std::string tmp = path + ".tmp.XXXXXX";
    int fd = mkstemp(tmp.data());
    if (fd < 0) {
        std::cerr << "error: " << path << ": cannot create a temporary file: " << std::strerror(errno) << "\n";
        return false;
    }
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0 && errno != EINTR)
            break;
        done += n > 0 ? static_cast<size_t>(n) : 0;
    }
    bool ok = done == bytes.size() && fchmod(fd, 0644) == 0 && close(fd) == 0;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::cerr << "error: " << path << ": cannot write: " << std::strerror(errno) << "\n";
        unlink(tmp.c_str());
        return false;
    }
    return true;
}

std::vector<cellc::Blob> load_overlays(const std::vector<std::string> &paths)
{
    std::vector<cellc::Blob> out;
    for (const std::string &p : paths)
        out.push_back(cellc::load_blob(p, "overlay"));
    return out;
}

int compile(const Args &a)
{
    if (a.board.empty() || a.output.empty() || a.inputs.empty())
        return usage();
    cellc::Blob board = cellc::load_blob(a.board, "board tree");
    cellc::CompileResult r = cellc::compile_cell(board, load_overlays(a.inputs));
    if (!r.diags.empty())
        return report(r.diags);
    return write_atomically(a.output, r.descriptor) ? 0 : EXIT_INVALID;
}

int check(const Args &a)
{
    if (a.board.empty() || a.inputs.empty())
        return usage();
    cellc::Blob board = cellc::load_blob(a.board, "board tree");
    return report(cellc::check_system(board, load_overlays(a.inputs)));
}

int dump(const Args &a)
{
    if (a.inputs.size() != 1)
        return usage();
    moat_cell_desc d = cellc::read_descriptor_file(a.inputs[0]);
    std::cout << (a.json ? cellc::dump_json(d) : cellc::dump_text(d));
    return 0;
}

int pack(const Args &a)
{
    if (a.inputs.size() != 1 || a.output.empty())
        return usage();
    std::ifstream in(a.inputs[0]);
    if (!in)
        return report({{{a.inputs[0], {}, {}}, std::string("cannot read: ") + std::strerror(errno)}});
    std::stringstream text;
    text << in.rdbuf();
    moat_cell_desc d = cellc::descriptor_from_json(a.inputs[0], text.str(), !a.unchecked);
    return write_atomically(a.output, cellc::descriptor_bytes(d)) ? 0 : EXIT_INVALID;
}

int linux_dt(const Args &a)
{
    if (a.board.empty() || a.output.empty() || a.inputs.empty())
        return usage();
    cellc::Blob board = cellc::load_blob(a.board, "board tree");
    cellc::LinuxDtResult r = cellc::linux_dt(board, load_overlays(a.inputs), a.bootargs);
    if (!r.diags.empty())
        return report(r.diags);
    return write_atomically(a.output, r.dtb) ? 0 : EXIT_INVALID;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        print_usage(std::cout);
        return 0;
    }
    Args args;
    if (!parse_args(argc, argv, args))
        return usage();
    std::string cmd = argv[1];
    try {
        if (cmd == "compile")
            return compile(args);
        if (cmd == "check")
            return check(args);
        if (cmd == "dump")
            return dump(args);
        if (cmd == "pack")
            return pack(args);
        if (cmd == "linux-dt")
            return linux_dt(args);
    } catch (const cellc::Error &e) {
        return report({e.diagnostic()});
    }
    return usage();
}
