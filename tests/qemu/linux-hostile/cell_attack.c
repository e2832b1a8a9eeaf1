// SPDX-License-Identifier: GPL-2.0
/*
 * cell_attack.ko: a test-only module for the Linux *cell* (qemu.linux-hostile; built against the
 * same Debian kernel headers as moat.ko, since the cell runs the root's own kernel). Each load
 * performs one attack on what the cell does not own and prints what it did and what it saw, one
 * "cell_attack: ..." line per step, on the cell's console. It stays loaded after an attack (rmmod
 * it before the next): a failing init would be run a second time by busybox's insmod, which
 * falls back from finit_module to init_module on any error.
 *
 *   attack=gicd spi=N       distributor writes for SPI N (the root's): enable, disable (every
 *                           SPI the cell does not see), set pending, priority, trigger, route
 *                           (GICv3 IROUTER / GICv2 ITARGETSR), and GICD_CTLR = 0; each read back
 *   attack=redist mpidrs=.. GICv3: the other CPUs' redistributors (SGI_base of every frame that
 *                           is not one of this cell's CPUs): disable every SGI/PPI, set SGI 2
 *                           pending, lowest priority, GICR_WAKER ProcessorSleep; read back
 *   attack=sgi mpidrs=.. count=N
 *                           SGIs to the root's CPUs (their MPIDRs): GICv3 ICC_SGI1R_EL1 target
 *                           lists, the IRM "all but self" broadcast, ICC_ASGI1R_EL1 and
 *                           ICC_SGI0R_EL1; GICv2 GICD_SGIR with a target list of every CPU
 *                           interface but this cell's and with the "all but self" filter.
 *                           SGI 4 (Linux's timer-broadcast IPI, which the root counts) N times
 *                           per way, then SGI 2 (Linux's IPI_CPU_STOP: it would stop the root's
 *                           CPUs) and SGI 15 (moat's management SGI) once to the root's CPUs
 *   attack=mem_read addr=A  memremap the physical address A (the cell's IPA) and read 8 bytes
 *   attack=mem_write addr=A memremap A and write 0xbadc0ffee0ddf00d
 */
#include <linux/cpumask.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/smp.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>

static char *attack = "";
module_param(attack, charp, 0444);
static uint spi;
module_param(spi, uint, 0444);
static ulong addr;
module_param(addr, ulong, 0444);
static uint count = 50;
module_param(count, uint, 0444);
static ulong mpidrs[16];
static int num_mpidrs;
module_param_array(mpidrs, ulong, &num_mpidrs, 0444);

#define TAG "cell_attack: "

/* Distributor (both versions) and redistributor registers used here. */
#define GICD_CTLR 0x0
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_SPENDSGIR 0xf20
#define GICD_IROUTER 0x6000
#define GICD_TYPER 0x4
#define GICR_CTLR 0x0
#define GICR_TYPER 0x8
#define GICR_WAKER 0x14
#define GICR_SGI 0x10000
#define GICR_STRIDE 0x20000
#define GICR_TYPER_LAST (1ull << 4)

static void __iomem *gicd, *gicr;
static resource_size_t gicr_size;
static int gic_version;

static int find_gic(void)
{
	struct device_node *n;
	struct resource r;

	n = of_find_compatible_node(NULL, NULL, "arm,gic-v3");
	gic_version = 3;
	if (!n) {
		n = of_find_compatible_node(NULL, NULL, "arm,cortex-a15-gic");
		gic_version = 2;
	}
	if (!n) {
		pr_err(TAG "no GICv3 or GICv2 node in this cell's tree\n");
		return -ENODEV;
	}
	gicd = of_iomap(n, 0);
	if (gic_version == 3 && !of_address_to_resource(n, 1, &r)) {
		gicr_size = resource_size(&r);
		gicr = ioremap(r.start, gicr_size);
	}
	of_node_put(n);
	if (!gicd || (gic_version == 3 && !gicr)) {
		pr_err(TAG "cannot map the GIC frames of this cell's tree\n");
		return -ENOMEM;
	}
	pr_info(TAG "GICv%d\n", gic_version);
	return 0;
}

static u32 bit_of(u32 intid) { return 1u << (intid % 32); }
static u32 word_of(u32 intid) { return intid / 32 * 4; }

/* Write `v` to the distributor register at `off`; print what reads back for SPI `spi`. */
static int poke(const char *name, u32 off, u32 v, u32 mask, u32 shift)
{
	u32 back;

	writel_relaxed(v, gicd + off);
	back = (readl_relaxed(gicd + off) >> shift) & mask;
	pr_info(TAG "gicd: %s (%#x) = %#x written; SPI %u's field reads %#x\n", name, off, v, spi, back);
	return back != 0;
}

static int attack_gicd(void)
{
	u32 lines = ((readl_relaxed(gicd + GICD_TYPER) & 0x1f) + 1) * 32, n, seen = 0;
	u32 ctlr;

	if (spi < 32 || spi >= lines) {
		pr_err(TAG "gicd: spi=%u is no SPI of this distributor (32..%u): pass the root's SPI\n", spi, lines - 1);
		return -EINVAL;
	}
	/* Enable the root's SPI; then disable every SPI the cell does not see enabled (its own stay on). */
	seen |= poke("ISENABLER", GICD_ISENABLER + word_of(spi), bit_of(spi), 1, spi % 32);
	for (n = 1; n < lines / 32; n++) {
		u32 off = GICD_ICENABLER + n * 4;
		u32 v = ~readl_relaxed(gicd + GICD_ISENABLER + n * 4);

		writel_relaxed(v, gicd + off);
	}
	pr_info(TAG "gicd: ICENABLER1..%u written with every bit this cell does not see enabled\n", lines / 32 - 1);
	seen |= poke("ISPENDR", GICD_ISPENDR + word_of(spi), bit_of(spi), 1, spi % 32);
	seen |= poke("IPRIORITYR", GICD_IPRIORITYR + (spi & ~3u), 0xffu << (spi % 4 * 8), 0xff, spi % 4 * 8);
	seen |= poke("ICFGR", GICD_ICFGR + spi / 16 * 4, 2u << (spi % 16 * 2), 3, spi % 16 * 2);
	if (gic_version == 3) {
		u64 self = read_cpuid_mpidr() & MPIDR_HWID_BITMASK;
		u64 route = (self & 0xffffff) | ((self >> 32) & 0xff) << 32, back;

		writeq_relaxed(route, gicd + GICD_IROUTER + spi * 8);
		back = readq_relaxed(gicd + GICD_IROUTER + spi * 8);
		pr_info(TAG "gicd: IROUTER%u = %#llx (this CPU) written; reads %#llx\n", spi, route, back);
		seen |= back != 0;
		writeq_relaxed(1ull << 31, gicd + GICD_IROUTER + spi * 8);
		back = readq_relaxed(gicd + GICD_IROUTER + spi * 8);
		pr_info(TAG "gicd: IROUTER%u = 0x80000000 (any CPU) written; reads %#llx\n", spi, back);
		seen |= back != 0;
	} else {
		u32 self = readl_relaxed(gicd + GICD_ITARGETSR) & 0xff;

		seen |= poke("ITARGETSR", GICD_ITARGETSR + (spi & ~3u), self << (spi % 4 * 8), 0xff, spi % 4 * 8);
	}
	writel_relaxed(0, gicd + GICD_CTLR);
	ctlr = readl_relaxed(gicd + GICD_CTLR);
	pr_info(TAG "gicd: CTLR = 0 written; reads %#x\n", ctlr);
	if (!ctlr)
		seen = 1;
	pr_info(TAG "gicd: %s\n", seen ? "the root's SPI is VISIBLE or the distributor CHANGED" :
					 "every foreign field reads 0, the distributor stays enabled");
	return 0;
}

/* The GICR_TYPER affinity (Aff3.Aff2.Aff1.Aff0) of every CPU of this cell, read on each. */
static u64 own_aff[NR_CPUS];
static void read_own_aff(void *unused)
{
	u64 m = read_cpuid_mpidr();

	own_aff[smp_processor_id()] = (m & 0xffffff) | ((m >> 32) & 0xff) << 24 | 1ull << 63;
}

static bool is_mine(u64 typer_aff)
{
	int cpu;

	for_each_online_cpu(cpu)
		if ((own_aff[cpu] & ~(1ull << 63)) == typer_aff && (own_aff[cpu] >> 63))
			return true;
	return false;
}

static int attack_redist(void)
{
	resource_size_t f;
	int foreign = 0, seen = 0;

	on_each_cpu(read_own_aff, NULL, 1);
	if (gic_version != 3) {
		pr_info(TAG "redist: GICv2 has no redistributors (banked SGIs/PPIs reach only this CPU)\n");
		return 0;
	}
	for (f = 0; f + GICR_STRIDE <= gicr_size; f += GICR_STRIDE) {
		u64 typer = readq_relaxed(gicr + f + GICR_TYPER);
		void __iomem *sgi = gicr + f + GICR_SGI;
		u32 en, pend, prio, waker;

		if (!typer)
			break;
		if (!is_mine(typer >> 32)) {
			foreign++;
			writel_relaxed(0xffffffff, sgi + GICD_ICENABLER);
			writel_relaxed(1u << 2, sgi + GICD_ISPENDR);
			writel_relaxed(0xffffffff, sgi + GICD_IPRIORITYR + 28);
			writel_relaxed(2, gicr + f + GICR_WAKER);
			writel_relaxed(0, gicr + f + GICR_CTLR);
			en = readl_relaxed(sgi + GICD_ISENABLER);
			pend = readl_relaxed(sgi + GICD_ISPENDR);
			prio = readl_relaxed(sgi + GICD_IPRIORITYR + 28);
			waker = readl_relaxed(gicr + f + GICR_WAKER);
			pr_info(TAG "redist: frame %#llx (affinity %#llx, not this cell's): SGI/PPIs disabled, SGI 2 pending, "
				"PPI 28-31 priority 0xff, ProcessorSleep written; reads enable %#x pending %#x priority %#x waker %#x\n",
				(unsigned long long)f, typer >> 32, en, pend, prio, waker);
			seen |= en | pend | prio | waker;
		}
		if (typer & GICR_TYPER_LAST)
			break;
	}
	pr_info(TAG "redist: %d foreign frames attacked; %s\n", foreign,
		seen ? "something READS BACK" : "every foreign register reads 0");
	return 0;
}

static u64 sgi1r(u64 mpidr, u32 intid)
{
	return MPIDR_AFFINITY_LEVEL(mpidr, 3) << 48 | MPIDR_AFFINITY_LEVEL(mpidr, 2) << 32 |
	       MPIDR_AFFINITY_LEVEL(mpidr, 1) << 16 | (u64)(MPIDR_AFFINITY_LEVEL(mpidr, 0) >> 4) << 44 |
	       (u64)intid << 24 | 1u << (MPIDR_AFFINITY_LEVEL(mpidr, 0) & 15);
}

static void own_target(void *mask)
{
	/* GICv2: ITARGETSR0..7 are banked and name the reading CPU's interface. */
	atomic_or(readl_relaxed(gicd + GICD_ITARGETSR) & 0xff, mask);
}

static int attack_sgi(void)
{
	u32 i, j, sent = 0;

	if (gic_version == 3) {
		/* The root passes the CPUs it had before the cell took its own: leave those out. */
		on_each_cpu(read_own_aff, NULL, 1);
		for (i = j = 0; i < num_mpidrs; i++) {
			u64 m = mpidrs[i];

			if (is_mine((m & 0xffffff) | ((m >> 32) & 0xff) << 24))
				pr_info(TAG "sgi: MPIDR %#llx is this cell's own CPU: left out\n", m);
			else
				mpidrs[j++] = m;
		}
		num_mpidrs = j;
		if (!num_mpidrs) {
			pr_err(TAG "sgi: no mpidrs= of the root's given: pass the root CPUs' MPIDRs\n");
			return -EINVAL;
		}
		for (i = 0; i < count; i++)
			for (j = 0; j < num_mpidrs; j++, sent++) {
				write_sysreg_s(sgi1r(mpidrs[j], 4), SYS_ICC_SGI1R_EL1);
				isb();
			}
		pr_info(TAG "sgi: ICC_SGI1R_EL1: %u x SGI 4 to the root's %d CPUs' MPIDRs, no fault\n", sent, num_mpidrs);
		for (i = 0; i < count; i++) {
			write_sysreg_s(1ull << 40 | 4ull << 24, SYS_ICC_SGI1R_EL1);
			isb();
		}
		pr_info(TAG "sgi: ICC_SGI1R_EL1 IRM (all but self): %u x SGI 4, no fault\n", count);
		for (i = 0; i < count; i++)
			for (j = 0; j < num_mpidrs; j++) {
				write_sysreg_s(sgi1r(mpidrs[j], 4), SYS_ICC_ASGI1R_EL1);
				write_sysreg_s(sgi1r(mpidrs[j], 4), SYS_ICC_SGI0R_EL1);
				isb();
			}
		pr_info(TAG "sgi: ICC_ASGI1R_EL1 and ICC_SGI0R_EL1: %u x SGI 4 each to the root's CPUs, no fault\n",
			count * num_mpidrs);
		for (j = 0; j < num_mpidrs; j++) {
			write_sysreg_s(sgi1r(mpidrs[j], 2), SYS_ICC_SGI1R_EL1);
			write_sysreg_s(sgi1r(mpidrs[j], 15), SYS_ICC_SGI1R_EL1);
			isb();
		}
		pr_info(TAG "sgi: ICC_SGI1R_EL1: SGI 2 (IPI_CPU_STOP) and SGI 15 to each root CPU, no fault\n");
	} else {
		atomic_t own = ATOMIC_INIT(0);
		u32 others;

		on_each_cpu(own_target, &own, 1);
		others = 0xff & ~(u32)atomic_read(&own);
		if (others == 0xff) {
			pr_err(TAG "sgi: this cell's CPU interfaces read as none: not sending SGI 2 to a list that could be its own\n");
			return -EIO;
		}
		for (i = 0; i < count; i++, sent++)
			writel_relaxed(others << 16 | 4, gicd + GICD_SGIR);
		pr_info(TAG "sgi: GICD_SGIR: %u x SGI 4 to target list %#x (every interface but this cell's %#x), no fault\n",
			sent, others, (u32)atomic_read(&own));
		for (i = 0; i < count; i++)
			writel_relaxed(1u << 24 | 4, gicd + GICD_SGIR);
		pr_info(TAG "sgi: GICD_SGIR all-but-self: %u x SGI 4, no fault\n", count);
		writel_relaxed(0xffffffff, gicd + GICD_SPENDSGIR);
		pr_info(TAG "sgi: GICD_SPENDSGIR: every SGI from every source written; reads %#x\n",
			readl_relaxed(gicd + GICD_SPENDSGIR));
		writel_relaxed(others << 16 | 2, gicd + GICD_SGIR);
		writel_relaxed(others << 16 | 15, gicd + GICD_SGIR);
		pr_info(TAG "sgi: GICD_SGIR: SGI 2 (IPI_CPU_STOP) and SGI 15 to target list %#x, no fault\n", others);
	}
	return 0;
}

static int attack_mem(bool write)
{
	u64 *p;

	if (page_is_ram(PHYS_PFN(addr))) {
		pr_err(TAG "%#lx is this cell's own RAM: pass an address outside it\n", addr);
		return -EINVAL;
	}
	p = memremap(addr & PAGE_MASK, PAGE_SIZE, MEMREMAP_WB);
	if (!p) {
		pr_err(TAG "memremap(%#lx) refused\n", addr);
		return -ENOMEM;
	}
	p += (addr & ~PAGE_MASK) / 8;
	if (write) {
		pr_info(TAG "mem: writing 0xbadc0ffee0ddf00d to %#lx through memremap\n", addr);
		WRITE_ONCE(*p, 0xbadc0ffee0ddf00dull);
		dsb(sy);
		pr_info(TAG "mem: wrote %#lx: NOT CONTAINED\n", addr);
	} else {
		pr_info(TAG "mem: reading %#lx through memremap\n", addr);
		pr_info(TAG "mem: read %#lx = %#llx: NOT CONTAINED\n", addr, READ_ONCE(*p));
	}
	memunmap(p);
	return 0;
}

static int __init cell_attack_init(void)
{
	int err = find_gic();

	if (err)
		return err;
	if (!strcmp(attack, "gicd"))
		err = attack_gicd();
	else if (!strcmp(attack, "redist"))
		err = attack_redist();
	else if (!strcmp(attack, "sgi"))
		err = attack_sgi();
	else if (!strcmp(attack, "mem_read"))
		err = attack_mem(false);
	else if (!strcmp(attack, "mem_write"))
		err = attack_mem(true);
	else {
		pr_err(TAG "attack=%s: unknown; use gicd, redist, sgi, mem_read or mem_write\n", attack);
		err = -EINVAL;
	}
	iounmap(gicd);
	if (gicr)
		iounmap(gicr);
	return err;
}
module_init(cell_attack_init);

static void __exit cell_attack_exit(void)
{
}
module_exit(cell_attack_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("moat test: attacks from inside a Linux cell (qemu.linux-hostile)");
