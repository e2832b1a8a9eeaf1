// SPDX-License-Identifier: GPL-2.0
// moat-ioctl-fuzz: throws bad requests at /dev/moat from the root cell and checks that each one
// is refused with an error and an explanation, and that nothing else happens. Test-only.
//   moat-ioctl-fuzz [iterations] [seed]
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <moat/cell.h>
#include <moat/ioctl.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace {
int failures;

void expect_refused(int fd, unsigned long req, void *arg, const char *what)
{
    errno = 0;
    int rc = ioctl(fd, req, arg);
    moat_error e{};
    ioctl(fd, MOAT_LAST_ERROR, &e);
    e.message[sizeof(e.message) - 1] = '\0';
    if (rc == 0) {
        std::printf("FAIL: %s was accepted\n", what);
        failures++;
    } else if (errno != ENOTTY && errno != EFAULT && !e.message[0]) {
        std::printf("FAIL: %s refused (%s) without an explanation\n", what, std::strerror(errno));
        failures++;
    }
}
}  // namespace

int main(int argc, char **argv)
{
    unsigned iterations = argc > 1 ? static_cast<unsigned>(std::strtoul(argv[1], nullptr, 0)) : 2000;
    std::mt19937_64 rng(argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 1);
    int fd = open("/dev/moat", O_RDWR);
    if (fd < 0) {
        std::perror("moat-ioctl-fuzz: /dev/moat");
        return 2;
    }
    std::vector<std::uint8_t> junk(1 << 16);
    auto fill = [&](void *p, size_t n) {
        for (size_t i = 0; i < n; i++)
            static_cast<std::uint8_t *>(p)[i] = static_cast<std::uint8_t>(rng());
    };
    // Fixed cases: every request with a pointer the kernel cannot read or write.
    void *bad = reinterpret_cast<void *>(0x10);
    for (unsigned long req : {MOAT_ENABLE, MOAT_INFO, MOAT_STATS, MOAT_CELL_CREATE, MOAT_CELL_LOAD,
                              MOAT_CELL_START, MOAT_CELL_SHUTDOWN, MOAT_CELL_DESTROY, MOAT_CELL_LIST,
                              MOAT_CONSOLE, MOAT_CELL_CONSOLE})
        expect_refused(fd, req, bad, "a request with an unmapped argument pointer");
    // A cell descriptor of garbage, one with a good header but garbage after it, wrong sizes.
    for (unsigned i = 0; i < iterations; i++) {
        moat_cell_desc d;
        fill(&d, sizeof(d));
        if (i % 2) {
            d.magic = MOAT_CELL_MAGIC;
            d.abi_version = MOAT_ABI_VERSION;
            d.total_size = sizeof(d);
        }
        moat_cell_create_args c{reinterpret_cast<std::uintptr_t>(&d), sizeof(d)};
        if (i % 7 == 0)
            c.desc_size = rng() % (2 * sizeof(d));
        if (i % 11 == 0)
            c.desc = rng();
        expect_refused(fd, MOAT_CELL_CREATE, &c, "a garbage cell descriptor");
        moat_enable_args e{reinterpret_cast<std::uintptr_t>(junk.data()), rng() % junk.size(),
                           reinterpret_cast<std::uintptr_t>(&d), sizeof(d)};
        fill(junk.data(), 64);
        expect_refused(fd, MOAT_ENABLE, &e, "enable with a garbage image or descriptor");
        moat_cell_load_args l{};
        fill(l.name, sizeof(l.name));
        l.image = reinterpret_cast<std::uintptr_t>(junk.data());
        l.image_size = rng() % junk.size();
        l.address = rng();
        expect_refused(fd, MOAT_CELL_LOAD, &l, "load into a cell that does not exist");
        moat_cell_ref r{};
        fill(r.name, sizeof(r.name));
        expect_refused(fd, MOAT_CELL_START, &r, "start of a cell that does not exist");
        moat_cell_stop_args st{};
        fill(&st, sizeof(st));
        if (i % 2)
            st.flags &= MOAT_STOP_FLAGS_KNOWN;  // else also refused for unknown flags
        expect_refused(fd, i % 3 ? MOAT_CELL_DESTROY : MOAT_CELL_SHUTDOWN, &st,
                       "shutdown or destroy of a cell that does not exist");
        // An ioctl number the driver does not know, with a random argument.
        unsigned long unknown = _IOC(rng() % 4, MOAT_IOCTL_TYPE, 32 + rng() % 200, rng() % 512);
        expect_refused(fd, unknown, junk.data(), "an unknown request");
    }
    close(fd);
    std::printf("moat-ioctl-fuzz: %u rounds, %d failure(s)\n", iterations, failures);
    return failures ? 1 : 0;
}
