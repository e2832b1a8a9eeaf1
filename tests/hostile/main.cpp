// SPDX-License-Identifier: MIT
// hostile: an inmate that attacks what it does not own, one attack per run, and reports what
// happened. The attack number is the 32-bit little-endian word at IPA 0x40000000, which the root
// loads separately ("moat cell load hostile mode.bin --address 0x40000000"): the cell's RAM
// starts there, 1 MiB below the image. Attacks 1-12 and 14-25 are what tests/qemu/guest/hostile.sh runs
// (twice: with trapped and with direct interrupt delivery);
// 13 (SGI 2, Linux's CPU stop IPI, to the root's CPUs) is tests/qemu/guest/hostile-sgi-stop.sh.
//
// Output, one line each, for tests/qemu/guest/hostile.sh to check:
//   hostile: attack N (what): <what it is about to do>
//   hostile: attack N (what): <what happened>     e.g. "faulted (ESR 0x96000010, FAR 0x48000000)"
//   hostile: attack N: contained                  or "hostile: attack N: BREACH: why" and
//                                                 "hostile: attack N: NOT CONTAINED"
//   hostile: exit status S                        0 contained, 1 not contained, 2 bad mode
// For the SGI attacks (5, 13, 20), the interrupts handed back (21), the CPU interface left broken
// (23) and the end of a root interrupt (24) only the root can tell the
// outcome ("done; only the root can tell"). Attacks 12 and 19 never end by themselves: the root
// must shut the cell down; attack 25 waits for a forced stop.
// Touching memory the cell does not own (attacks 1, 2, 3, 9) ends the cell: the hypervisor marks
// it failed and parks its CPU, so the line after "about to do" is the hypervisor's. Were a fault
// injected instead (the root cell's treatment), probe.S's vectors record it and the attack goes
// on to report it; anything the attack did not provoke still ends in the library's report and
// exit status 3.
// The GIC attacks (4, 5, 10, 12, 13) are built for the board's GIC version: on a GICv2 SGIs go
// through GICD_SGIR, SPIs are routed by GICD_ITARGETSR, and attack 10 goes for the hypervisor's
// GICH and GICV frames (a GICv2 has no per-CPU redistributor to steal), which also ends the cell.
#include <stddef.h>
#include <stdint.h>

#include <moat/cell.h>

#include "demo/board.hpp"
#include "demo/console.hpp"
#include "demo/format.hpp"
#if DEMO_GIC_VERSION == 2
#include "demo/gicv2.hpp"
#else
#include "demo/gicv3.hpp"
#endif
#include "demo/mmio.hpp"
#include "demo/runtime.hpp"
#include "demo/shutdown.hpp"
#include "demo/sysreg.hpp"
#include "demo/timer.hpp"

extern "C" {
struct HostileFault {
    uint64_t armed, count, esr, far, elr;
};
HostileFault hostile_fault;
extern char hostile_vectors[];
uint64_t hostile_read64(uint64_t addr);
void hostile_write64(uint64_t addr, uint64_t value);
uint32_t hostile_read32(uint64_t addr);
void hostile_write32(uint64_t addr, uint32_t value);
void hostile_jump(uint64_t addr);
void hostile_sgi1r(uint64_t value);
void hostile_sgi0r(uint64_t value);
void hostile_asgi1r(uint64_t value);
void hostile_ap0r0(uint64_t value);
uint64_t hostile_iar1();
void hostile_eoir1(uint64_t intid);
void hostile_dir(uint64_t intid);
void hostile_bpr1(uint64_t value);
void hostile_igrpen1(uint64_t value);
void hostile_ap1r0(uint64_t value);
uint64_t hostile_read_ap1r0();
int64_t hostile_smc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
int64_t hostile_hvc(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
void hostile_dc_isw(uint64_t setway);
void hostile_dc_cisw(uint64_t setway);
}

namespace {

using demo::printf;
using ull = unsigned long long;

constexpr uintptr_t kModeWord = 0x40000000;  // start of the cell's RAM
constexpr uint64_t kForeignRam = 0x48000000;  // root RAM physically; not mapped in this cell
constexpr uint64_t kHypervisor = 0x7fc00000;  // moat,hypervisor region on QEMU virt
constexpr uint64_t kVirtioMmio = 0x0a000000;   // virtio-mmio transports, the root's
constexpr uint64_t kImageEntry = 0x40100000;

// GIC registers (offsets from the distributor / a redistributor frame / the CPU interface).
constexpr uint64_t GICD_CTLR = 0x0000, GICD_ISENABLER = 0x0100, GICD_ICENABLER = 0x0180;
constexpr uint64_t GICD_IPRIORITYR = 0x0400;
#if DEMO_GIC_VERSION == 3
constexpr uint64_t GICD_IROUTER = 0x6000;
constexpr uint64_t GICR_FRAME = 0x20000, GICR_TYPER = 0x0008, GICR_SGI = 0x10000;
constexpr uint64_t GICR_CTLR = 0x0000, GICR_PROPBASER = 0x0070, GICR_PENDBASER = 0x0078;
constexpr uint32_t GICR_CTLR_ENABLE_LPIS = 1u << 0;
constexpr uint64_t GICR_ISENABLER0 = GICR_SGI + 0x0100, GICR_ICENABLER0 = GICR_SGI + 0x0180;
#else
constexpr uint64_t GICD_ITARGETSR = 0x0800, GICD_SGIR = 0x0f00;
constexpr unsigned GICD_SGIR_TARGETS_SHIFT = 16;  // TargetListFilter (bits 25:24) 0: the list
constexpr uint64_t GICC_CTLR = 0x0000, GICH_HCR = 0x0000;
constexpr uint64_t GICC_PMR = 0x0004, GICC_BPR = 0x0008, GICC_IAR = 0x000c, GICC_EOIR = 0x0010;
constexpr uint64_t GICC_APR0 = 0x00d0, GICC_DIR = 0x1000;
constexpr uint32_t GICC_CTLR_ENABLE = 1u << 0, GICC_CTLR_EOIMODE_NS = 1u << 9;
#endif
constexpr uint32_t kRootIrq = 33;  // the PL011's SPI: Linux's console
// virtio31's SPI: the root's scratch disk (/dev/vda), which this cell takes with the 4 KiB page
// of transports 24-31 (cells/qemu-virt/hostile.dtso) and hands back in attack 21.
constexpr uint32_t kDiskIrq = 79;
// Per-interrupt registers the distributor and the redistributor's SGI_base frame share.
constexpr uint64_t GIC_IGROUPR = 0x0080, GIC_ISPENDR = 0x0200, GIC_ISACTIVER = 0x0300, GIC_ICFGR = 0x0c00;
constexpr uint32_t kMgmtSgi = 15;  // the hypervisor's: it stops a cell's CPU with it

// PSCI function ID (moat's hypercall numbers come from <moat/abi.h>).
constexpr uint64_t PSCI_CPU_ON_64 = 0xc4000003;

const char *smccc_name(int64_t r)
{
    switch (r) {
    case 0: return "SUCCESS";
    case -1: return "NOT_SUPPORTED";
    case -2: return "INVALID_PARAMETERS";
    case -3: return "DENIED";
    case -4: return "ALREADY_ON";
    case -5: return "ON_PENDING";
    default: return "?";
    }
}

const char *kNames[] = {
    "none",           "read root RAM", "write hv memory", "foreign MMIO", "foreign GICD IRQ", "SGIs to root",
    "CPU_ON root CPU", "unknown SMC",  "set/way",         "wild jump",
#if DEMO_GIC_VERSION == 3
    "foreign GICR",
#else
    "GIC hyp frames",
#endif
    "root hypercalls",
    "refuse to stop", "SGI CPU stop",  "debug registers", "PMU registers", "refuse shutdown",
    "ignore shutdown", "LPI tables",      "stop SGI",        "group 0 SGIs",  "IRQs back broken",
    "GICR past last", "CPU if left broken", "EOI foreign IRQ", "IRQs left pending",
};
constexpr unsigned kAttacks = sizeof(kNames) / sizeof(kNames[0]) - 1;

unsigned attack;
bool breached;

void breach(const char *why)
{
    breached = true;
    printf("hostile: attack %u: BREACH: %s\n", attack, why);
}

// Arm the fault recorder; returns the fault count to compare with afterwards.
uint64_t arm()
{
    hostile_fault.armed = 1;
    asm volatile("" ::: "memory");
    return hostile_fault.count;
}
void disarm()
{
    asm volatile("" ::: "memory");
    hostile_fault.armed = 0;
}

// After one probe: print what happened. Returns whether it faulted.
bool report_fault(uint64_t before, const char *otherwise)
{
    if (hostile_fault.count != before) {
        printf("hostile: attack %u (%s): faulted (ESR %#llx, FAR %#llx)\n", attack, kNames[attack],
               static_cast<ull>(hostile_fault.esr), static_cast<ull>(hostile_fault.far));
        return true;
    }
    if (otherwise)
        printf("hostile: attack %u (%s): %s\n", attack, kNames[attack], otherwise);
    return false;
}

void attack_read(uint64_t addr)
{
    printf("hostile: attack %u (%s): reading IPA %#llx\n", attack, kNames[attack], static_cast<ull>(addr));
    uint64_t before = arm();
    uint64_t v = hostile_read64(addr);
    disarm();
    if (!report_fault(before, "no fault")) {
        printf("hostile: attack %u (%s): read %#llx\n", attack, kNames[attack], static_cast<ull>(v));
        breach("the read succeeded");
    }
}

void attack_write(uint64_t addr, uint64_t value, bool wide)
{
    printf("hostile: attack %u (%s): writing %#llx to IPA %#llx\n", attack, kNames[attack],
           static_cast<ull>(value), static_cast<ull>(addr));
    uint64_t before = arm();
    if (wide)
        hostile_write64(addr, value);
    else
        hostile_write32(addr, static_cast<uint32_t>(value));
    disarm();
    if (!report_fault(before, "no fault"))
        breach("the write succeeded");
}

// 32-bit register access that must not fault (an emulated register): returns the value read.
uint32_t reg_read(uint64_t addr, const char *name)
{
    uint64_t before = arm();
    uint32_t v = hostile_read32(addr);
    disarm();
    if (hostile_fault.count != before) {
        report_fault(before, "");
        return 0;
    }
    printf("hostile: attack %u (%s): %s (%#llx) reads %#x\n", attack, kNames[attack], name,
           static_cast<ull>(addr), v);
    return v;
}
void reg_write(uint64_t addr, uint32_t v, const char *name)
{
    printf("hostile: attack %u (%s): writing %#x to %s (%#llx)\n", attack, kNames[attack], v, name,
           static_cast<ull>(addr));
    uint64_t before = arm();
    hostile_write32(addr, v);
    disarm();
    if (hostile_fault.count != before)
        report_fault(before, "");
}

uint64_t own_aff0() { return demo::arch::read_mpidr() & 0xff; }

// This CPU's bit in an SGI target list: Aff0 (cluster 0) on a GICv3, the CPU interface bit on
// a GICv2 (QEMU virt numbers both as the CPU).
uint64_t own_target_bit()
{
#if DEMO_GIC_VERSION == 3
    return uint64_t{1} << own_aff0();
#else
    return demo::gic::cpu_interface_mask();
#endif
}

// One SGI `intid` to the CPUs in `targets` (own_target_bit() numbering), as this GIC sends it.
void send_sgi(unsigned intid, uint64_t targets)
{
#if DEMO_GIC_VERSION == 3
    constexpr unsigned kSgi1rIntidShift = 24;
    hostile_sgi1r(uint64_t{intid} << kSgi1rIntidShift | targets);
#else
    hostile_write32(demo::board::kGicdBase + GICD_SGIR,
                    static_cast<uint32_t>(targets << GICD_SGIR_TARGETS_SHIFT) | intid);
#endif
}

// (4) The distributor is emulated: the cell sees and changes only its own interrupts (none).
void attack_gicd()
{
    const uint64_t d = demo::board::kGicdBase;
    const uint64_t isen1 = d + GICD_ISENABLER + 4, icen1 = d + GICD_ICENABLER + 4;
    const uint32_t bit = 1u << (kRootIrq % 32);
    uint32_t ctlr = reg_read(d + GICD_CTLR, "GICD_CTLR");
    reg_read(isen1, "GICD_ISENABLER1");
    reg_write(isen1, bit, "GICD_ISENABLER1");
    if (reg_read(isen1, "GICD_ISENABLER1") & bit)
        breach("INTID 33 shows as enabled for this cell");
    // Disabling every SPI 32..63 would silence the root's console and virtio if it got through.
    reg_write(icen1, 0xffffffff, "GICD_ICENABLER1");
#if DEMO_GIC_VERSION == 3
    const uint64_t irouter = d + GICD_IROUTER + kRootIrq * 8;
    reg_write(irouter, static_cast<uint32_t>(own_aff0()), "GICD_IROUTER33");
    if (reg_read(irouter, "GICD_IROUTER33") != 0)
        breach("INTID 33's route is visible to this cell");
#else
    // ITARGETSR8 holds INTIDs 32-35, a byte each: 33's targets to this CPU only.
    const uint64_t itargetsr = d + GICD_ITARGETSR + (kRootIrq & ~3u);
    const unsigned shift = kRootIrq % 4 * 8;
    reg_write(itargetsr, static_cast<uint32_t>(own_target_bit()) << shift, "GICD_ITARGETSR8");
    if (reg_read(itargetsr, "GICD_ITARGETSR8") & (0xffu << shift))
        breach("INTID 33's targets are visible to this cell");
#endif
    reg_write(d + GICD_CTLR, 0, "GICD_CTLR");
    if (reg_read(d + GICD_CTLR, "GICD_CTLR") != ctlr)
        breach("GICD_CTLR changed");
}

// (5) SGIs to every other CPU (the root's). INTID 4 is Linux's timer-broadcast IPI: harmless
// when spurious (it runs the CPU's own tick handler) and never sent on this board, so the root
// can tell from /proc/interrupts whether a single one arrived.
void attack_sgi()
{
    constexpr unsigned kCount = 100, kIntid = 4;
    constexpr uint64_t kSpacingNs = 1'000'000;  // each one on its own, not merged into a pending one
    const uint64_t targets = 0xfu & ~own_target_bit();  // the other CPUs 0-3
    printf("hostile: attack %u (%s): %u x SGI %u 1 ms apart, target list %#llx\n", attack, kNames[attack], kCount,
           kIntid, static_cast<ull>(targets));
    uint64_t before = arm();
    for (unsigned i = 0; i < kCount; i++) {
        send_sgi(kIntid, targets);
        demo::timer::delay_ns(kSpacingNs);
    }
    disarm();
    report_fault(before, "sent without a fault; the root checks delivery");
}

// (6) Powering on a CPU the cell does not own.
void attack_cpu_on()
{
    struct {
        uint64_t mpidr;
        const char *what;
    } const targets[] = {{0, "root's boot CPU"}, {(own_aff0() + 1) % 4, "a root CPU"},
                         {0xff, "no such CPU"}};
    for (const auto &t : targets) {
        printf("hostile: attack %u (%s): CPU_ON MPIDR %#llx (%s)\n", attack, kNames[attack],
               static_cast<ull>(t.mpidr), t.what);
        uint64_t before = arm();
        int64_t r = hostile_smc(PSCI_CPU_ON_64, t.mpidr, kImageEntry, 0);
        disarm();
        if (report_fault(before, nullptr))
            continue;
        printf("hostile: attack %u (%s): CPU_ON MPIDR %#llx returned %lld (%s)\n", attack, kNames[attack],
               static_cast<ull>(t.mpidr), static_cast<long long>(r), smccc_name(r));
        if (r != -3 && r != -2)
            breach("CPU_ON of a foreign CPU was not refused");
    }
}

// (7) SMCs nobody defined for a cell: silicon-provider and trusted-application ranges.
void attack_smc()
{
    const uint64_t ids[] = {0xc2000000, 0x82000010, 0xb0000000, 0xf2000000};
    for (uint64_t id : ids) {
        printf("hostile: attack %u (%s): SMC function %#llx\n", attack, kNames[attack], static_cast<ull>(id));
        uint64_t before = arm();
        int64_t r = hostile_smc(id, 0, 0, 0);
        disarm();
        if (report_fault(before, nullptr))
            continue;
        printf("hostile: attack %u (%s): SMC %#llx returned %lld (%s)\n", attack, kNames[attack],
               static_cast<ull>(id), static_cast<long long>(r), smccc_name(r));
        if (r != -1)
            breach("an unknown SMC was not answered NOT_SUPPORTED");
    }
}

// (8) Invalidate every data cache line by set/way (would drop other cells' dirty data), then
// clean and invalidate them all.
void attack_setway()
{
    const uint64_t clidr = [] {
        uint64_t v;
        asm volatile("mrs %0, clidr_el1" : "=r"(v));
        return v;
    }();
    const unsigned loc = (clidr >> 24) & 7;
    printf("hostile: attack %u (%s): DC ISW, DC CISW on all sets/ways, %u levels (CLIDR %#llx)\n",
           attack, kNames[attack], loc, static_cast<ull>(clidr));
    uint64_t ops = 0;
    uint64_t before = arm();
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned level = 0; level < loc; level++) {
            unsigned ctype = (clidr >> (level * 3)) & 7;
            if (ctype < 2)
                continue;  // no data or unified cache at this level
            uint64_t ccsidr;
            asm volatile("msr csselr_el1, %1\n isb\n mrs %0, ccsidr_el1" : "=r"(ccsidr) : "r"(uint64_t{level} << 1));
            const unsigned line_shift = (ccsidr & 7) + 4;
            const unsigned ways = ((ccsidr >> 3) & 0x3ff) + 1;
            const unsigned sets = ((ccsidr >> 13) & 0x7fff) + 1;
            const unsigned way_shift = ways > 1 ? __builtin_clz(ways - 1) : 0;
            for (unsigned w = 0; w < ways; w++)
                for (unsigned s = 0; s < sets; s++) {
                    uint64_t sw = (uint64_t{w} << way_shift) | (uint64_t{s} << line_shift) | (level << 1);
                    if (pass == 0)
                        hostile_dc_isw(sw);
                    else
                        hostile_dc_cisw(sw);
                    ops++;
                }
        }
    }
    disarm();
    char line[80];
    demo::snformat(line, sizeof(line), "completed %llu set/way operations", static_cast<ull>(ops));
    report_fault(before, line);
}

// (9) Branches into memory that is not the cell's: an unmapped IPA, the hypervisor's memory.
void attack_jump()
{
    const uint64_t targets[] = {kForeignRam, kHypervisor};
    for (uint64_t target : targets) {
        printf("hostile: attack %u (%s): branching to IPA %#llx\n", attack, kNames[attack], static_cast<ull>(target));
        uint64_t before = arm();
        hostile_jump(target);
        disarm();
        if (!report_fault(before, "returned without a fault"))
            breach("code at a foreign address ran");
    }
}

#if DEMO_GIC_VERSION == 3
// (10) Another CPU's redistributor: disabling its SGIs and PPIs (timer) would stall the root.
void attack_gicr()
{
    const uint64_t frame = demo::board::kGicrBase;  // CPU 0's, the root's boot CPU
    uint32_t typer = reg_read(frame + GICR_TYPER + 4, "CPU 0's GICR_TYPER[63:32]");
    if (typer != 0)
        breach("CPU 0's redistributor frame is not CPU 0's (affinity not 0)");
    reg_read(frame + GICR_ISENABLER0, "CPU 0's GICR_ISENABLER0");
    reg_write(frame + GICR_ICENABLER0, 0xffffffff, "CPU 0's GICR_ICENABLER0");
    if (reg_read(frame + GICR_ISENABLER0, "CPU 0's GICR_ISENABLER0") != 0)
        breach("CPU 0's enabled SGIs/PPIs are visible to this cell");
}
#else
// (10) The hypervisor's GIC frames: GICH_HCR = 0 would switch injection off for the CPU, and the
// virtual CPU interface at its own address is not the cell's (it sees it at the GICC address).
void attack_gicr()
{
    attack_write(demo::board::kGichBase + GICH_HCR, 0, false);
    attack_read(demo::board::kGicvBase);
}
#endif

// (11) Management hypercalls are the root cell's.
void attack_hypercalls()
{
    struct {
        uint64_t fn, a1, a2, a3;
        const char *what;
    } const calls[] = {
        {MOAT_HC_DISABLE, 0, 0, 0, "DISABLE"},
        {MOAT_HC_CELL_DESTROY, 0, kModeWord, 0, "CELL_DESTROY of cell 0"},
        {MOAT_HC_CELL_CREATE, kImageEntry, MOAT_CELL_DESC_SIZE, kModeWord, "CELL_CREATE"},
        {MOAT_HC_GET_STATS, 0, 0, 0, "GET_STATS of CPU 0"},
    };
    for (const auto &c : calls) {
        printf("hostile: attack %u (%s): HVC %s\n", attack, kNames[attack], c.what);
        uint64_t before = arm();
        int64_t r = hostile_hvc(c.fn, c.a1, c.a2, c.a3);
        disarm();
        if (report_fault(before, nullptr))
            continue;
        printf("hostile: attack %u (%s): HVC %#llx returned %lld (%s)\n", attack, kNames[attack],
               static_cast<ull>(c.fn), static_cast<long long>(r), smccc_name(r));
        if (r != -3)
            breach("a root-only hypercall was not DENIED");
    }
}

// (12) A cell that will not stop: every exception masked, and its own redistributor (mapped
// straight into the cell) told again and again to drop every SGI and PPI, the management SGI
// included, at the lowest priority, with the CPU interface marked asleep. Only the hypervisor's
// shutdown can end it.
#if DEMO_GIC_VERSION == 3
[[noreturn]] void attack_refuse_stop()
{
    uint64_t frame = 0;
    for (uint64_t f = demo::board::kGicrBase; f < demo::board::kGicrBase + demo::board::kGicrSize; f += GICR_FRAME) {
        uint64_t typer = uint64_t{demo::mmio::read32(f + GICR_TYPER + 4)};
        if (typer == (demo::arch::read_mpidr() & 0xffffff)) {
            frame = f;
            break;
        }
    }
    printf("hostile: attack %u (%s): all exceptions masked; own redistributor %#llx: SGIs/PPIs off, asleep\n",
           attack, kNames[attack], static_cast<ull>(frame));
    printf("hostile: attack %u (%s): looping until the hypervisor stops this CPU\n", attack, kNames[attack]);
    // The word after the attack number may pick the means (bits 0-2: enables, priorities,
    // sleep; 0: all); for narrowing down what the hypervisor cannot cope with.
    uint32_t means = *reinterpret_cast<volatile const uint32_t *>(kModeWord + 4);
    if (means == 0)
        means = 7;
    asm volatile("msr daifset, #0xf" ::: "memory");
    constexpr uint64_t GICR_WAKER = 0x0014, GICR_IPRIORITYR3 = GICR_SGI + 0x040c;
    // WFI between the rounds: under QEMU -icount a vCPU that never sleeps slows the other
    // vCPUs' (the root's) virtual time to a crawl. Interrupts for the hypervisor still wake it.
    for (;;) {
        if (frame && (means & 1))
            demo::mmio::write32(frame + GICR_ICENABLER0, 0xffffffff);
        if (frame && (means & 2))
            demo::mmio::write32(frame + GICR_IPRIORITYR3, 0xffffffff);
        if (frame && (means & 4))
            demo::mmio::write32(frame + GICR_WAKER, 0x2);  // ProcessorSleep
        demo::arch::wfi();
    }
}
#else
// On a GICv2 the same through the distributor (this CPU's banked SGI/PPI registers: enables,
// SGIs 12-15's priorities) and by switching its CPU interface off.
[[noreturn]] void attack_refuse_stop()
{
    printf("hostile: attack %u (%s): all exceptions masked; own SGIs/PPIs off, CPU interface off\n", attack,
           kNames[attack]);
    printf("hostile: attack %u (%s): looping until the hypervisor stops this CPU\n", attack, kNames[attack]);
    uint32_t means = *reinterpret_cast<volatile const uint32_t *>(kModeWord + 4);
    if (means == 0)
        means = 7;
    asm volatile("msr daifset, #0xf" ::: "memory");
    constexpr uint64_t GICD_IPRIORITYR3 = GICD_IPRIORITYR + 0x0c;
    const uint64_t d = demo::board::kGicdBase;
    for (;;) {
        if (means & 1)
            demo::mmio::write32(d + GICD_ICENABLER, 0xffffffff);
        if (means & 2)
            demo::mmio::write32(d + GICD_IPRIORITYR3, 0xffffffff);
        if (means & 4)
            demo::mmio::write32(demo::board::kGiccBase + GICC_CTLR, 0);
        demo::arch::wfi();
    }
}
#endif

// (13) Not run by hostile.sh (it stops Linux if SGIs get through): SGI 2, Linux's IPI_CPU_STOP,
// to the root's CPUs, once. tests/qemu/guest/hostile-sgi-stop.sh.
void attack_sgi_cpu_stop()
{
    const uint64_t targets = 0xfu & ~own_target_bit();
    printf("hostile: attack %u (%s): SGI 2 (Linux's CPU stop IPI) to target list %#llx\n", attack, kNames[attack],
           static_cast<ull>(targets));
    uint64_t before = arm();
    send_sgi(2, targets);
    disarm();
    report_fault(before, "sent without a fault; the root checks delivery");
}

// A system register a cell must not reach: reading it must fail the cell (the hypervisor parks
// it), so returning from here at all is a breach.
void attack_sysreg_read(const char *name, uint64_t (*read)())
{
    printf("hostile: attack %u (%s): reading %s\n", attack, kNames[attack], name);
    uint64_t before = arm();
    uint64_t v = read();
    disarm();
    if (!report_fault(before, "no fault")) {
        printf("hostile: attack %u (%s): %s reads %#llx\n", attack, kNames[attack], name, static_cast<ull>(v));
        breach("the register was readable");
    }
}

// (14) The debug registers: DBGBVR0_EL1 may still hold a breakpoint address Linux set on this
// CPU (a kernel address). Trapped for cells (MDCR_EL2.TDA); the trap fails the cell.
void attack_debug_registers()
{
    attack_sysreg_read("DBGBVR0_EL1", [] {
        uint64_t v;
        asm volatile("mrs %0, dbgbvr0_el1" : "=r"(v));
        return v;
    });
}

// (15) The PMU: the cycle counter counts whatever Linux configured. Trapped (MDCR_EL2.TPM).
void attack_pmu_registers()
{
    attack_sysreg_read("PMCCNTR_EL0", [] {
        uint64_t v;
        asm volatile("mrs %0, pmccntr_el0" : "=r"(v));
        return v;
    });
}

#if DEMO_GIC_VERSION == 3
// (18) Its own redistributor's LPI tables: pointed at the hypervisor's memory with LPIs enabled,
// the redistributor would read and write them by DMA. Those registers must not take.
void attack_lpi_tables()
{
    const uint64_t rd = demo::gic::redistributor();
    if (!rd) {
        breach("no redistributor of its own found");
        return;
    }
    reg_write(rd + GICR_PROPBASER, static_cast<uint32_t>(kHypervisor), "own GICR_PROPBASER[31:0]");
    reg_write(rd + GICR_PENDBASER, static_cast<uint32_t>(kHypervisor + 0x10000), "own GICR_PENDBASER[31:0]");
    reg_write(rd + GICR_CTLR, reg_read(rd + GICR_CTLR, "own GICR_CTLR") | GICR_CTLR_ENABLE_LPIS,
              "own GICR_CTLR (EnableLPIs)");
    if (reg_read(rd + GICR_PROPBASER, "own GICR_PROPBASER[31:0]") != 0)
        breach("the LPI configuration table address was taken");
    if (reg_read(rd + GICR_PENDBASER, "own GICR_PENDBASER[31:0]") != 0)
        breach("the LPI pending table address was taken");
    if (reg_read(rd + GICR_CTLR, "own GICR_CTLR") & GICR_CTLR_ENABLE_LPIS)
        breach("LPIs are enabled");
}
#else
// (18) GICv2 has no redistributors and no LPIs: nothing to attack.
void attack_lpi_tables() { printf("hostile: attack %u (%s): no LPIs on GICv2\n", attack, kNames[attack]); }
#endif

// (16) Cooperative shutdown, refused: asks to be asked, then says no to every request. Only
// `moat cell shutdown --force` ends it. (17) Asks to be asked and never answers: the root's
// request times out. Both wait in WFI with interrupts on (the SGI must get in).
uint64_t requests;
bool answer_no;
void on_shutdown_request(void *)
{
    requests++;
    if (answer_no && !demo::shutdown::refuse())
        breach("the refusal was not accepted");
    printf("hostile: attack %u (%s): shutdown request %llu %s\n", attack, kNames[attack],
           static_cast<ull>(requests), answer_no ? "refused" : "ignored");
}

[[noreturn]] void attack_shutdown(bool refuse)
{
    answer_no = refuse;
    if (!demo::shutdown::ask_me_first(3, on_shutdown_request, nullptr))
        breach("MOAT_HC_SHUTDOWN_NOTIFY was refused");
    printf("hostile: attack %u (%s): asked to be asked (SGI 3); waiting\n", attack, kNames[attack]);
    demo::arch::irq_enable();
    for (;;)
        demo::arch::wfi();
}


// Registers of the calling CPU's SGIs and PPIs: the own redistributor's SGI_base frame on a
// GICv3, the distributor's banked first words on a GICv2. 0 if there is no redistributor.
uint64_t private_regs()
{
#if DEMO_GIC_VERSION == 3
    const uint64_t rd = demo::gic::redistributor();
    return rd ? rd + GICR_SGI : 0;
#else
    return demo::board::kGicdBase;
#endif
}

// (19) The hypervisor stops a cell's CPU with its management SGI (15), sent to this CPU's own
// redistributor. Make it undeliverable there: SGI 15 to Group 0 (never signalled as an IRQ to
// the hypervisor's Group 1 interface), left active (no second activation), disabled, at the
// lowest priority, the redistributor asleep, and (GICv3) a Group 0 active priority in the
// physical CPU interface (ICC_AP0R0_EL1 bit 0: running priority 0, nothing preempts). Then loop
// with every exception masked: only a hypervisor that still gets its SGI through (or does not
// need it) can stop this CPU. The word after the attack number picks the means (bits 0-5 in
// that order; 0: all).
[[noreturn]] void attack_stop_sgi()
{
    uint32_t means = *reinterpret_cast<volatile const uint32_t *>(kModeWord + 4);
    if (means == 0)
        means = 0x3f;
    const uint64_t p = private_regs();
    const uint32_t bit = 1u << kMgmtSgi;
    const uint64_t prio = p + GICD_IPRIORITYR + (kMgmtSgi & ~3u);
    printf("hostile: attack %u (%s): SGI %u in this CPU's registers at %#llx: means %#x\n", attack, kNames[attack],
           kMgmtSgi, static_cast<ull>(p), means);
    if (!p) {
        breach("no redistributor of its own found");
        for (;;)
            demo::arch::wfi();
    }
    for (unsigned round = 0;; round++) {
        const bool tell = round == 0;
        auto put = [&](uint64_t addr, uint32_t v, const char *name) {
            if (tell)
                reg_write(addr, v, name);
            else
                demo::mmio::write32(addr, v);
        };
        if (means & 1)
            put(p + GIC_IGROUPR, demo::mmio::read32(p + GIC_IGROUPR) & ~bit, "IGROUPR0 (SGI 15 to Group 0)");
        if (means & 2)
            put(p + GIC_ISACTIVER, bit, "ISACTIVER0 (SGI 15 active)");
        if (means & 4)
            put(p + GICD_ICENABLER, bit, "ICENABLER0 (SGI 15 off)");
        if (means & 8)
            put(prio, 0xffffffff, "IPRIORITYR3 (SGIs 12-15 lowest)");
#if DEMO_GIC_VERSION == 3
        if (means & 16)
            put(demo::gic::redistributor() + 0x0014, 0x2, "GICR_WAKER (ProcessorSleep)");
        if (means & 32) {
            if (tell)
                printf("hostile: attack %u (%s): writing 1 to ICC_AP0R0_EL1 (Group 0 priority 0 active)\n", attack,
                       kNames[attack]);
            hostile_ap0r0(1);
        }
#endif
        if (tell) {
            reg_read(p + GIC_IGROUPR, "IGROUPR0");
            reg_read(p + GIC_ISACTIVER, "ISACTIVER0");
            reg_read(p + GICD_ISENABLER, "ISENABLER0");
            reg_read(prio, "IPRIORITYR3");
            printf("hostile: attack %u (%s): all exceptions masked; looping until the hypervisor stops this CPU\n",
                   attack, kNames[attack]);
            asm volatile("msr daifset, #0xf" ::: "memory");
        }
        demo::arch::wfi();  // see attack 12: a busy loop would starve the root's vCPUs under -icount
    }
}

#if DEMO_GIC_VERSION == 3
// (20) SGIs through the other two generation registers, ICC_SGI0R_EL1 (Group 0) and
// ICC_ASGI1R_EL1, to the root's CPUs, INTID 4 (as attack 5: the root counts IPI4). They must be
// trapped and cut down to the cell's own CPUs like ICC_SGI1R_EL1.
void attack_group0_sgis()
{
    constexpr unsigned kCount = 50, kIntid = 4;
    constexpr uint64_t kSpacingNs = 1'000'000;
    const uint64_t targets = 0xfu & ~own_target_bit();
    constexpr unsigned kIntidShift = 24;
    printf("hostile: attack %u (%s): %u x SGI %u through ICC_SGI0R_EL1 and %u through ICC_ASGI1R_EL1, target list %#llx\n",
           attack, kNames[attack], kCount, kIntid, kCount, static_cast<ull>(targets));
    uint64_t before = arm();
    for (unsigned i = 0; i < kCount; i++) {
        hostile_sgi0r(uint64_t{kIntid} << kIntidShift | targets);
        demo::timer::delay_ns(kSpacingNs);
        hostile_asgi1r(uint64_t{kIntid} << kIntidShift | targets);
        demo::timer::delay_ns(kSpacingNs);
    }
    disarm();
    report_fault(before, "sent without a fault; the root checks delivery");
}
#else
void attack_group0_sgis()
{
    printf("hostile: attack %u (%s): no ICC_SGI0R_EL1 on GICv2 (SGIs go through GICD_SGIR: attack 5)\n", attack,
           kNames[attack]);
}
#endif

// (21) Interrupts handed back broken: the root's disk interrupt (owned while the cell exists) is
// moved to the other group, given the lowest priority (below Linux's priority mask), switched to
// level, made pending and active and disabled; this CPU's SGI 1 goes to the other group and its
// virtual timer PPI is left active. Then the cell ends. The root must find its disk working after
// destroy: only it can tell.
void attack_irqs_back_broken()
{
    const uint64_t d = demo::board::kGicdBase;
    const uint32_t word = kDiskIrq / 32 * 4, bit = 1u << (kDiskIrq % 32);
    const uint64_t cfg = d + GIC_ICFGR + kDiskIrq / 16 * 4;
    const uint32_t cfg_edge = 2u << (kDiskIrq % 16 * 2);
    reg_write(d + GIC_IGROUPR + word, reg_read(d + GIC_IGROUPR + word, "GICD_IGROUPR2") ^ bit,
              "GICD_IGROUPR2 (INTID 79 to the other group)");
    reg_write(d + GICD_IPRIORITYR + (kDiskIrq & ~3u), 0xffffffff, "GICD_IPRIORITYR19 (lowest)");
    reg_write(d + GICD_ICENABLER + word, bit, "GICD_ICENABLER2");
    reg_write(cfg, reg_read(cfg, "GICD_ICFGR4") ^ cfg_edge, "GICD_ICFGR4 (INTID 79 edge/level swapped)");
    reg_write(d + GIC_ISPENDR + word, bit, "GICD_ISPENDR2");
    reg_write(d + GIC_ISACTIVER + word, bit, "GICD_ISACTIVER2");
    reg_read(d + GIC_IGROUPR + word, "GICD_IGROUPR2");
    reg_read(d + GIC_ISACTIVER + word, "GICD_ISACTIVER2");
    reg_read(d + GICD_IPRIORITYR + (kDiskIrq & ~3u), "GICD_IPRIORITYR19");
    const uint64_t p = private_regs();
    if (p) {
        constexpr uint32_t kSgi1 = 1u << 1, kVtimer = 1u << 27;
        reg_write(p + GIC_IGROUPR, demo::mmio::read32(p + GIC_IGROUPR) ^ kSgi1, "own IGROUPR0 (SGI 1 to the other group)");
        reg_write(p + GIC_ISACTIVER, kVtimer, "own ISACTIVER0 (virtual timer PPI active)");
    }
}

#if DEMO_GIC_VERSION == 3
// (22) A redistributor frame past the last CPU's, inside the region the board tree declares
// (QEMU virt with 4 CPUs declares room for 123): nothing answers there. Emulated for the cell,
// it must read as zero; were the hypervisor to read the hardware there for it, the external abort
// would come at EL2 and keep this CPU there for good (no forced stop, no destroy).
void attack_gicr_past_last()
{
    constexpr uint64_t kCpus = 4;  // -smp 4
    const uint64_t frame = demo::board::kGicrBase + kCpus * GICR_FRAME;
    reg_read(frame + GICR_TYPER, "5th redistributor frame's GICR_TYPER[31:0]");
    reg_read(frame + 0xffe8, "5th redistributor frame's GICR_PIDR2");
}
#else
void attack_gicr_past_last() { printf("hostile: attack %u (%s): no redistributors on GICv2\n", attack, kNames[attack]); }
#endif

constexpr uint32_t kSpurious = 1023;
constexpr uint32_t kOwnSgi = 1;  // an SGI of this CPU's that the cell may send itself
// A root interrupt the root's handler holds active during attack 24 (virtio0's SPI: no device
// behind it in the tests; moat_probe's hold_irq takes it).
constexpr uint32_t kRootActiveIrq = 48;

// Sends SGI kOwnSgi to this CPU, enabled, and acknowledges it with every exception masked
// (polling, no handler). Returns the INTID acknowledged (kSpurious if none came).
uint32_t acknowledge_own_sgi()
{
    asm volatile("msr daifset, #0xf" ::: "memory");
    const uint64_t p = private_regs();
    if (p)
        demo::mmio::write32(p + GICD_ISENABLER, 1u << kOwnSgi);
#if DEMO_GIC_VERSION == 3
    hostile_igrpen1(1);
#else
    const uint64_t c = demo::board::kGiccBase;
    demo::mmio::write32(c + GICC_CTLR, demo::mmio::read32(c + GICC_CTLR) | GICC_CTLR_ENABLE);
    demo::mmio::write32(c + GICC_PMR, 0xff);
#endif
    send_sgi(kOwnSgi, own_target_bit());
    for (unsigned i = 0; i < 100000; i++) {
#if DEMO_GIC_VERSION == 3
        const uint32_t intid = static_cast<uint32_t>(hostile_iar1()) & 0xffffff;
#else
        const uint32_t intid = demo::mmio::read32(c + GICC_IAR) & demo::gic::kGiccIarIntidMask;
#endif
        if (intid != kSpurious)
            return intid;
    }
    return kSpurious;
}

// (23) The CPU interface left broken: with direct delivery the cell owns this CPU's physical
// CPU interface (GICv3: the Group 1 registers; GICv2: the whole GICC). It acknowledges an SGI and
// never ends it, marks every Group 1 priority active, sets the coarsest binary point, then
// switches Group 1 (GICv2: the interface) off and, on a GICv2, masks every priority; then it
// ends. The root must get this CPU back with its interrupts working (hostile.sh checks CPU 1's
// timer interrupts, IPIs and active bits after destroy).
void attack_cpu_interface_left_broken()
{
    const uint32_t intid = acknowledge_own_sgi();
    printf("hostile: attack %u (%s): acknowledged INTID %u, never ended\n", attack, kNames[attack], intid);
    if (intid != kOwnSgi)
        breach("its own SGI did not come");
#if DEMO_GIC_VERSION == 3
    hostile_ap1r0(0xffffffff);
    hostile_bpr1(7);
    hostile_igrpen1(0);
    printf("hostile: attack %u (%s): ICC_AP1R0_EL1 = %#llx, ICC_BPR1_EL1 = 7, ICC_IGRPEN1_EL1 = 0\n", attack,
           kNames[attack], static_cast<ull>(hostile_read_ap1r0()));
#else
    const uint64_t c = demo::board::kGiccBase;
    demo::mmio::write32(c + GICC_APR0, 0xffffffff);
    demo::mmio::write32(c + GICC_BPR, 7);
    demo::mmio::write32(c + GICC_PMR, 0);
    demo::mmio::write32(c + GICC_CTLR, 0);
    printf("hostile: attack %u (%s): GICC_APR0 = %#x, GICC_BPR = 7, GICC_PMR = 0, GICC_CTLR = %#x\n", attack,
           kNames[attack], demo::mmio::read32(c + GICC_APR0), demo::mmio::read32(c + GICC_CTLR));
#endif
}

// (24) An end of interrupt for a root interrupt: INTID 48, which the root's handler holds active
// (with it pending again behind) from before the start. With one of its own interrupts active
// (so that there is a priority to drop), the cell writes 48 to the end-of-interrupt register and
// (GICv2, after switching its interface to split EOI, which it may: GICC_CTLR is its own) to the
// deactivate register. The GIC deactivates by INTID: what became of 48 only the root can tell
// (hostile.sh). Its own SGI is ended properly afterwards.
void attack_eoi_foreign()
{
    const uint32_t intid = acknowledge_own_sgi();
    printf("hostile: attack %u (%s): acknowledged INTID %u; end of interrupt for INTID %u\n", attack, kNames[attack],
           intid, kRootActiveIrq);
    if (intid != kOwnSgi)
        breach("its own SGI did not come");
#if DEMO_GIC_VERSION == 3
    hostile_eoir1(kRootActiveIrq);
    hostile_dir(kRootActiveIrq);
    hostile_eoir1(intid);
#else
    const uint64_t c = demo::board::kGiccBase;
    demo::mmio::write32(c + GICC_EOIR, kRootActiveIrq);
    demo::mmio::write32(c + GICC_EOIR, intid);
    // Split EOI: a second acknowledged SGI's priority dropped, then a deactivate of 48.
    demo::mmio::write32(c + GICC_CTLR, demo::mmio::read32(c + GICC_CTLR) | GICC_CTLR_EOIMODE_NS);
    const uint32_t again = acknowledge_own_sgi();
    demo::mmio::write32(c + GICC_EOIR, again);
    printf("hostile: attack %u (%s): split EOI, deactivating INTID %u through GICC_DIR\n", attack, kNames[attack],
           kRootActiveIrq);
    uint64_t before = arm();
    hostile_write32(c + GICC_DIR, kRootActiveIrq);
    hostile_write32(c + GICC_DIR, again);
    disarm();
    report_fault(before, nullptr);
    demo::mmio::write32(c + GICC_CTLR, demo::mmio::read32(c + GICC_CTLR) & ~GICC_CTLR_EOIMODE_NS);
#endif
    printf("hostile: attack %u (%s): sent without a fault\n", attack, kNames[attack]);
}

// (25) Interrupts left pending for the root: every exception masked, SGI 2 (Linux's
// IPI_CPU_STOP) sent to this CPU and PPI 20 (no device behind it on QEMU virt) enabled and made
// pending; then it waits, never taking them, for the root's forced stop. Trapped, the
// hypervisor takes both and puts them in list registers the cell never acknowledges (before the
// fix its leave gave them back to the physical GIC as pending, and Linux, once it had CPU 1 again,
// took the SGI 2 as its own stop IPI); direct, they stay pending in the physical GIC. Nothing
// of them may reach the root (hostile.sh: no "CPU1: stopping", CPU 1 runs a workload, neither
// pending in CPU 1's registers).
constexpr uint32_t kStopIpi = 2, kLeftPpi = 20;
[[noreturn]] void attack_pending_left()
{
    asm volatile("msr daifset, #0xf" ::: "memory");
    const uint64_t p = private_regs();
    if (p) {
        demo::mmio::write32(p + GICD_ISENABLER, 1u << kStopIpi | 1u << kLeftPpi);
        demo::mmio::write32(p + GIC_ISPENDR, 1u << kLeftPpi);
    }
    send_sgi(kStopIpi, own_target_bit());
    printf("hostile: attack %u (%s): SGI %u sent to this CPU, PPI %u pending, all exceptions masked; "
           "looping until the hypervisor stops this CPU\n",
           attack, kNames[attack], kStopIpi, kLeftPpi);
    // Its own CPU interface off (trapped: the virtual one; direct: the physical one), so that
    // nothing is signalled to EL1 and WFI sleeps: a loop that never sleeps (WFE only yields in
    // QEMU) stops virtual time under -icount and the root's with it. The hypervisor's interrupts
    // still wake it (trapped: they are taken at EL2; direct: its WFI traps).
#if DEMO_GIC_VERSION == 3
    hostile_igrpen1(0);
#else
    demo::mmio::write32(demo::board::kGiccBase + GICC_CTLR, 0);
#endif
    for (;;)
        demo::arch::wfi();
}

}  // namespace

int demo_main()
{
    demo::set_program_name("hostile");
    const uint32_t mode = *reinterpret_cast<volatile const uint32_t *>(kModeWord);
    printf("hostile: mode word %#x at IPA %#llx, MPIDR %#llx\n", mode, static_cast<ull>(kModeWord),
           static_cast<ull>(demo::arch::read_mpidr()));
    if (mode == 0) {
        printf("hostile: no attack\n");
        return 0;
    }
    if (mode > kAttacks) {
        printf("hostile: no attack %u (1..%u)\n", mode, kAttacks);
        return 2;
    }
    attack = mode;
    asm volatile("msr vbar_el1, %0\n isb" ::"r"(hostile_vectors) : "memory");
    switch (attack) {
    case 1: attack_read(kForeignRam); break;
    case 2: attack_write(kHypervisor, 0xbadc0ffee0ddf00d, true); break;
    case 3:
        attack_write(demo::board::kUartBase, '!', false);  // UARTDR: a character on the root's console
        attack_read(kVirtioMmio);                           // virtio-mmio MagicValue
        break;
    case 4: attack_gicd(); break;
    case 5: attack_sgi(); break;
    case 6: attack_cpu_on(); break;
    case 7: attack_smc(); break;
    case 8: attack_setway(); break;
    case 9: attack_jump(); break;
    case 10: attack_gicr(); break;
    case 11: attack_hypercalls(); break;
    case 12: attack_refuse_stop();
    case 13: attack_sgi_cpu_stop(); break;
    case 14: attack_debug_registers(); break;
    case 15: attack_pmu_registers(); break;
    case 16: attack_shutdown(true);
    case 17: attack_shutdown(false);
    case 18: attack_lpi_tables(); break;
    case 19: attack_stop_sgi();
    case 20: attack_group0_sgis(); break;
    case 21: attack_irqs_back_broken(); break;
    case 22: attack_gicr_past_last(); break;
    case 23: attack_cpu_interface_left_broken(); break;
    case 24: attack_eoi_foreign(); break;
    case 25: attack_pending_left();
    }
    if (breached) {
        printf("hostile: attack %u: NOT CONTAINED\n", attack);
        return 1;
    }
    if (attack == 5 || attack == 13 || attack == 20 || attack == 21 || attack == 23 || attack == 24)
        printf("hostile: attack %u: done; only the root can tell whether it was contained\n", attack);
    else
        printf("hostile: attack %u: contained\n", attack);
    return 0;
}
