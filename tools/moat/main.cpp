// SPDX-License-Identifier: GPL-2.0
// moat: the command-line front end of the moat hypervisor (runs in the root cell).
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#include <moat/cell.h>
#include <moat/ioctl.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "lib/cell_validate.hpp"
#include "image.hpp"
#include "linux_boot.hpp"
#include "selftest.hpp"

namespace {

constexpr const char *DEVICE = "/dev/" MOAT_DEVICE_NAME;

void usage(FILE *out)
{
    std::fprintf(out,
                 "usage: moat <command> [options]\n"
                 "\n"
                 "commands:\n"
                 "  enable ROOT.CELL [--image PATH]\n"
                 "                          load the hypervisor and move every online CPU under it,\n"
                 "                          with Linux as the root cell described by ROOT.CELL\n"
                 "                          (moat-cellc output; default image: /lib/firmware/" MOAT_FIRMWARE_NAME ")\n"
                 "  disable                 leave the hypervisor on every CPU, give Linux EL2 back\n"
                 "  info                    show the driver's and the hypervisor's state\n"
                 "  stats [--json]          exits to the hypervisor per CPU and reason\n"
                 "  console                 what the hypervisor and the cells printed (last 16 KiB)\n"
                 "  cell create FILE.cell   take the cell's CPUs, memory and devices from Linux\n"
                 "  cell load NAME IMAGE [--address IPA]\n"
                 "                          copy a bare-metal image into the cell (default: its entry)\n"
                 "  cell start NAME         start the cell's first CPU at its entry address\n"
                 "  cell linux FILE.cell TREE.dtb IMAGE [--initrd FILE] [--cmdline ARGS]\n"
                 "                          create a Linux cell, load the arm64 Image, the tree (moat-cellc\n"
                 "                          linux-dt) and an initramfs into its RAM, and start it\n"
                 "  cell shutdown [--force] [--timeout MS] NAME\n"
                 "                          stop the cell's CPUs; a cell that asked to be asked gets\n"
                 "                          MS (default %u) to approve or refuse, --force does not ask\n"
                 "  cell destroy [--force] [--timeout MS] NAME\n"
                 "                          stop it the same way, zero its memory, give everything back\n"
                 "  cell list               cells, their state and CPUs\n"
                 "  cell stats NAME         exits of the cell's CPUs\n"
                 "  selftest [--duration S] [--cells DIR] [--demos DIR] [--root-cell FILE] [--png FILE]\n"
                 "                          run the demo cells idle and under load, print a report\n"
                 "                          with a PASS/FAIL verdict (moat selftest --help)\n"
                 "  --version               print the tool's ABI version\n",
                 MOAT_STOP_TIMEOUT_MS);
}

// Output still queued for the UART would interleave with the hypervisor's own console lines.
void drain_console()
{
    if (isatty(STDOUT_FILENO))
        tcdrain(STDOUT_FILENO);
    if (isatty(STDERR_FILENO))
        tcdrain(STDERR_FILENO);
}

int open_device()
{
    int fd = open(DEVICE, O_RDWR | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    int err = errno;
    if (err == ENOENT)
        std::fprintf(stderr, "moat: %s does not exist: the moat driver is not loaded (run 'insmod moat.ko')\n",
                     DEVICE);
    else if (err == EACCES || err == EPERM)
        std::fprintf(stderr, "moat: cannot open %s: permission denied (run moat as root)\n", DEVICE);
    else
        std::fprintf(stderr, "moat: cannot open %s: %s\n", DEVICE, std::strerror(err));
    return -1;
}

// The driver keeps an explanation of the last failure on this file; fall back to errno words.
void report_failure(int fd, const char *what, int err)
{
    moat_error e{};
    if (ioctl(fd, MOAT_LAST_ERROR, &e) == 0 && e.message[0]) {
        e.message[sizeof(e.message) - 1] = '\0';
        std::fprintf(stderr, "moat: %s failed: %s\n", what, e.message);
        return;
    }
    const char *hint = "";
    switch (err) {
    case ENOTTY:
        hint = " (the driver does not know this request: moat.ko and the moat tool come from different builds)";
        break;
    case EBUSY:
        hint = " (the hypervisor is busy or already in that state)";
        break;
    case EPERM:
    case EACCES:
        hint = " (run moat as root)";
        break;
    default:
        break;
    }
    std::fprintf(stderr, "moat: %s failed: %s%s\n", what, std::strerror(err), hint);
}

bool read_file(const std::string &path, std::vector<std::uint8_t> &out)
{
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "moat: cannot read %s: %s\n", path.c_str(), std::strerror(errno));
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

// A cell descriptor from moat-cellc, checked by the hypervisor's own validator before it is sent.
bool read_cell(const std::string &path, std::vector<std::uint8_t> &out)
{
    if (!read_file(path, out))
        return false;
    char err[160];
    if (moat_cell_validate(out.data(), out.size(), err, sizeof(err)) != 0) {
        std::fprintf(stderr, "moat: %s: not a valid cell descriptor: %s (rebuild it with moat-cellc)\n",
                     path.c_str(), err);
        return false;
    }
    return true;
}

int cmd_enable(int argc, char **argv)
{
    std::string image_path, root_path;
    for (int i = 0; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--image" && i + 1 < argc) {
            image_path = argv[++i];
        } else if (a.rfind("-", 0) != 0 && root_path.empty()) {
            root_path = a;
        } else {
            std::fprintf(stderr, "moat enable: unexpected argument '%s'\n", a.c_str());
            usage(stderr);
            return 2;
        }
    }
    if (root_path.empty()) {
        std::fprintf(stderr, "moat enable: which root cell? usage: moat enable ROOT.CELL [--image PATH]\n"
                             "  (moat-cellc compiles cells/<board>/root.dtso into root.cell)\n");
        return 2;
    }
    std::vector<std::uint8_t> root;
    if (!read_cell(root_path, root))
        return 1;
    std::vector<std::uint8_t> image;
    moat_enable_args args{};
    args.config = reinterpret_cast<std::uintptr_t>(root.data());
    args.config_size = root.size();
    if (!image_path.empty()) {
        if (!read_file(image_path, image))
            return 1;
        auto check = moat::tools::check_image(image);
        if (!check.header) {
            std::fprintf(stderr, "moat: %s: %s\n", image_path.c_str(), check.error.c_str());
            return 1;
        }
        args.image = reinterpret_cast<std::uintptr_t>(image.data());
        args.image_size = image.size();
    }
    int fd = open_device();
    if (fd < 0)
        return 1;
    drain_console();
    if (ioctl(fd, MOAT_ENABLE, &args) != 0) {
        report_failure(fd, "enable", errno);
        close(fd);
        return 1;
    }
    moat_info info{};
    if (ioctl(fd, MOAT_INFO, &info) == 0)
        std::printf("moat: hypervisor enabled on %u CPUs (ABI %s)\n", info.hv_cpus,
                    moat::tools::abi_version_string(info.hv_abi_version).c_str());
    close(fd);
    return 0;
}

int cmd_disable()
{
    int fd = open_device();
    if (fd < 0)
        return 1;
    drain_console();
    if (ioctl(fd, MOAT_DISABLE) != 0) {
        report_failure(fd, "disable", errno);
        close(fd);
        return 1;
    }
    std::printf("moat: hypervisor disabled, Linux owns EL2 again\n");
    close(fd);
    return 0;
}

int cmd_info()
{
    int fd = open_device();
    if (fd < 0)
        return 1;
    moat_info info{};
    if (ioctl(fd, MOAT_INFO, &info) != 0) {
        report_failure(fd, "info", errno);
        close(fd);
        return 1;
    }
    close(fd);
    std::printf("driver ABI:        %s\n", moat::tools::abi_version_string(info.driver_abi_version).c_str());
    // The kernel the driver runs on: a bug report from `moat info` always carries it.
    utsname uts{};
    if (uname(&uts) == 0)
        std::printf("kernel:            Linux %s (%s)\n", uts.release, uts.version);
    std::printf("state:             %s\n", info.enabled ? "enabled" : "disabled");
    std::printf("reserved memory:   %#llx-%#llx (%llu KiB)\n",
                static_cast<unsigned long long>(info.mem_base),
                static_cast<unsigned long long>(info.mem_base + info.mem_size - 1),
                static_cast<unsigned long long>(info.mem_size / 1024));
    std::printf("enables:           %llu\n", static_cast<unsigned long long>(info.enable_count));
    std::printf("driver allocations: %llu\n", static_cast<unsigned long long>(info.driver_allocations));
    if (info.enabled) {
        std::printf("hypervisor ABI:    %s (answered at EL2)\n",
                    moat::tools::abi_version_string(info.hv_abi_version).c_str());
        std::printf("hypervisor CPUs:   %u\n", info.hv_cpus);
        std::printf("memory in use:     %llu KiB\n", static_cast<unsigned long long>(info.mem_used / 1024));
    }
    return 0;
}

// Names of the MOAT_EXIT_* reasons, in ABI order.
constexpr const char *EXIT_NAMES[MOAT_EXIT_REASONS] = MOAT_EXIT_REASON_NAMES;

int cmd_stats(int argc, char **argv)
{
    bool json = argc == 1 && std::string(argv[0]) == "--json";
    if (argc > 1 || (argc == 1 && !json)) {
        std::fprintf(stderr, "moat stats: unexpected argument; usage: moat stats [--json]\n");
        return 2;
    }
    int fd = open_device();
    if (fd < 0)
        return 1;
    moat_stats st{};
    if (ioctl(fd, MOAT_STATS, &st) != 0) {
        report_failure(fd, "stats", errno);
        close(fd);
        return 1;
    }
    close(fd);
    if (json) {
        std::printf("{\n  \"cpus\": [\n");
        for (unsigned c = 0; c < st.cpus; c++) {
            std::printf("    {\"cpu\": %u", c);
            for (unsigned r = 0; r < st.reasons && r < MOAT_EXIT_REASONS; r++)
                std::printf(", \"%s\": %llu", EXIT_NAMES[r], static_cast<unsigned long long>(st.count[c][r]));
            std::printf("}%s\n", c + 1 < st.cpus ? "," : "");
        }
        std::printf("  ]\n}\n");
        return 0;
    }
    std::printf("%-14s", "exit reason");
    for (unsigned c = 0; c < st.cpus; c++)
        std::printf(" %10s%u", "cpu", c);
    std::printf("\n");
    for (unsigned r = 0; r < st.reasons && r < MOAT_EXIT_REASONS; r++) {
        std::printf("%-14s", EXIT_NAMES[r]);
        for (unsigned c = 0; c < st.cpus; c++)
            std::printf(" %11llu", static_cast<unsigned long long>(st.count[c][r]));
        std::printf("\n");
    }
    return 0;
}

const char *state_name(std::uint32_t s)
{
    constexpr const char *NAMES[MOAT_CELL_STATES] = MOAT_CELL_STATE_NAMES;
    return s != MOAT_CELL_STATE_FREE && s < MOAT_CELL_STATES ? NAMES[s] : "unknown";
}

bool cell_list(int fd, moat_cell_list &list)
{
    list = {};
    if (ioctl(fd, MOAT_CELL_LIST, &list) != 0) {
        report_failure(fd, "cell list", errno);
        return false;
    }
    return true;
}

// The text of a console ring snapshot (the last min(written, size) bytes), without '\r'.
std::string ring_text(const moat_console_ring &ring)
{
    const std::uint64_t size = sizeof(ring.buf);
    std::uint64_t n = ring.written < size ? ring.written : size;
    std::string out;
    for (std::uint64_t i = ring.written - n; i < ring.written; i++) {
        char c = ring.buf[i % size];
        if (c != '\r')
            out.push_back(c);
    }
    return out;
}

// The hypervisor's console, then what moat.ko drained from the cells' console rings (cells with
// console = "ring" print there without an exit; their lines are not in the hypervisor's).
int cmd_console()
{
    int fd = open_device();
    if (fd < 0)
        return 1;
    std::vector<char> raw(sizeof(moat_console_ring));
    auto *ring = reinterpret_cast<moat_console_ring *>(raw.data());
    moat_console_args args{reinterpret_cast<std::uintptr_t>(ring), sizeof(*ring)};
    if (ioctl(fd, MOAT_CONSOLE, &args) != 0) {
        report_failure(fd, "console", errno);
        close(fd);
        return 1;
    }
    std::string out = ring_text(*ring);
    std::fwrite(out.data(), 1, out.size(), stdout);
    if (ioctl(fd, MOAT_CELL_CONSOLE, &args) != 0) {
        report_failure(fd, "console (the cells' console rings)", errno);
        close(fd);
        return 1;
    }
    close(fd);
    out = ring_text(*ring);
    if (!out.empty()) {
        std::printf("moat: the cells' console rings, as moat.ko drained them:\n");
        std::fwrite(out.data(), 1, out.size(), stdout);
    }
    return 0;
}

// moat cell start NAME
int cell_named(int fd, int argc, char **argv, unsigned long req, const char *what)
{
    if (argc != 2) {
        std::fprintf(stderr, "moat cell %s: usage: moat cell %s NAME\n", what, what);
        return 2;
    }
    moat_cell_ref ref{};
    std::snprintf(ref.name, sizeof(ref.name), "%s", argv[1]);
    drain_console();
    if (ioctl(fd, req, &ref) != 0) {
        report_failure(fd, (std::string("cell ") + what).c_str(), errno);
        return 1;
    }
    std::printf("moat: cell \"%s\": %s done\n", ref.name, what);
    return 0;
}

// shutdown/destroy [--force] [--timeout MS] NAME: a cooperative cell is asked first.
int cell_stop(int fd, int argc, char **argv, unsigned long req, const char *what)
{
    moat_cell_stop_args a{};
    const char *name = nullptr;
    for (int i = 1; i < argc; i++) {
        std::string opt = argv[i];
        if (opt == "--force") {
            a.flags |= MOAT_STOP_FORCE;
        } else if (opt == "--timeout" && i + 1 < argc) {
            char *end = nullptr;
            unsigned long ms = std::strtoul(argv[++i], &end, 10);
            if (!*argv[i] || *end || ms == 0 || ms > MOAT_STOP_TIMEOUT_MAX_MS) {
                std::fprintf(stderr, "moat cell %s: --timeout takes milliseconds, 1..%u (got \"%s\")\n", what,
                             MOAT_STOP_TIMEOUT_MAX_MS, argv[i]);
                return 2;
            }
            a.timeout_ms = static_cast<std::uint32_t>(ms);
        } else if (!name && opt.rfind("--", 0) != 0) {
            name = argv[i];
        } else {
            name = nullptr;
            break;
        }
    }
    if (!name) {
        std::fprintf(stderr, "moat cell %s: usage: moat cell %s [--force] [--timeout MS] NAME\n", what, what);
        return 2;
    }
    std::snprintf(a.name, sizeof(a.name), "%s", name);
    drain_console();
    if (ioctl(fd, req, &a) != 0) {
        report_failure(fd, (std::string("cell ") + what).c_str(), errno);
        return 1;
    }
    std::printf("moat: cell \"%s\": %s done\n", a.name, what);
    return 0;
}

// moat cell create FILE.cell
int cell_create(int fd, const char *path)
{
    std::vector<std::uint8_t> desc;
    if (!read_cell(path, desc))
        return 1;
    moat_cell_create_args a{reinterpret_cast<std::uintptr_t>(desc.data()), desc.size()};
    drain_console();
    if (ioctl(fd, MOAT_CELL_CREATE, &a) != 0) {
        report_failure(fd, "cell create", errno);
        return 1;
    }
    std::printf("moat: cell \"%s\" created\n", reinterpret_cast<const moat_cell_desc *>(desc.data())->name);
    return 0;
}

// moat cell load NAME IMAGE [--address ADDR]
int cell_load(int fd, int argc, char **argv)
{
    std::vector<std::uint8_t> image;
    moat_cell_load_args a{};
    std::snprintf(a.name, sizeof(a.name), "%s", argv[1]);
    if (argc == 5 && std::string(argv[3]) == "--address")
        a.address = std::strtoull(argv[4], nullptr, 0);
    if (!read_file(argv[2], image))
        return 1;
    a.image = reinterpret_cast<std::uintptr_t>(image.data());
    a.image_size = image.size();
    if (ioctl(fd, MOAT_CELL_LOAD, &a) != 0) {
        report_failure(fd, "cell load", errno);
        return 1;
    }
    std::printf("moat: %zu bytes loaded into cell \"%s\"\n", image.size(), a.name);
    return 0;
}

bool load_at(int fd, const char *name, const std::vector<std::uint8_t> &data, std::uint64_t ipa, const char *what)
{
    moat_cell_load_args a{};
    std::snprintf(a.name, sizeof(a.name), "%s", name);
    a.image = reinterpret_cast<std::uintptr_t>(data.data());
    a.image_size = data.size();
    a.address = ipa;
    if (ioctl(fd, MOAT_CELL_LOAD, &a) != 0) {
        report_failure(fd, (std::string("cell linux: loading the ") + what).c_str(), errno);
        return false;
    }
    std::printf("moat: %s: %zu bytes at %#llx\n", what, data.size(), static_cast<unsigned long long>(ipa));
    return true;
}

// The loadable RAM region holding the cell's entry: where the kernel, tree and initramfs go.
const moat_cell_mem_region *linux_ram(const moat_cell_desc &d)
{
    for (std::uint32_t i = 0; i < d.num_mem_regions; i++) {
        const moat_cell_mem_region &m = d.mem_regions[i];
        if ((m.flags & MOAT_CELL_MEM_LOADABLE) && d.entry >= m.virt_start && d.entry - m.virt_start < m.size)
            return &m;
    }
    return nullptr;
}

// moat cell linux FILE.cell TREE.dtb IMAGE [--initrd FILE] [--cmdline ARGS]
int cell_linux(int fd, int argc, char **argv)
{
    std::vector<std::string> pos;
    std::string initrd_path, cmdline;
    bool have_cmdline = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--initrd" && i + 1 < argc)
            initrd_path = argv[++i];
        else if (a == "--cmdline" && i + 1 < argc)
            cmdline = argv[++i], have_cmdline = true;
        else if (a.rfind("--", 0) != 0)
            pos.push_back(a);
        else
            pos.clear(), pos.resize(9);
    }
    if (pos.size() != 3) {
        std::fprintf(stderr, "moat cell linux: usage: moat cell linux FILE.cell TREE.dtb IMAGE [--initrd FILE] "
                             "[--cmdline ARGS]\n");
        return 2;
    }
    std::vector<std::uint8_t> desc, dtb, image, initrd;
    if (!read_cell(pos[0], desc) || !read_file(pos[1], dtb) || !read_file(pos[2], image) ||
        (!initrd_path.empty() && !read_file(initrd_path, initrd)))
        return 1;
    const moat_cell_desc &d = *reinterpret_cast<const moat_cell_desc *>(desc.data());
    const moat_cell_mem_region *ram = linux_ram(d);
    std::string err;
    moat::tools::KernelImage k;
    if (!ram) {
        std::fprintf(stderr, "moat cell linux: %s: the cell's entry is in no loadable RAM (give its RAM mapping "
                             "\"loadable\" and the entry inside it)\n", pos[0].c_str());
        return 1;
    }
    if (!moat::tools::parse_kernel_image(image, k, err)) {
        std::fprintf(stderr, "moat cell linux: %s: %s\n", pos[2].c_str(), err.c_str());
        return 1;
    }
    // The tree's size does not depend on the values: set the initramfs range once with zeros to
    // plan the layout, then with the real addresses.
    std::vector<moat::tools::FdtProp> chosen;
    if (have_cmdline)
        chosen.push_back({"bootargs", moat::tools::fdt_string(cmdline)});
    if (!initrd.empty()) {
        chosen.push_back({"linux,initrd-start", moat::tools::fdt_u64(0)});
        chosen.push_back({"linux,initrd-end", moat::tools::fdt_u64(0)});
    }
    std::vector<std::uint8_t> tree = dtb;
    moat::tools::LinuxLayout at;
    if (!moat::tools::fdt_set_chosen(tree, chosen, err) ||
        !moat::tools::plan_linux_layout(ram->virt_start, ram->size, d.entry, k, tree.size(), initrd.size(), at, err)) {
        std::fprintf(stderr, "moat cell linux: %s\n", err.c_str());
        return 1;
    }
    if (!initrd.empty()) {
        chosen[chosen.size() - 2].second = moat::tools::fdt_u64(at.initrd);
        chosen.back().second = moat::tools::fdt_u64(at.initrd + initrd.size());
        tree = dtb;
        moat::tools::fdt_set_chosen(tree, chosen, err);
    }
    // A DMA master of the cell's tree that a root driver holds: refused before the cell exists.
    std::vector<std::string> dma;
    if (!moat::tools::fdt_dma_devices(dtb, dma, err)) {
        std::fprintf(stderr, "moat cell linux: %s: %s\n", pos[1].c_str(), err.c_str());
        return 1;
    }
    std::string bound = moat::tools::bound_dma_device(dma);
    if (!bound.empty()) {
        std::fprintf(stderr, "moat cell linux: %s: %s\n", pos[1].c_str(), bound.c_str());
        return 1;
    }
    if (cell_create(fd, pos[0].c_str()) != 0)
        return 1;
    if (!load_at(fd, d.name, moat::tools::linux_boot_stub(at.dtb, at.kernel), at.stub, "boot stub") ||
        !load_at(fd, d.name, image, at.kernel, "kernel") || !load_at(fd, d.name, tree, at.dtb, "device tree") ||
        (!initrd.empty() && !load_at(fd, d.name, initrd, at.initrd, "initramfs")))
        return 1;
    moat_cell_ref ref{};
    std::snprintf(ref.name, sizeof(ref.name), "%s", d.name);
    drain_console();
    if (ioctl(fd, MOAT_CELL_START, &ref) != 0) {
        report_failure(fd, "cell start", errno);
        return 1;
    }
    std::printf("moat: cell \"%s\": Linux started (kernel %#llx, tree %#llx)\n", d.name,
                static_cast<unsigned long long>(at.kernel), static_cast<unsigned long long>(at.dtb));
    return 0;
}

// How a cell's CPUs take interrupts: through the hypervisor (trapped), or directly at EL1.
const char *irq_delivery_name(const moat_cell_status &c)
{
    return (c.flags & MOAT_CELL_FLAG_DIRECT_IRQ) ? "direct" : "trapped";
}

// moat cell list
int cell_list_print(int fd)
{
    moat_cell_list list;
    if (!cell_list(fd, list))
        return 1;
    std::printf("%-4s %-20s %-10s %-8s %s\n", "id", "name", "state", "irqs", "CPUs (Linux numbering)");
    for (unsigned i = 0; i < list.count; i++) {
        const moat_cell_status &c = list.cells[i];
        std::printf("%-4u %-20s %-10s %-8s", c.id, c.name, state_name(c.state), irq_delivery_name(c));
        for (unsigned j = 0; j < c.num_cpus; j++)
            std::printf(" %u", c.linux_cpu[j]);
        std::printf("  (%u on)\n", c.cpus_on);
    }
    return 0;
}

// moat cell stats NAME: the exits of its CPUs, summed.
int cell_stats(int fd, const char *name)
{
    moat_cell_list list;
    moat_stats st{};
    if (!cell_list(fd, list) || ioctl(fd, MOAT_STATS, &st) != 0)
        return 1;
    const moat_cell_status *c = nullptr;
    for (unsigned i = 0; i < list.count; i++)
        if (std::string(list.cells[i].name) == name)
            c = &list.cells[i];
    if (!c) {
        std::fprintf(stderr, "moat: no cell named \"%s\" (moat cell list shows the cells)\n", name);
        return 1;
    }
    std::printf("cell \"%s\": %s, interrupts %s\n", c->name, state_name(c->state), irq_delivery_name(*c));
    for (unsigned r = 0; r < MOAT_EXIT_REASONS; r++) {
        unsigned long long sum = 0;
        for (unsigned j = 0; j < c->num_cpus; j++)
            sum += st.count[c->linux_cpu[j]][r];
        std::printf("  %-14s %llu\n", EXIT_NAMES[r], sum);
    }
    return 0;
}

int cmd_cell(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    std::string verb = argv[0];
    int fd = open_device();
    if (fd < 0)
        return 1;
    int rc;
    if (verb == "create" && argc == 2) {
        rc = cell_create(fd, argv[1]);
    } else if (verb == "load" && (argc == 3 || argc == 5)) {
        rc = cell_load(fd, argc, argv);
    } else if (verb == "linux") {
        rc = cell_linux(fd, argc, argv);
    } else if (verb == "start") {
        rc = cell_named(fd, argc, argv, MOAT_CELL_START, "start");
    } else if (verb == "shutdown") {
        rc = cell_stop(fd, argc, argv, MOAT_CELL_SHUTDOWN, "shutdown");
    } else if (verb == "destroy") {
        rc = cell_stop(fd, argc, argv, MOAT_CELL_DESTROY, "destroy");
    } else if (verb == "list" && argc == 1) {
        rc = cell_list_print(fd);
    } else if (verb == "stats" && argc == 2) {
        rc = cell_stats(fd, argv[1]);
    } else {
        std::fprintf(stderr, "moat cell: unknown or incomplete command\n");
        usage(stderr);
        rc = 2;
    }
    close(fd);
    return rc;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    std::string cmd = argv[1];
    if (cmd == "enable")
        return cmd_enable(argc - 2, argv + 2);
    if (cmd == "disable")
        return cmd_disable();
    if (cmd == "info")
        return cmd_info();
    if (cmd == "stats")
        return cmd_stats(argc - 2, argv + 2);
    if (cmd == "cell")
        return cmd_cell(argc - 2, argv + 2);
    if (cmd == "console")
        return cmd_console();
    if (cmd == "selftest")
        return moat::selftest::cmd_selftest(argc - 2, argv + 2);
    if (cmd == "--version") {
        std::printf("moat ABI %s\n", moat::tools::abi_version_string(MOAT_ABI_VERSION).c_str());
        return 0;
    }
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
        usage(stdout);
        return 0;
    }
    std::fprintf(stderr, "moat: unknown command '%s'\n", cmd.c_str());
    usage(stderr);
    return 2;
}
