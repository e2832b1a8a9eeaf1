// SPDX-License-Identifier: GPL-2.0
// moat selftest: a self-check a user runs on the board. It enables moat (unless it already
// runs), runs the ctl-loop demo for --duration seconds and the timer-latency demo once, first
// with Linux idle and then under a load it starts and stops itself, checks that the cell's CPU
// stayed out of Linux and took no exit but its own, and prints a report (selftest_report.cpp).
//
// Every state change runs as a child `moat ...` process with a deadline, so that nothing can
// hang the self-check: a step that does not finish in time is reported by name.
#include "selftest.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <moat/cell.h>
#include <moat/ioctl.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "image.hpp"
#include "selftest_board.hpp"
#include "selftest_report.hpp"

namespace moat::selftest {

namespace {

constexpr const char *DEVICE = "/dev/" MOAT_DEVICE_NAME;
constexpr int STEP_TIMEOUT_S = 30;        // create, load, start, destroy
constexpr int ENABLE_TIMEOUT_S = 60;      // enable/disable move every CPU
constexpr int FIRST_REPORT_TIMEOUT_S = 15;  // the ctl-loop's first second, after start
constexpr int LATENCY_TIMEOUT_S = 60;     // the timer-latency demo's two rounds
constexpr auto POLL = std::chrono::milliseconds(200);

volatile sig_atomic_t interrupted = 0;
void on_signal(int) { interrupted = 1; }

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void say(const std::string &s)
{
    std::printf("selftest: %s\n", s.c_str());
    std::fflush(stdout);
}

struct Options {
    unsigned duration = 60;
    std::string cells, demos, root_cell, png;
};

void usage(FILE *out)
{
    std::fprintf(out, "usage: moat selftest [--duration SECONDS] [--cells DIR] [--demos DIR] [--root-cell FILE] [--png FILE]\n"
                      "  runs the ctl-loop and timer-latency demos in a cell, Linux idle then under load,\n"
                      "  and prints a report with a PASS/FAIL verdict (docs/boards/*.md, \"Self-check\").\n"
                      "  --duration  seconds of ctl-loop per phase, 1..3600 (default 60)\n"
                      "  --cells     the board's compiled cells (root.cell, ctl-loop.cell); default: found\n"
                      "              from the board's compatible\n"
                      "  --demos     ctl-loop.bin and timer-latency.bin, or DIR/selftest/ when it has both (the\n"
                      "              builds with moat's console); default: beside the cells\n"
                      "  --root-cell the root cell for 'moat enable' (default: DIR/root.cell)\n"
                      "  --png       also plot the histograms to FILE (needs python3 with matplotlib)\n");
}

bool parse_options(int argc, char **argv, Options &o)
{
    for (int i = 0; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](std::string &out) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "moat selftest: %s needs a value\n", a.c_str());
                return false;
            }
            out = argv[++i];
            return true;
        };
        if (a == "--duration") {
            std::string v;
            if (!value(v))
                return false;
            char *end = nullptr;
            unsigned long n = std::strtoul(v.c_str(), &end, 10);
            if (v.empty() || *end || n < 1 || n > 3600) {
                std::fprintf(stderr, "moat selftest: --duration takes seconds, 1..3600 (got \"%s\")\n", v.c_str());
                return false;
            }
            o.duration = static_cast<unsigned>(n);
        } else if (a == "--cells") {
            if (!value(o.cells))
                return false;
        } else if (a == "--demos") {
            if (!value(o.demos))
                return false;
        } else if (a == "--root-cell") {
            if (!value(o.root_cell))
                return false;
        } else if (a == "--png") {
            if (!value(o.png))
                return false;
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            std::exit(0);
        } else {
            std::fprintf(stderr, "moat selftest: unexpected argument '%s'\n", a.c_str());
            usage(stderr);
            return false;
        }
    }
    return true;
}

std::string read_text(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

bool is_dir(const std::string &p)
{
    struct stat st{};
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_file(const std::string &p)
{
    struct stat st{};
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The compatible strings of the device-tree nodes one and two levels down that are interrupt
// controllers (the GIC is at the root on QEMU virt, under a bus on the boards).
std::vector<std::string> interrupt_controller_compatibles(const std::string &base)
{
    std::vector<std::string> out;
    auto scan = [&](const std::string &dir, auto &&self, int depth) -> void {
        DIR *d = opendir(dir.c_str());
        if (!d)
            return;
        while (dirent *e = readdir(d)) {
            std::string n = e->d_name;
            if (n == "." || n == "..")
                continue;
            std::string p = dir + "/" + n;
            if (!is_dir(p))
                continue;
            if (n.rfind("intc", 0) == 0 || n.rfind("interrupt-controller", 0) == 0)
                out.push_back(read_text(p + "/compatible"));
            else if (depth > 0)
                self(p, self, depth - 1);
        }
        closedir(d);
    };
    scan(base, scan, 1);
    return out;
}

// QEMU's firmware configuration device: only an emulator has one.
bool has_fw_cfg(const std::string &dt)
{
    DIR *d = opendir(dt.c_str());
    if (!d)
        return false;
    bool found = false;
    while (dirent *e = readdir(d))
        found = found || std::strncmp(e->d_name, "fw-cfg@", 7) == 0;
    closedir(d);
    return found;
}

// A `moat` subcommand run as a child of this process, with a deadline.
struct StepResult {
    bool ok = false;
    std::string output;
    std::string error;  // what went wrong, in words
};

StepResult run_moat(const std::vector<std::string> &args, int timeout_s)
{
    StepResult res;
    std::string what = "moat";
    for (const std::string &a : args)
        what += " " + a;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        res.error = what + ": pipe: " + std::strerror(errno);
        return res;
    }
    pid_t pid = fork();
    if (pid < 0) {
        res.error = what + ": fork: " + std::strerror(errno);
        close(fds[0]);
        close(fds[1]);
        return res;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        std::vector<char *> argv{const_cast<char *>("moat")};
        for (const std::string &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        execv("/proc/self/exe", argv.data());
        std::fprintf(stderr, "cannot run /proc/self/exe: %s\n", std::strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
    bool timed_out = false;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        int n = poll(&p, 1, static_cast<int>(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;
        char buf[512];
        ssize_t got = read(fds[0], buf, sizeof(buf));
        if (got <= 0)
            break;  // EOF: the child is done (or closed its output)
        res.output.append(buf, static_cast<size_t>(got));
    }
    close(fds[0]);
    if (timed_out) {
        kill(pid, SIGKILL);
        // A child stuck in the driver cannot be reaped until the driver returns: do not wait forever.
        for (int i = 0; i < 20 && waitpid(pid, nullptr, WNOHANG) == 0; i++)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        res.error = what + " did not finish within " + std::to_string(timeout_s) + " s";
        return res;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    res.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!res.ok) {
        std::string out = res.output;
        while (!out.empty() && out.back() == '\n')
            out.pop_back();
        res.error = what + " failed: " + out;
    }
    return res;
}

// Reads the consoles: the hypervisor's ring (cells with console = "hypercall") and the ring of
// lines moat.ko drained from the cells' own rings. Only text written since mark() is returned.
class Console {
public:
    explicit Console(int fd) : fd_(fd), raw_(sizeof(moat_console_ring)) {}
    bool mark(std::string &err)
    {
        std::string ignored;
        return read(ignored, err);
    }
    bool read(std::string &text, std::string &err)
    {
        text.clear();
        return read_one(MOAT_CONSOLE, hv_written_, text, err) && read_one(MOAT_CELL_CONSOLE, cell_written_, text, err);
    }
    std::uint64_t lost() const { return lost_; }

private:
    bool read_one(unsigned long req, std::uint64_t &since, std::string &text, std::string &err)
    {
        auto *ring = reinterpret_cast<moat_console_ring *>(raw_.data());
        moat_console_args args{reinterpret_cast<std::uintptr_t>(ring), sizeof(*ring)};
        if (ioctl(fd_, req, &args) != 0) {
            err = std::string("reading the console failed: ") + std::strerror(errno);
            return false;
        }
        const std::uint64_t size = sizeof(ring->buf);
        std::uint64_t from = since;
        if (ring->written > size && from < ring->written - size) {
            lost_ += ring->written - size - from;
            from = ring->written - size;
        }
        for (std::uint64_t i = from; i < ring->written; i++)
            text.push_back(ring->buf[i % size]);
        since = ring->written;
        return true;
    }
    int fd_;
    std::vector<char> raw_;
    std::uint64_t hv_written_ = 0, cell_written_ = 0, lost_ = 0;
};

struct CellInfo {
    bool found = false;
    std::vector<unsigned> cpus;
    unsigned cpus_on = 0;
};

CellInfo cell_info(int fd, const std::string &name)
{
    CellInfo c;
    moat_cell_list list{};
    if (ioctl(fd, MOAT_CELL_LIST, &list) != 0)
        return c;
    for (unsigned i = 0; i < list.count && i < MOAT_MAX_CELLS; i++) {
        if (name != list.cells[i].name)
            continue;
        c.found = true;
        c.cpus_on = list.cells[i].cpus_on;
        for (unsigned j = 0; j < list.cells[i].num_cpus && j < MOAT_MAX_CPUS; j++)
            c.cpus.push_back(list.cells[i].linux_cpu[j]);
    }
    return c;
}

ExitCounts cell_exits(int fd, const CellInfo &c)
{
    ExitCounts e{};
    moat_stats st{};
    if (ioctl(fd, MOAT_STATS, &st) != 0)
        return e;
    for (unsigned cpu : c.cpus)
        for (unsigned r = 0; r < MOAT_EXIT_REASONS && r < st.reasons; r++)
            if (cpu < MOAT_MAX_CPUS)
                e[r] += st.count[cpu][r];
    return e;
}

bool cpus_offline(const CellInfo &c)
{
    for (unsigned cpu : c.cpus) {
        std::string v = read_text("/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/online");
        if (v.empty() || v[0] != '0')
            return false;
    }
    return !c.cpus.empty();
}

// Linux load: on every online CPU a shell loop that writes 512 KiB to a file and hashes it
// (CPU, memory, page cache, system calls, interrupts). All in one process group, killed at stop.
class Stress {
public:
    bool start(std::string &err)
    {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        std::string tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        for (long i = 0; i < (n > 0 ? n : 1); i++) {
            std::string file = tmp + "/moat-selftest-stress." + std::to_string(getpid()) + "." + std::to_string(i);
            files_.push_back(file);
            std::string loop = "while :; do dd if=/dev/zero of=" + file + " bs=64k count=8 2>/dev/null; md5sum " + file +
                               " >/dev/null; done";
            pid_t pid = fork();
            if (pid < 0) {
                err = std::string("starting the stress load: fork: ") + std::strerror(errno);
                return false;
            }
            if (pid == 0) {
                setpgid(0, pgid_);
                int null = open("/dev/null", O_RDWR);
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                execl("/bin/sh", "sh", "-c", loop.c_str(), static_cast<char *>(nullptr));
                _exit(127);
            }
            if (pgid_ == 0)
                pgid_ = pid;
            setpgid(pid, pgid_);
            pids_.push_back(pid);
        }
        return true;
    }
    // Stops the load; err says if a worker had died before (the load was not what it claims).
    bool stop(std::string &err)
    {
        bool ok = true;
        for (pid_t pid : pids_) {
            int status = 0;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                err = "a stress worker (sh -c 'while :; do dd ...; md5sum ...; done') exited by itself, status " +
                      std::to_string(status) + ": is /bin/sh there with dd and md5sum?";
                ok = false;
            }
        }
        if (pgid_)
            kill(-pgid_, SIGKILL);
        for (pid_t pid : pids_)
            waitpid(pid, nullptr, 0);
        for (const std::string &f : files_)
            unlink(f.c_str());
        pids_.clear();
        files_.clear();
        pgid_ = 0;
        return ok;
    }
    ~Stress()
    {
        std::string ignored;
        if (!pids_.empty())
            stop(ignored);
    }

private:
    pid_t pgid_ = 0;
    std::vector<pid_t> pids_;
    std::vector<std::string> files_;
};

struct Files {
    std::string root_cell, ctl_cell, ctl_bin, latency_bin, cell_name;
};

class Runner {
public:
    Runner(int fd, const Files &f, unsigned duration) : fd_(fd), files_(f), duration_(duration), console_(fd) {}

    Phase run_phase(const std::string &name, bool stressed)
    {
        Phase p;
        p.name = name;
        say("phase " + name + ": " + (stressed ? "starting the stress load on Linux" : "Linux idle"));
        Stress stress;
        std::string err;
        if (stressed && !stress.start(err)) {
            p.errors.push_back(err);
            return p;
        }
        if (run_ctl_loop(p))
            run_timer_latency(p);
        if (stressed && !stress.stop(err))
            p.errors.push_back(err);
        if (console_.lost() > lost_reported_) {
            p.errors.push_back(std::to_string(console_.lost() - lost_reported_) +
                               " bytes of the console were overwritten before they were read");
            lost_reported_ = console_.lost();
        }
        return p;
    }

private:
    bool step(Phase &p, const std::vector<std::string> &args, int timeout_s = STEP_TIMEOUT_S)
    {
        StepResult r = run_moat(args, timeout_s);
        if (!r.ok)
            p.errors.push_back(r.error);
        return r.ok;
    }

    // Create, load and start the cell with an image; the console is marked first.
    bool start_cell(Phase &p, const std::string &image)
    {
        std::string err;
        if (!step(p, {"cell", "create", files_.ctl_cell}) || !step(p, {"cell", "load", files_.cell_name, image}))
            return false;
        if (!console_.mark(err)) {
            p.errors.push_back(err);
            return false;
        }
        return step(p, {"cell", "start", files_.cell_name});
    }

    void destroy(Phase &p) { step(p, {"cell", "destroy", files_.cell_name}); }

    // Polls the console until done() or the deadline; false (with the message) on timeout.
    template <typename Done>
    bool wait_for(Phase &p, ConsoleParser &parser, int timeout_s, Done done, const std::string &what)
    {
        const auto start = Clock::now();
        std::string text, err;
        while (!done()) {
            if (interrupted) {
                p.errors.push_back("interrupted (SIGINT or SIGTERM) while waiting for " + what);
                return false;
            }
            if (seconds_since(start) > timeout_s) {
                p.errors.push_back(what + " did not happen within " + std::to_string(timeout_s) +
                                   " s ('moat console' shows what the cell printed)");
                return false;
            }
            std::this_thread::sleep_for(POLL);
            if (!console_.read(text, err)) {
                p.errors.push_back(err);
                return false;
            }
            parser.feed(text);
        }
        return true;
    }

    bool run_ctl_loop(Phase &p)
    {
        say("phase " + p.name + ": ctl-loop for " + std::to_string(duration_) + " s");
        if (!start_cell(p, files_.ctl_bin)) {
            destroy(p);
            return false;
        }
        ConsoleParser parser;
        bool ok = wait_for(p, parser, FIRST_REPORT_TIMEOUT_S, [&] { return !parser.ctl().empty(); },
                           "the ctl-loop's first report (\"ctl-loop: t=1s ...\")");
        // Counted from its first report on: the cell's start-up (distributor set-up) is past.
        CellInfo cell = cell_info(fd_, files_.cell_name);
        const ExitCounts before = cell_exits(fd_, cell);
        const auto t0 = Clock::now();
        if (ok) {
            const unsigned want = duration_;
            ok = wait_for(p, parser, static_cast<int>(duration_) + FIRST_REPORT_TIMEOUT_S,
                          [&] { return parser.ctl().size() >= want; },
                          "the ctl-loop's report for t=" + std::to_string(want) + "s");
        }
        const ExitCounts after = cell_exits(fd_, cell);
        p.exit_seconds = seconds_since(t0);
        for (unsigned r = 0; r < MOAT_EXIT_REASONS; r++)
            p.exits[r] = after[r] - before[r];
        p.cell_cpu = cell.cpus.empty() ? 0 : cell.cpus.front();
        p.cpu_offline_in_linux = cpus_offline(cell);
        p.ctl = parser.ctl();
        destroy(p);
        return ok;
    }

    void run_timer_latency(Phase &p)
    {
        say("phase " + p.name + ": timer-latency");
        if (start_cell(p, files_.latency_bin)) {
            ConsoleParser parser;
            wait_for(p, parser, LATENCY_TIMEOUT_S, [&] { return parser.latency().done; },
                     "the timer-latency demo's end (\"timer-latency: done\")");
            p.latency = parser.latency();
        }
        destroy(p);
    }

    int fd_;
    Files files_;
    unsigned duration_;
    Console console_;
    std::uint64_t lost_reported_ = 0;
};

// The cell descriptor's name (the cell is addressed by it).
bool cell_name_of(const std::string &path, std::string &name, std::string &err)
{
    std::string bytes = read_text(path);
    if (bytes.size() < sizeof(moat_cell_desc)) {
        err = path + ": not a cell descriptor (" + std::to_string(bytes.size()) + " bytes; rebuild it with moat-cellc)";
        return false;
    }
    const auto *d = reinterpret_cast<const moat_cell_desc *>(bytes.data());
    name.assign(d->name, strnlen(d->name, sizeof(d->name)));
    return true;
}

void write_png(const Report &r, const std::string &png)
{
    StepResult probe;
    // The plot is optional: look for python3 with matplotlib and say clearly when it is missing.
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        execlp("python3", "python3", "-c", "import matplotlib", static_cast<char *>(nullptr));
        _exit(127);
    }
    int status = 1;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        say("--png " + png + ": not written: python3 with matplotlib is not installed (Debian: apt install "
            "python3-matplotlib); the text histograms above hold the same figures");
        return;
    }
    const std::string csv = png + ".csv";
    std::ofstream(csv) << histogram_csv(r);
    const char *script =
        "import csv, sys\n"
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n"
        "rows = list(csv.DictReader(open(sys.argv[1])))\n"
        "keys = sorted({(r['phase'], r['mode']) for r in rows})\n"
        "fig, axes = plt.subplots(len(keys), 1, figsize=(8, 2.5 * max(len(keys), 1)), squeeze=False)\n"
        "for ax, (phase, mode) in zip(axes[:, 0], keys):\n"
        "    rs = [r for r in rows if (r['phase'], r['mode']) == (phase, mode)]\n"
        "    labels = [r['lower_ns'] + ('-' + r['upper_ns'] if r['upper_ns'] != '-1' else '+') for r in rs]\n"
        "    ax.bar(labels, [int(r['count']) for r in rs])\n"
        "    ax.set_yscale('log')\n"
        "    ax.set_title(f'timer interrupt to handler, {phase}, {mode} (ns)')\n"
        "fig.tight_layout()\n"
        "fig.savefig(sys.argv[2])\n";
    pid = fork();
    if (pid == 0) {
        execlp("python3", "python3", "-c", script, csv.c_str(), png.c_str(), static_cast<char *>(nullptr));
        _exit(127);
    }
    status = 1;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        say("histograms plotted to " + png + " (data: " + csv + ")");
    else
        say("--png " + png + ": matplotlib failed to plot (data kept in " + csv + ")");
}

}  // namespace

int cmd_selftest(int argc, char **argv)
{
    Options o;
    if (!parse_options(argc, argv, o))
        return 2;

    const std::string dt = is_dir("/proc/device-tree") ? "/proc/device-tree" : "/sys/firmware/devicetree/base";
    const BoardFacts board = board_facts(read_text(dt + "/compatible"), interrupt_controller_compatibles(dt),
                                         qemu_signs(has_fw_cfg(dt), read_text(dt + "/firmware/zynqmp-firmware/status")));
    int fd = open(DEVICE, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        std::fprintf(stderr, "moat selftest: cannot open %s: %s (%s)\n", DEVICE, std::strerror(errno),
                     errno == ENOENT ? "the moat driver is not loaded: modprobe moat, or insmod moat.ko"
                                     : "run moat selftest as root");
        return 1;
    }
    moat_info info{};
    if (ioctl(fd, MOAT_INFO, &info) != 0) {
        std::fprintf(stderr, "moat selftest: the driver does not answer MOAT_INFO: %s\n", std::strerror(errno));
        close(fd);
        return 1;
    }
    SelftestFiles found;
    Files files;
    std::string err;
    if (!locate_files(board, o.cells, o.demos, o.root_cell, !info.enabled, is_dir, is_file, found, err) ||
        !cell_name_of(found.ctl_cell, files.cell_name, err)) {
        std::fprintf(stderr, "moat selftest: %s\n", err.c_str());
        close(fd);
        return 2;
    }
    files.root_cell = found.root_cell;
    files.ctl_cell = found.ctl_cell;
    files.ctl_bin = found.ctl_bin;
    files.latency_bin = found.latency_bin;
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    Report report;
    report.duration_s = o.duration;
    report.emulated = board.emulated;
    report.board = board.description;
    report.board_dir = files.ctl_cell.substr(0, files.ctl_cell.rfind('/')) + " (" + files.cell_name + " cell), demos " +
                       files.ctl_bin.substr(0, files.ctl_bin.rfind('/'));
    report.tool_abi = moat::tools::abi_version_string(MOAT_ABI_VERSION);
    utsname uts{};
    if (uname(&uts) == 0)
        report.kernel = std::string("Linux ") + uts.release + " (" + uts.version + ") " + uts.machine;
    report.driver_abi = moat::tools::abi_version_string(info.driver_abi_version);
    bool enabled_here = false;
    if (info.enabled) {
        say("moat is already enabled: testing it as it is (it stays enabled)");
        if (cell_info(fd, files.cell_name).found) {
            std::fprintf(stderr, "moat selftest: a cell named \"%s\" exists already (moat cell list): destroy it first"
                                 " (moat cell destroy %s)\n", files.cell_name.c_str(), files.cell_name.c_str());
            close(fd);
            return 1;
        }
    } else {
        say("enabling moat with " + files.root_cell);
        StepResult r = run_moat({"enable", files.root_cell}, ENABLE_TIMEOUT_S);
        if (!r.ok)
            report.errors.push_back(r.error);
        enabled_here = r.ok;
    }
    if (report.errors.empty()) {
        moat_info now{};
        if (ioctl(fd, MOAT_INFO, &now) == 0)
            report.hv_abi = moat::tools::abi_version_string(now.hv_abi_version) + " on " + std::to_string(now.hv_cpus) + " CPUs";
        Runner runner(fd, files, o.duration);
        report.phases.push_back(runner.run_phase("idle", false));
        if (!interrupted)
            report.phases.push_back(runner.run_phase("stressed", true));
        else
            report.errors.push_back("interrupted (SIGINT or SIGTERM) before the stressed phase");
    }
    if (enabled_here) {
        say("disabling moat");
        StepResult r = run_moat({"disable"}, ENABLE_TIMEOUT_S);
        if (!r.ok)
            report.errors.push_back(r.error);
    }
    close(fd);
    std::fputs(format_report(report).c_str(), stdout);
    std::fflush(stdout);
    if (!o.png.empty())
        write_png(report, o.png);
    return verdict(report).pass ? 0 : 1;
}

}  // namespace moat::selftest
