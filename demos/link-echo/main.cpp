// SPDX-License-Identifier: MIT
// link-echo: the cell's end of link "echo" (cells/qemu-virt-link/echo.dtso). Every message Linux
// pushes into the queue to the cell comes back unchanged through the queue to Linux, with one
// doorbell each way; tests/qemu/guest/link-echo.sh drives it with moat-link-echo
// (tests/link-echo). A few commands test what a hostile peer cannot do:
//   "ring-stranger"  ring peer 7 (the link has 2) and ourselves: the hypervisor refuses both; the
//                    reply carries the register's status for each
//   "write-ro"       write Linux's output section, which is read-only here: the cell fails
//   "read ADDR"      read the 32-bit word at IPA ADDR (hex) and answer with it: at Linux's
//                    section (0x50010000) it is what Linux wrote there; at memory the cell does
//                    not own (another link's section, by its physical address) the cell fails
//                    and nothing is answered
//   "quit"           report the counts and exit
#include <moat/link_queue.h>

#include "demo/console.hpp"
#include "demo/format.hpp"
#include "demo/link.hpp"
#include "demo/mmio.hpp"
#include "demo/runtime.hpp"
#include "demo/sysreg.hpp"

namespace {
// echo.dtso: the sections from IPA 0x50000000 in address order (64 KiB every peer writes, then
// Linux's 4 KiB, the cell's 4 KiB), then the register and state pages; the cell's doorbell is
// INTID 241.
constexpr demo::link::Layout kLayout{0x50000000, 0x50012000, 241};
constexpr uintptr_t kToCell = 0x0;       // queue Linux -> cell, in section 0
constexpr uintptr_t kToLinux = 0x8000;   // queue cell -> Linux
constexpr uintptr_t kLinuxOut = 0x10000; // Linux's read-only section, from section 0
constexpr uint32_t kLinux = 0;           // Linux's peer index

bool equals(const char *a, uint32_t n, const char *b)
{
    uint32_t i = 0;
    for (; i < n && b[i]; i++)
        if (a[i] != b[i])
            return false;
    return i == n && !b[i];
}

// "read ADDR": true with the address when `a` (n bytes) is "read " and a hex number ("0x" or not).
bool parse_read(const char *a, uint32_t n, uintptr_t *addr)
{
    constexpr uint32_t kPrefix = 5;
    if (n <= kPrefix || !equals(a, kPrefix, "read "))
        return false;
    uint32_t i = kPrefix;
    if (n - i > 2 && a[i] == '0' && (a[i + 1] == 'x' || a[i + 1] == 'X'))
        i += 2;
    uintptr_t v = 0;
    uint32_t digits = 0;
    for (; i < n; i++, digits++) {
        char c = a[i];
        uint32_t d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;
        if (d == 16 || digits == 16)
            return false;
        v = v << 4 | d;
    }
    if (!digits || (v & 3))
        return false;
    *addr = v;
    return true;
}
}  // namespace

int demo_main()
{
    using demo::printf;
    demo::set_program_name("link-echo");
    demo::link::Endpoint link(kLayout);
    if (!link.open()) {
        printf("link-echo: cannot attach the doorbell INTID %u\n", kLayout.doorbell_intid);
        return 1;
    }
    auto *in = reinterpret_cast<moat_linkq *>(link.section(kToCell));
    auto *out = reinterpret_cast<moat_linkq *>(link.section(kToLinux));
    demo::arch::irq_enable();
    printf("link-echo: peer %u of %u, Linux is %s; ready\n", link.self(), link.peers(),
           link.peer_state(kLinux) == MOAT_LINK_PEER_UP ? "up" : "not up");
    uint32_t seen = 0, echoed = 0, rings = 0;
    char msg[MOAT_LINKQ_MAX_MSG];
    for (;;) {
        seen = link.wait(seen);
        bool any = false;
        int n;
        while ((n = moat_linkq_pop(in, msg, sizeof(msg))) >= 0) {
            uint32_t len = static_cast<uint32_t>(n);
            if (equals(msg, len, "quit")) {
                printf("link-echo: %u messages echoed, %u doorbells received, %u rung\n", echoed, link.count(), rings);
                return 0;
            }
            if (equals(msg, len, "ring-stranger")) {
                link.ring(7);
                uint32_t far = link.last_ring_status();
                link.ring(link.self());
                uint32_t self = link.last_ring_status();
                len = static_cast<uint32_t>(demo::snformat(msg, sizeof(msg), "ring-stranger: peer 7 status %u, self status %u", far, self));
            } else if (equals(msg, len, "write-ro")) {
                printf("link-echo: writing Linux's read-only section at %#lx\n",
                       static_cast<unsigned long>(link.section(kLinuxOut)));
                demo::mmio::write32(link.section(kLinuxOut), 0xbad);
                printf("link-echo: the write went through (it must not)\n");
                return 2;
            } else if (uintptr_t at = 0; parse_read(msg, len, &at)) {
                printf("link-echo: reading %#lx\n", static_cast<unsigned long>(at));
                uint32_t v = demo::mmio::read32(at);
                printf("link-echo: the read of %#lx went through\n", static_cast<unsigned long>(at));
                len = static_cast<uint32_t>(demo::snformat(msg, sizeof(msg), "read %#lx: %#x", static_cast<unsigned long>(at), v));
            } else {
                echoed++;
            }
            if (moat_linkq_push(out, msg, len) == 0)
                any = true;
        }
        if (any) {
            link.ring(kLinux);
            rings++;
        }
    }
}
