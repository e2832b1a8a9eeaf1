// SPDX-License-Identifier: GPL-2.0
/*
 * Loading the hypervisor image into the memory the device tree reserves for it, entering it on
 * every online CPU through the kernel's hyp-stub, and leaving it again.
 */
#include <linux/arm-smccc.h>
#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include <moat/cell.h>

#include "moat.h"

#define MOAT_DT_COMPATIBLE "moat,hypervisor"
/* What the hyp-stub answers to a call it does not know (asm/virt.h: HVC_STUB_ERR). */
#define STUB_PROBE_CALL 0x6d6f6174ul /* "moat": not a stub call number */

static struct {
	bool enabled;
	phys_addr_t base;
	resource_size_t size;
	void *virt;
	u64 enable_count;
	unsigned long results[NR_CPUS];
	u64 mpidr[MOAT_MAX_CPUS];
} hv;

bool moat_hv_enabled(void)
{
	return hv.enabled;
}

bool moat_hv_memory(struct moat_file *f, phys_addr_t *base, resource_size_t *size)
{
	struct device_node *np = of_find_compatible_node(NULL, NULL, MOAT_DT_COMPATIBLE);
	struct resource res;
	bool nomap;

	if (!np) {
		moat_fail(f, ENODEV,
			  "the device tree reserves no memory for the hypervisor: add a /reserved-memory node with compatible \"%s\" and no-map (see dts/)",
			  MOAT_DT_COMPATIBLE);
		return false;
	}
	nomap = of_property_read_bool(np, "no-map");
	if (of_address_to_resource(np, 0, &res)) {
		moat_fail(f, ENODEV, "%pOF: no usable reg property", np);
		of_node_put(np);
		return false;
	}
	if (!nomap) {
		moat_fail(f, ENODEV, "%pOF: must carry no-map, or Linux keeps using that memory", np);
		of_node_put(np);
		return false;
	}
	of_node_put(np);
	if (!PAGE_ALIGNED(res.start) || !PAGE_ALIGNED(resource_size(&res))) {
		moat_fail(f, ENODEV, "hypervisor memory %pR is not page aligned", &res);
		return false;
	}
	*base = res.start;
	*size = resource_size(&res);
	return true;
}

/* KVM in the kernel takes EL2 for itself unless told not to. */
static bool kvm_may_own_el2(void)
{
	const char *args, *p, *last = NULL;

	if (!IS_ENABLED(CONFIG_KVM))
		return false;
	args = of_chosen ? of_get_property(of_chosen, "bootargs", NULL) : NULL;
	for (p = args; p && (p = strstr(p, "kvm-arm.mode=")); p++)
		last = p + strlen("kvm-arm.mode=");
	return !last || strncmp(last, "none", 4) || (last[4] && last[4] != ' ');
}

static void probe_stub(void *unused)
{
	register unsigned long x0 asm("x0") = STUB_PROBE_CALL;

	asm volatile("hvc #0" : "+r"(x0) : : "memory");
	hv.results[smp_processor_id()] = x0;
}

static int check_el2(struct moat_file *f)
{
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1);
	unsigned int cpu;

	if (is_kernel_in_hyp_mode())
		return moat_fail(f, EOPNOTSUPP,
				 "Linux itself runs at EL2 (VHE); moat needs it at EL1: boot with id_aa64mmfr1.vh=0 or use a CPU without VHE");
	if (!((pfr0 >> ID_AA64PFR0_EL1_EL2_SHIFT) & 0xf))
		return moat_fail(f, ENODEV,
				 "this CPU has no EL2 (on QEMU use -M virt,virtualization=on)");
	if (kvm_may_own_el2())
		return moat_fail(f, EBUSY,
				 "KVM may own EL2: boot Linux with kvm-arm.mode=none on the kernel command line");
	on_each_cpu(probe_stub, NULL, 1);
	for_each_online_cpu(cpu)
		if (hv.results[cpu] != HVC_STUB_ERR)
			return moat_fail(f, EBUSY,
					 "EL2 on CPU %u is not held by the kernel's hyp-stub (it answered %#lx): was the kernel booted at EL2, without KVM?",
					 cpu, hv.results[cpu]);
	return 0;
}

static int check_image(struct moat_file *f, const void *image, size_t size)
{
	const struct moat_image_header *h = image;

	if (size < sizeof(*h) || h->magic != MOAT_IMAGE_MAGIC)
		return moat_fail(f, EINVAL, "not a moat hypervisor image (bad magic or too short)");
	if (MOAT_ABI_VERSION_MAJOR(h->abi_version) != MOAT_ABI_MAJOR)
		return moat_fail(f, EINVAL, "image ABI %u.%u does not match the driver's %u.%u: rebuild them together",
				 MOAT_ABI_VERSION_MAJOR(h->abi_version), MOAT_ABI_VERSION_MINOR(h->abi_version),
				 MOAT_ABI_MAJOR, MOAT_ABI_MINOR);
	if (h->header_size != sizeof(*h) || h->image_size != size || h->memory_size < size ||
	    h->entry_offset < sizeof(*h) || h->entry_offset >= size || (h->entry_offset & 3))
		return moat_fail(f, EINVAL, "inconsistent image header (sizes or entry offset): rebuild moat-hv.bin");
	if (h->memory_size > hv.size)
		return moat_fail(f, ENOMEM,
				 "the image needs %llu KiB but the device tree reserves only %llu KiB: enlarge the moat,hypervisor region",
				 h->memory_size >> 10, (unsigned long long)hv.size >> 10);
	return 0;
}

/* Code reached at EL2 runs with the MMU and caches off: push everything to the point of coherency. */
static void clean_inval_poc(void *start, size_t size)
{
	unsigned long line = 4ul << ((read_sysreg(ctr_el0) >> CTR_EL0_DminLine_SHIFT) & 0xf);
	unsigned long p = (unsigned long)start & ~(line - 1);
	unsigned long end = (unsigned long)start + size;

	for (; p < end; p += line)
		asm volatile("dc civac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

struct enter_args {
	phys_addr_t entry;
	unsigned int first_cpu;
};

/*
 * Entering and leaving run in process context on the target CPU (work_on_cpu), never inside an
 * IPI handler: an interrupt being handled while the CPU interface switches from physical to
 * virtual would stay active in the physical GIC for ever.
 */
static void enter_cpu_irqs_off(void *data)
{
	struct enter_args *a = data;
	unsigned int cpu = smp_processor_id();
	register unsigned long x0 asm("x0") = HVC_SOFT_RESTART;
	register unsigned long x1 asm("x1") = a->entry;
	register unsigned long x2 asm("x2") = cpu;
	register unsigned long x3 asm("x3") = MOAT_ENTRY_MAGIC;
	register unsigned long x4 asm("x4") = cpu == a->first_cpu ? MOAT_ENTRY_FIRST_CPU : 0;

	asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4) : : "memory");
	hv.results[cpu] = x0;
}

static long enter_cpu(void *data)
{
	unsigned long flags;

	local_irq_save(flags);
	enter_cpu_irqs_off(data);
	local_irq_restore(flags);
	return 0;
}

static long leave_cpu(void *unused)
{
	struct arm_smccc_res res;
	unsigned long flags;

	local_irq_save(flags);
	arm_smccc_1_1_hvc(MOAT_HC_DISABLE, &res);
	hv.results[smp_processor_id()] = res.a0;
	local_irq_restore(flags);
	return 0;
}

/* MPIDRs of every possible CPU, online or not, from the device tree's cpu nodes. */
static int fill_mpidrs(struct moat_file *f, struct moat_image_header *h)
{
	struct device_node *np;
	const __be32 *cell;
	unsigned int cpu;
	u64 reg;
	int len;

	for_each_possible_cpu(cpu) {
		np = of_get_cpu_node(cpu, NULL);
		if (!np)
			return moat_fail(f, ENODEV, "CPU %u has no node in the device tree", cpu);
		cell = of_get_property(np, "reg", &len);
		if (!cell || len < of_n_addr_cells(np) * (int)sizeof(*cell)) {
			of_node_put(np);
			return moat_fail(f, ENODEV, "%pOF has no usable reg (MPIDR)", np);
		}
		reg = of_read_number(cell, of_n_addr_cells(np));
		of_node_put(np);
		h->cpu_mpidr[cpu] = reg & MPIDR_HWID_BITMASK;
		hv.mpidr[cpu] = h->cpu_mpidr[cpu];
	}
	return 0;
}

u64 moat_hv_cpu_mpidr(unsigned int cpu)
{
	return cpu < MOAT_MAX_CPUS ? hv.mpidr[cpu] : ~0ull;
}

static const char *entry_error(unsigned long code)
{
	switch (code) {
	case MOAT_ENTRY_EBADMAGIC: return "entry called without the entry magic";
	case MOAT_ENTRY_EBADCPU: return "CPU id out of the image's range";
	case MOAT_ENTRY_ENOTFIRST: return "secondary CPU entered before the global set-up";
	case MOAT_ENTRY_EAGAIN: return "CPU already in the hypervisor";
	case MOAT_ENTRY_ENOMEM: return "page tables do not fit the reserved memory";
	case MOAT_ENTRY_EHEADER: return "driver-filled header fields rejected";
	case MOAT_ENTRY_EDESC: return "root cell descriptor rejected";
	default: return "unknown error";
	}
}

/* Leave on every CPU in @cpus; true if all of them gave EL2 back to the stub. */
static bool leave_cpus(const struct cpumask *cpus)
{
	bool ok = true;
	unsigned int cpu;

	for_each_cpu(cpu, cpus) {
		work_on_cpu(cpu, leave_cpu, NULL);
		if (hv.results[cpu] != MOAT_HC_OK) {
			pr_err("moat: CPU %u refused to leave the hypervisor (%ld)\n", cpu,
			       (long)hv.results[cpu]);
			ok = false;
		}
	}
	on_each_cpu_mask(cpus, probe_stub, NULL, 1);
	for_each_cpu(cpu, cpus) {
		if (hv.results[cpu] != HVC_STUB_ERR) {
			pr_err("moat: CPU %u: EL2 did not return to the hyp-stub (answered %#lx)\n", cpu,
			       hv.results[cpu]);
			ok = false;
		}
	}
	return ok;
}

/*
 * A root.cell built for another board can place the hypervisor at the same address and still
 * be wrong everywhere else: its interrupt controller must be the one this kernel runs on.
 */
struct device_node *moat_gic_node(u32 *version)
{
	static const struct { const char *compatible; u32 version; } gics[] = {
		{ "arm,gic-v3", 3 }, { "arm,gic-400", 2 }, { "arm,cortex-a15-gic", 2 },
	};
	struct device_node *np = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gics) && !np; i++) {
		np = of_find_compatible_node(NULL, NULL, gics[i].compatible);
		*version = gics[i].version;
	}
	return np;
}

static bool desc_matches_board(struct moat_file *f, const struct moat_cell_desc *d)
{
	u32 version = 0;
	struct device_node *np = moat_gic_node(&version);
	struct resource gicd;
	bool ok;

	if (!np) {
		moat_fail(f, ENODEV, "this device tree has no GICv2 or GICv3 node: moat cannot run on it");
		return false;
	}
	if (version != d->platform.gic_version) {
		moat_fail(f, EINVAL,
			  "root.cell describes a GICv%u, but this machine has a GICv%u (%pOF): the descriptor was built for another board",
			  d->platform.gic_version, version, np);
		of_node_put(np);
		return false;
	}
	ok = !of_address_to_resource(np, 0, &gicd) && gicd.start == d->platform.gicd_base;
	if (!ok)
		moat_fail(f, EINVAL,
			  "root.cell describes a GIC distributor at %#llx, but this machine's (%pOF) is at %pa: the descriptor was built for another board",
			  d->platform.gicd_base, np, &gicd.start);
	of_node_put(np);
	return ok;
}

static int check_root_desc(struct moat_file *f, const void *desc, size_t size)
{
	const struct moat_cell_desc *d = desc;

	/* The hypervisor validates every field; these checks only catch the wrong file early. */
	if (size != sizeof(*d) || d->magic != MOAT_CELL_MAGIC)
		return moat_fail(f, EINVAL,
				 "not a moat cell descriptor (%zu bytes, expected %zu starting with MOATCELL): pass the root.cell moat-cellc wrote",
				 size, sizeof(*d));
	if (!(d->flags & MOAT_CELL_FLAG_ROOT))
		return moat_fail(f, EINVAL, "cell \"%.*s\" is not a root cell: moat enable takes the board's root.cell",
				 (int)sizeof(d->name), d->name);
	if (!desc_matches_board(f, d))
		return -EINVAL;
	if (d->platform.hv_base != hv.base || d->platform.hv_size != hv.size)
		return moat_fail(f, EINVAL,
				 "root.cell expects the hypervisor at %#llx+%#llx but this device tree reserves %pa+%#llx: the descriptor was built for another board tree",
				 d->platform.hv_base, d->platform.hv_size, &hv.base, (unsigned long long)hv.size);
	/* The same board, but is it the tree this kernel booted with? (live.c) */
	return moat_live_check_root(f, d);
}

/* Map the reserved memory, put the image and the root descriptor in it, fill the header's
 * second half and clean it all to the point of coherency (the hypervisor starts with caches off). */
static int load_image(struct moat_file *f, const void *image, size_t size, const void *desc,
		      size_t desc_size, u64 desc_offset)
{
	struct moat_image_header *h;
	int err;

	hv.virt = memremap(hv.base, hv.size, MEMREMAP_WB);
	if (!hv.virt)
		return moat_fail(f, ENOMEM, "cannot map the hypervisor memory at %pa", &hv.base);
	memset(hv.virt, 0, hv.size);
	memcpy(hv.virt, image, size);
	h = hv.virt;
	h->mem_base = hv.base;
	h->mem_size = hv.size;
	h->num_cpus = nr_cpu_ids;
	memcpy(hv.virt + desc_offset, desc, desc_size);
	h->root_desc_offset = desc_offset;
	h->root_desc_size = desc_size;
	err = fill_mpidrs(f, h);
	if (err) {
		memunmap(hv.virt);
		hv.virt = NULL;
		return err;
	}
	clean_inval_poc(hv.virt, hv.size);
	return 0;
}

/* Every online CPU into the hypervisor, the first one first (it builds what all share); on a
 * failure those that entered leave again. */
static int enter_cpus(struct moat_file *f, u64 entry, struct cpumask *entered)
{
	struct moat_image_header *h = hv.virt;
	struct enter_args args;
	unsigned int cpu;

	args.entry = entry;
	args.first_cpu = cpumask_first(cpu_online_mask);
	work_on_cpu(args.first_cpu, enter_cpu, &args);
	if (hv.results[args.first_cpu] == MOAT_ENTRY_EDESC) {
		/* The hypervisor wrote why with its MMU off: read it past our cache. */
		clean_inval_poc(h, sizeof(*h));
		return moat_fail(f, EINVAL, "the hypervisor rejected the root cell descriptor: %.*s",
				 (int)sizeof(h->error), h->error);
	}
	if (hv.results[args.first_cpu] != MOAT_ENTRY_OK)
		return moat_fail(f, EIO, "CPU %u could not enter the hypervisor: %s (code %lu)",
				 args.first_cpu, entry_error(hv.results[args.first_cpu]),
				 hv.results[args.first_cpu]);
	cpumask_set_cpu(args.first_cpu, entered);
	for_each_online_cpu(cpu) {
		if (cpu == args.first_cpu)
			continue;
		work_on_cpu(cpu, enter_cpu, &args);
		if (hv.results[cpu] != MOAT_ENTRY_OK) {
			int err = moat_fail(f, EIO, "CPU %u could not enter the hypervisor: %s (code %lu)",
					    cpu, entry_error(hv.results[cpu]), hv.results[cpu]);

			leave_cpus(entered);
			return err;
		}
		cpumask_set_cpu(cpu, entered);
	}
	return 0;
}

int moat_hv_enable(struct moat_file *f, const void *image, size_t size, const void *desc,
		   size_t desc_size)
{
	u64 desc_offset;
	const struct moat_image_header *src = image;
	cpumask_var_t entered;
	int err;

	if (!moat_hv_memory(f, &hv.base, &hv.size))
		return -ENODEV;
	err = check_image(f, image, size);
	if (!err)
		err = check_root_desc(f, desc, desc_size);
	if (err)
		return err;
	desc_offset = PAGE_ALIGN(src->memory_size);
	if (desc_offset + desc_size > hv.size)
		return moat_fail(f, ENOMEM, "no room for the root cell descriptor in the hypervisor memory");
	if (nr_cpu_ids > MOAT_MAX_CPUS)
		return moat_fail(f, EOPNOTSUPP, "this system has %u possible CPUs; the image handles at most %u",
				 nr_cpu_ids, MOAT_MAX_CPUS);
	if (!zalloc_cpumask_var(&entered, GFP_KERNEL))
		return moat_fail(f, ENOMEM, "enable: out of memory");

	/*
	 * No CPU may come or go while EL2 changes hands. Afterwards hotplug is fine: the hypervisor
	 * traps PSCI, so a CPU brought online comes up under it.
	 */
	cpus_read_lock();
	err = check_el2(f);
	if (!err)
		err = load_image(f, image, size, desc, desc_size, desc_offset);
	if (err)
		goto out_hotplug;
	err = enter_cpus(f, hv.base + src->entry_offset, entered);
	if (err)
		goto out_unmap;

	hv.enabled = true;
	hv.enable_count++;
	/* Pinned while enabled: unloading would pull the code that talks to EL2 from under it. */
	__module_get(THIS_MODULE);
	cpus_read_unlock();
	pr_info("moat: hypervisor enabled on %u CPUs, memory %pa+%#llx\n", cpumask_weight(entered),
		&hv.base, (unsigned long long)hv.size);
	free_cpumask_var(entered);
	/* A link whose device cannot be set up is logged; the hypervisor runs all the same. */
	moat_links_create(desc);
	if (moat_rings_map())
		pr_warn("moat: the cells' console rings could not be mapped: cells with console = \"ring\" print nothing\n");
	return 0;

out_unmap:
	memunmap(hv.virt);
	hv.virt = NULL;
out_hotplug:
	cpus_read_unlock();
	free_cpumask_var(entered);
	return err;
}

int moat_hv_disable(struct moat_file *f)
{
	bool ok;

	if (moat_cells_exist())
		return moat_fail(f, EBUSY, "cells still exist: destroy them first (moat cell list)");
	/* The links' pages are the hypervisor's: no user mapping of them may outlive it. (Should a
	 * CPU then fail to leave, the links stay gone until the next enable.) */
	moat_links_destroy();
	cpus_read_lock();
	ok = leave_cpus(cpu_online_mask);
	cpus_read_unlock();
	if (!ok)
		return moat_fail(f, EIO, "some CPUs did not leave the hypervisor cleanly (see dmesg); it stays enabled");
	hv.enabled = false;
	moat_rings_unmap();
	memunmap(hv.virt);
	hv.virt = NULL;
	module_put(THIS_MODULE);
	pr_info("moat: hypervisor disabled, EL2 back with the hyp-stub on every CPU\n");
	return 0;
}

void moat_hv_info(struct moat_info *info)
{
	struct arm_smccc_res res;
	phys_addr_t base = 0;
	resource_size_t size = 0;
	struct moat_file scratch;

	memset(info, 0, sizeof(*info));
	info->driver_abi_version = MOAT_ABI_VERSION;
	info->enabled = hv.enabled;
	info->enable_count = hv.enable_count;
	info->driver_allocations = moat_allocations();
	if (moat_hv_memory(&scratch, &base, &size)) {
		info->mem_base = base;
		info->mem_size = size;
	}
	if (!hv.enabled)
		return;
	arm_smccc_1_1_hvc(MOAT_HC_GET_INFO, &res);
	if (res.a0 == MOAT_HC_OK) {
		info->hv_abi_version = res.a1;
		info->hv_cpus = res.a2;
		info->mem_used = res.a3;
	}
}

void moat_hv_stats(struct moat_stats *stats)
{
	struct arm_smccc_res res;
	unsigned int cpu, reason;

	memset(stats, 0, sizeof(*stats));
	stats->cpus = min_t(unsigned int, nr_cpu_ids, MOAT_MAX_CPUS);
	stats->reasons = MOAT_EXIT_REASONS;
	for (cpu = 0; cpu < stats->cpus; cpu++) {
		for (reason = 0; reason < MOAT_EXIT_REASONS; reason++) {
			arm_smccc_1_1_hvc(MOAT_HC_GET_STATS, cpu, reason, &res);
			stats->count[cpu][reason] = res.a0 == MOAT_HC_OK ? res.a1 : 0;
		}
	}
}

u64 moat_hv_stat(unsigned int cpu, unsigned int reason)
{
	struct arm_smccc_res res;

	if (!hv.enabled || cpu >= MOAT_MAX_CPUS || reason >= MOAT_EXIT_REASONS)
		return 0;
	arm_smccc_1_1_hvc(MOAT_HC_GET_STATS, cpu, reason, &res);
	return res.a0 == MOAT_HC_OK ? res.a1 : 0;
}

/* A consistent snapshot of the console ring: copy, then check it was not overwritten meanwhile. */
int moat_hv_console(struct moat_file *f, void __user *uarg)
{
	struct arm_smccc_res res;
	struct moat_console_ring *ring, *copy;
	struct moat_console_args args;
	u64 before;
	int tries, err = 0;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return moat_fail(f, EFAULT, "console: the argument block is not readable memory");
	if (args.size != sizeof(*ring))
		return moat_fail(f, EINVAL, "console: buffer of %llu bytes, expected %zu", args.size, sizeof(*ring));

	arm_smccc_1_1_hvc(MOAT_HC_CONSOLE_INFO, &res);
	if ((long)res.a0 != MOAT_HC_OK || res.a2 != sizeof(*ring))
		return moat_fail(f, EIO, "the hypervisor did not say where its console is");
	ring = memremap(res.a1, sizeof(*ring), MEMREMAP_WB);
	copy = moat_zalloc(sizeof(*copy));
	if (!ring || !copy) {
		err = -ENOMEM;
		goto out;
	}
	for (tries = 0; tries < 10; tries++) {
		before = READ_ONCE(ring->written);
		smp_rmb();
		memcpy(copy, ring, sizeof(*copy));
		smp_rmb();
		if (READ_ONCE(ring->written) == before)
			break;
	}
	copy->written = before;
	if (copy_to_user(u64_to_user_ptr(args.buf), copy, sizeof(*copy)))
		err = moat_fail(f, EFAULT, "console: the result buffer is not writable memory");
out:
	if (ring)
		memunmap(ring);
	moat_free(copy);
	return err;
}
