// SPDX-License-Identifier: GPL-2.0
/*
 * moat_probe.ko: a test-only module that touches physical memory on request, to check from the
 * root cell that the hypervisor really denies what the root does not own (/dev/mem is closed by
 * STRICT_DEVMEM). "echo read 0x7fc00000 > /proc/moat_probe" reads 8 bytes there; "write" writes
 * a pattern; "read32 ADDR" and "write32 ADDR VALUE" do 32-bit device accesses (ioremap).
 * Raw hypercalls, past the driver's own checks: "disable 0" issues MOAT_HC_DISABLE on the CPU
 * that runs the write (if the hypervisor agrees, that CPU really leaves EL2: use it only where
 * the refusal is the point); "cellstate ID" issues MOAT_HC_CELL_STATE with a 64-bit id.
 * "create_at ADDR" issues a raw MOAT_HC_CELL_CREATE whose descriptor is the root memory at ADDR
 * (the driver would only pass its own copy); "create_at ring" points it at the hypervisor's
 * console ring, the one piece of hypervisor memory the root may read.
 * "cpuon_race MPIDR SECONDS" powers the root's offline CPU MPIDR on with a raw PSCI CPU_ON
 * (a small stub that prints "R" lines through the hypercall console, then CPU_OFF) whenever a
 * cell create holds the hypervisor's cells lock, for up to SECONDS: a CPU_ON racing a create
 * that takes the CPU.
 * "cpuon_arm 1" lets it power the CPU on, "cpuon_arm 0" stops that (around each create).
 * "hold_irq CPU MS" (hex, like every number here) takes INTID 48 (QEMU virt's first virtio-mmio transport, no device behind
 * it) on CPU and makes it pending; its handler makes it pending again and stays in the handler,
 * the interrupt active in the root's list register, up to MS ms or until that pending state is
 * gone (something ended the active one and the hypervisor took it again: hostile attack 24).
 * "hold_irq_done 0" says how often the handler ran and what the hold saw, and frees the IRQ.
 * A root SPI routed behind Linux's back (QEMU virt, INTID 48 again): "spi_route CPU" takes it
 * with a counting handler (Linux routes it where it likes) and then routes it to CPU with a raw
 * distributor write (GICv3 GICD_IROUTER affinity CPU, GICv2 GICD_ITARGETSR bit CPU), as a
 * module may; "spi_fire 0" makes it pending; "spi_show 0" prints its route and how often the
 * handler ran; "spi_done 0" frees it.
 */
#include <linux/arm-smccc.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/atomic.h>
#include <asm/cacheflush.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>
#include <linux/interrupt.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <moat/abi.h>

static void raw_hypercall(const char *op, unsigned long long arg)
{
	struct arm_smccc_res res;
	unsigned long flags;

	local_irq_save(flags);
	if (!strcmp(op, "disable"))
		arm_smccc_1_1_hvc(MOAT_HC_DISABLE, &res);
	else
		arm_smccc_1_1_hvc(MOAT_HC_CELL_STATE, arg, &res);
	local_irq_restore(flags);
	pr_info("moat_probe: %s %#llx on CPU %d = %ld (x1 %#lx, x2 %#lx, x3 %#lx)\n", op, arg, smp_processor_id(),
		(long)res.a0, res.a1, res.a2, res.a3);
}

#include <moat/cell.h>

/* A raw CELL_CREATE with the descriptor at physical address `desc`; the answer in the log. */
static int probe_create_at(const char *where, unsigned long long desc)
{
	struct arm_smccc_res res;
	char *err = (char *)get_zeroed_page(GFP_KERNEL);

	if (!err)
		return -ENOMEM;
	if (!strcmp(where, "ring")) {
		arm_smccc_1_1_hvc(MOAT_HC_CONSOLE_INFO, &res);
		desc = res.a1;
	}
	arm_smccc_1_1_hvc(MOAT_HC_CELL_CREATE, desc, sizeof(struct moat_cell_desc), virt_to_phys(err), &res);
	pr_info("moat_probe: create_at %#llx: status %ld: %s\n", desc, (long)res.a0, err);
	free_page((unsigned long)err);
	return 0;
}

/*
 * PSCI goes through SMC under moat (the hypervisor traps it); raw, without the SMCCC 1.1
 * conduit probing. The stub runs at EL1 with the MMU off on the CPU it powers on: up to 20
 * times (a few ms) MOAT_HC_GET_INFO, whose x3 (hypervisor memory in use) is 0 only for a cell
 * other than the root; once it is 0 the hypervisor counts this root code as the cell's, and the
 * stub prints three "R" lines through MOAT_HC_CONSOLE_PUTC (they come out under the cell's
 * name). Then PSCI CPU_OFF.
 */
static const u32 cpuon_stub[] = {
	0xd2800294, 0xd2800020, 0xf2b8c000, 0xd4000002, 0xb40000e3, 0xd2880015, 0xf10006b5,
	0x54ffffe1, 0xf1000694, 0x54ffff01, 0x1400000c, 0xd2800074, 0xd2800080, 0xf2b8c000,
	0xd2800a41, 0xd4000002, 0xd2800080, 0xf2b8c000, 0xd2800141, 0xd4000002, 0xf1000694,
	0x54fffee1, 0xd2800040, 0xf2b08000, 0xd4000003, 0x14000000,
};
static unsigned long race_mpidr, race_secs;
static phys_addr_t race_entry;
static atomic64_t race_call_start; /* ns since the watcher entered CELL_STATE, 0 outside */
static atomic_t race_over, race_armed;
static u64 race_longest; /* ns, the watcher's longest call */

/*
 * The watcher (on CPU 1) asks the hypervisor for the root's state over and over: a create on
 * another CPU holds the cells lock while it zeroes the new cell's memory, and this call waits
 * for it. That is when the CPUs of the cell have been checked off and not yet taken.
 */
static int race_watch_fn(void *unused)
{
	struct arm_smccc_res res;
	u64 t;

	while (!atomic_read(&race_over)) {
		t = ktime_get_ns();
		atomic64_set(&race_call_start, t);
		arm_smccc_1_1_hvc(MOAT_HC_CELL_STATE, 0, &res);
		atomic64_set(&race_call_start, 0);
		t = ktime_get_ns() - t;
		if (t > race_longest)
			race_longest = t;
		cond_resched(); /* back at once: the create must find this call waiting */
	}
	return 0;
}

/*
 * The starter (on CPU 3): while armed (around each create), powers the CPU on again as soon as
 * the stub has powered it off. Most of the time the CPU is on: a create now and then finds it
 * off at its first check, and then on again when it takes it.
 */
static int race_start_fn(void *unused)
{
	unsigned long end = jiffies + race_secs * HZ;
	struct arm_smccc_res res;
	int ons = 0;

	while (time_before(jiffies, end)) {
		if (!atomic_read(&race_armed)) {
			usleep_range(500, 1000);
			continue;
		}
		arm_smccc_1_1_smc(0xc4000004 /* AFFINITY_INFO_64 */, race_mpidr, 0, &res);
		if ((long)res.a0 != 1) { /* on, or a cell's now (-2) */
			usleep_range(200, 400);
			continue;
		}
		usleep_range(100, 300);
		if (!atomic_read(&race_armed))
			continue;
		arm_smccc_1_1_smc(0xc4000003 /* CPU_ON_64 */, race_mpidr, race_entry, 0, &res);
		if ((long)res.a0 == 0)
			ons++;
	}
	atomic_set(&race_over, 1);
	pr_info("moat_probe: cpuon_race %#lx done: %d CPU_ONs accepted (longest wait for the cells lock %llu us)\n",
		race_mpidr, ons, race_longest / 1000);
	return 0;
}

static int probe_cpuon_race(unsigned long mpidr, unsigned long secs)
{
	unsigned long page = get_zeroed_page(GFP_KERNEL), a;
	struct task_struct *watch, *start;

	if (!page)
		return -ENOMEM;
	/* Left allocated: a CPU may still run the stub when the thread ends. */
	memcpy((void *)page, cpuon_stub, sizeof(cpuon_stub));
	/* The CPU starts with its MMU and caches off: the stub must be in memory. */
	for (a = page; a < page + sizeof(cpuon_stub); a += 16)
		asm volatile("dc civac, %0" : : "r"(a) : "memory");
	asm volatile("dsb sy" : : : "memory");
	flush_icache_range(page, page + PAGE_SIZE);
	race_mpidr = mpidr;
	race_secs = secs;
	race_entry = virt_to_phys((void *)page);
	atomic_set(&race_over, 0);
	watch = kthread_run_on_cpu(race_watch_fn, NULL, 1, "moat_race_watch");
	if (IS_ERR(watch))
		return PTR_ERR(watch);
	start = kthread_run_on_cpu(race_start_fn, NULL, 3, "moat_race_start");
	if (IS_ERR(start)) {
		atomic_set(&race_over, 1);
		return PTR_ERR(start);
	}
	return 0;
}

/* QEMU virt's distributor; INTID 48 is bit 16 of the second ISPENDR word. */
#define HOLD_GICD 0x08000000ul
#define HOLD_ISPENDR1 0x204
#define HOLD_BIT (1u << 16)
static void __iomem *hold_gicd;
static int hold_irq_nr;
static atomic_t hold_calls, hold_armed;
static unsigned int hold_ms, hold_cpu, hold_waited_ms;
static bool hold_taken_again;

static irqreturn_t hold_handler(int irq, void *dev)
{
	ktime_t end;

	atomic_inc(&hold_calls);
	if (!atomic_xchg(&hold_armed, 0))
		return IRQ_HANDLED;
	/* Pending while active: it comes again only when something ends this activation. */
	writel(HOLD_BIT, hold_gicd + HOLD_ISPENDR1);
	end = ktime_add_ms(ktime_get(), hold_ms);
	hold_taken_again = false;
	while (ktime_before(ktime_get(), end)) {
		if (!(readl(hold_gicd + HOLD_ISPENDR1) & HOLD_BIT)) {
			hold_taken_again = true;
			break;
		}
		udelay(100);
	}
	hold_waited_ms = ktime_ms_delta(ktime_get(), ktime_sub_ms(end, hold_ms));
	return IRQ_HANDLED;
}

static int probe_hold_irq(unsigned int cpu, unsigned int ms)
{
	struct device_node *np = of_find_node_by_path("/virtio_mmio@a000000");
	int err;

	if (!np)
		return -ENODEV;
	hold_irq_nr = of_irq_get(np, 0);
	of_node_put(np);
	if (hold_irq_nr <= 0)
		return hold_irq_nr ?: -ENXIO;
	hold_gicd = ioremap(HOLD_GICD, 0x1000);
	if (!hold_gicd)
		return -ENOMEM;
	hold_ms = ms;
	hold_cpu = cpu;
	atomic_set(&hold_calls, 0);
	atomic_set(&hold_armed, 1);
	err = request_irq(hold_irq_nr, hold_handler, 0, "moat_probe_hold", &hold_calls);
	if (err) {
		iounmap(hold_gicd);
		return err;
	}
	irq_set_affinity(hold_irq_nr, cpumask_of(cpu));
	writel(HOLD_BIT, hold_gicd + HOLD_ISPENDR1);
	pr_info("moat_probe: hold_irq: INTID 48 (irq %d) pending on CPU %u, held up to %u ms\n", hold_irq_nr, cpu, ms);
	return 0;
}

static void probe_hold_irq_done(void)
{
	if (!hold_gicd)
		return;
	free_irq(hold_irq_nr, &hold_calls);
	iounmap(hold_gicd);
	hold_gicd = NULL;
	pr_info("moat_probe: hold_irq: handler ran %d times; the held one was %s after %u ms\n",
		atomic_read(&hold_calls), hold_taken_again ? "taken again" : "still pending", hold_waited_ms);
}

/* INTID 48 routed by hand (the same line as hold_irq: use one or the other). */
#define SPI_INTID 48
#define SPI_GICD_SIZE 0x10000ul
#define SPI_IROUTER (0x6000 + SPI_INTID * 8)
#define SPI_ITARGETSR (0x800 + (SPI_INTID & ~3))
#define SPI_ISPENDR (0x200 + SPI_INTID / 32 * 4)
static void __iomem *spi_gicd;
static int spi_irq_nr;
static atomic_t spi_calls;
static bool spi_v3;

static irqreturn_t spi_handler(int irq, void *dev)
{
	atomic_inc(&spi_calls);
	return IRQ_HANDLED;
}

static int spi_setup(void)
{
	struct device_node *np;
	int err;

	if (spi_gicd)
		return 0;
	np = of_find_compatible_node(NULL, NULL, "arm,gic-v3");
	spi_v3 = np != NULL;
	of_node_put(np);
	np = of_find_node_by_path("/virtio_mmio@a000000");
	if (!np)
		return -ENODEV;
	spi_irq_nr = of_irq_get(np, 0);
	of_node_put(np);
	if (spi_irq_nr <= 0)
		return spi_irq_nr ?: -ENXIO;
	spi_gicd = ioremap(HOLD_GICD, SPI_GICD_SIZE);
	if (!spi_gicd)
		return -ENOMEM;
	atomic_set(&spi_calls, 0);
	err = request_irq(spi_irq_nr, spi_handler, 0, "moat_probe_spi", &spi_calls);
	if (err) {
		iounmap(spi_gicd);
		spi_gicd = NULL;
	}
	return err;
}

static u64 spi_route_read(void)
{
	if (spi_v3)
		return readq(spi_gicd + SPI_IROUTER);
	return (readl(spi_gicd + SPI_ITARGETSR) >> (SPI_INTID % 4 * 8)) & 0xff;
}

static int probe_spi_route(unsigned int cpu)
{
	int err = spi_setup();
	u32 shift = SPI_INTID % 4 * 8, v;

	if (err)
		return err;
	if (spi_v3) {
		writeq(cpu, spi_gicd + SPI_IROUTER);
	} else {
		v = readl(spi_gicd + SPI_ITARGETSR);
		writel((v & ~(0xffu << shift)) | ((1u << cpu) << shift), spi_gicd + SPI_ITARGETSR);
	}
	pr_info("moat_probe: spi_route: INTID %d (irq %d) routed to CPU %u: route now %#llx\n", SPI_INTID,
		spi_irq_nr, cpu, spi_route_read());
	return 0;
}

static int probe_spi(const char *op)
{
	if (!spi_gicd)
		return -ENODEV;
	if (!strcmp(op, "spi_fire")) {
		writel(1u << (SPI_INTID % 32), spi_gicd + SPI_ISPENDR);
		pr_info("moat_probe: spi_fire: INTID %d pending\n", SPI_INTID);
	} else if (!strcmp(op, "spi_show")) {
		pr_info("moat_probe: spi_show: INTID %d route %#llx, handler ran %d times\n", SPI_INTID,
			spi_route_read(), atomic_read(&spi_calls));
	} else {
		free_irq(spi_irq_nr, &spi_calls);
		iounmap(spi_gicd);
		spi_gicd = NULL;
		pr_info("moat_probe: spi_done: handler ran %d times\n", atomic_read(&spi_calls));
	}
	return 0;
}

static ssize_t probe_write(struct file *file, const char __user *ubuf, size_t len, loff_t *off)
{
	char buf[64], op[16];
	unsigned long long addr, value = 0;
	void __iomem *io;
	void *va;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "create_at %15s", op) == 1) {
		addr = 0;
		if (strcmp(op, "ring") && kstrtoull(op, 16, &addr))
			return -EINVAL;
		return probe_create_at(op, addr) ?: len;
	}
	if (sscanf(buf, "%15s %llx %llx", op, &addr, &value) < 2)
		return -EINVAL;
	if (!strcmp(op, "cpuon_arm")) {
		atomic_set(&race_armed, addr ? 1 : 0);
		return len;
	}
	if (!strcmp(op, "hold_irq"))
		return probe_hold_irq(addr, value) ?: len;
	if (!strcmp(op, "hold_irq_done")) {
		probe_hold_irq_done();
		return len;
	}
	if (!strcmp(op, "spi_route"))
		return probe_spi_route(addr) ?: len;
	if (!strcmp(op, "spi_fire") || !strcmp(op, "spi_show") || !strcmp(op, "spi_done"))
		return probe_spi(op) ?: len;
	if (!strcmp(op, "cpuon_race"))
		return probe_cpuon_race(addr, value) ?: len;
	if (!strcmp(op, "disable") || !strcmp(op, "cellstate")) {
		raw_hypercall(op, addr);
		return len;
	}
	if (addr & 3)
		return -EINVAL;
	if (!strcmp(op, "read32") || !strcmp(op, "write32")) {
		io = ioremap(addr & PAGE_MASK, PAGE_SIZE);
		if (!io)
			return -ENOMEM;
		if (op[0] == 'r') {
			pr_info("moat_probe: read32 %#llx = %#x\n", addr, readl(io + (addr & ~PAGE_MASK)));
		} else {
			writel((u32)value, io + (addr & ~PAGE_MASK));
			pr_info("moat_probe: write32 %#llx = %#llx done\n", addr, value);
		}
		iounmap(io);
		return len;
	}
	if (addr & 7)
		return -EINVAL;
	va = memremap(addr & PAGE_MASK, PAGE_SIZE, MEMREMAP_WB);
	if (!va)
		return -ENOMEM;
	va += addr & ~PAGE_MASK;
	pr_info("moat_probe: %s %#llx\n", op, addr);
	if (!strcmp(op, "read")) {
		pr_info("moat_probe: read %#llx = %#llx\n", addr, (unsigned long long)READ_ONCE(*(u64 *)va));
	} else if (!strcmp(op, "write")) {
		WRITE_ONCE(*(u64 *)va, 0x6d6f617470726f62ull);
		pr_info("moat_probe: wrote %#llx\n", addr);
	}
	memunmap((void *)((unsigned long)va & PAGE_MASK));
	return len;
}

static const struct proc_ops probe_ops = {
	.proc_write = probe_write,
};

static int __init probe_init(void)
{
	return proc_create("moat_probe", 0200, NULL, &probe_ops) ? 0 : -ENOMEM;
}

static void __exit probe_exit(void)
{
	remove_proc_entry("moat_probe", NULL);
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("moat test helper: touch physical memory from the root cell");
