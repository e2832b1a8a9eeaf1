// SPDX-License-Identifier: GPL-2.0
// moat-desc-edit: test-only. Writes a copy of a cell descriptor with some fields changed and the
// checksum recomputed, so that a guest test can hand the hypervisor descriptors that are
// self-consistent (they pass cell_validate) but claim what the system does not give them:
//   moat-desc-edit IN OUT [name=NAME] [cpu=MPIDR] [region=I:PHYS:VIRT:SIZE:FLAGS]... [regions=N]
// region= sets mem_regions[I] (numbers in C syntax, e.g. 0x13 for IO|READ|WRITE) and grows
// num_mem_regions to cover it; regions= cuts the list to N entries.
#include <moat/cell.h>

#include <cstdio>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace {

[[noreturn]] void die(const char *what, const char *arg)
{
    std::fprintf(stderr, "moat-desc-edit: %s: %s\n", what, arg);
    std::exit(2);
}

unsigned long long number(const char *s, const char *arg)
{
    char *end;
    unsigned long long v = std::strtoull(s, &end, 0);
    if (end == s || (*end && *end != ':'))
        die("not a number", arg);
    return v;
}

// FNV-1a 32 over the descriptor, the checksum field counted as zero (include/moat/cell.h).
moat_u32 checksum(const moat_cell_desc &d)
{
    const unsigned char *b = reinterpret_cast<const unsigned char *>(&d);
    const size_t at = offsetof(moat_cell_desc, checksum);
    moat_u32 h = 0x811c9dc5u;
    for (size_t i = 0; i < sizeof(d); i++) {
        h ^= (i >= at && i < at + 4) ? 0 : b[i];
        h *= 0x01000193u;
    }
    return h;
}

void set_region(moat_cell_desc &d, const char *spec, const char *arg)
{
    unsigned long long v[5];
    const char *p = spec;
    for (int i = 0; i < 5; i++) {
        v[i] = number(p, arg);
        p = std::strchr(p, ':');
        if (i < 4 && !p)
            die("region wants I:PHYS:VIRT:SIZE:FLAGS", arg);
        if (p)
            p++;
    }
    if (v[0] >= MOAT_CELL_MAX_MEM_REGIONS)
        die("region index out of range", arg);
    d.mem_regions[v[0]] = {v[1], v[2], v[3], static_cast<moat_u32>(v[4]), 0};
    if (d.num_mem_regions <= v[0])
        d.num_mem_regions = static_cast<moat_u32>(v[0] + 1);
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc < 3)
        die("usage", "moat-desc-edit IN OUT [name=N] [cpu=MPIDR] [region=I:PHYS:VIRT:SIZE:FLAGS]... [regions=N]");
    moat_cell_desc d;
    FILE *in = std::fopen(argv[1], "rb");
    if (!in || std::fread(&d, sizeof(d), 1, in) != 1)
        die("cannot read a descriptor from", argv[1]);
    std::fclose(in);
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (!std::strncmp(a, "name=", 5)) {
            std::memset(d.name, 0, sizeof(d.name));
            std::strncpy(d.name, a + 5, sizeof(d.name) - 1);
        } else if (!std::strncmp(a, "cpu=", 4)) {
            d.cpu_mpidr[0] = number(a + 4, a);
        } else if (!std::strncmp(a, "region=", 7)) {
            set_region(d, a + 7, a);
        } else if (!std::strncmp(a, "regions=", 8)) {
            unsigned long long n = number(a + 8, a);
            if (n > MOAT_CELL_MAX_MEM_REGIONS)
                die("too many regions", a);
            for (unsigned long long r = n; r < MOAT_CELL_MAX_MEM_REGIONS; r++)
                d.mem_regions[r] = {};
            d.num_mem_regions = static_cast<moat_u32>(n);
        } else {
            die("unknown argument", a);
        }
    }
    d.checksum = checksum(d);
    FILE *out = std::fopen(argv[2], "wb");
    if (!out || std::fwrite(&d, sizeof(d), 1, out) != 1 || std::fclose(out) != 0)
        die("cannot write", argv[2]);
    return 0;
}
