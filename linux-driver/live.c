// SPDX-License-Identifier: GPL-2.0
/*
 * Checks of descriptors against the running system: what the kernel really uses (its System
 * RAM in the resource tree, the device tree it booted with) against what root.cell or a cell
 * says. They catch mistakes — a root.cell compiled from another tree, a cell placed in Linux's
 * RAM — before the hypervisor takes memory or devices from under Linux. They are no security
 * boundary: the root can skip them (skip_live_checks, or its own driver); the hypervisor checks
 * every descriptor itself (docs/security.md).
 */
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_irq.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <moat/cell.h>

#include "moat.h"

static bool skip_live_checks;
module_param(skip_live_checks, bool, 0600);
MODULE_PARM_DESC(skip_live_checks,
		 "do not compare descriptors with the running system (tests of the hypervisor's own checks only)");

#define RECOMPILE "compile root.cell from the tree this kernel booted with (moat-cellc compile --board /sys/firmware/fdt ...)"

static bool is_root_ram(const struct moat_cell_mem_region *m)
{
	return !(m->flags & (MOAT_CELL_MEM_IO | MOAT_CELL_MEM_CELL_POOL | MOAT_CELL_MEM_SHARED));
}

static u64 region_end(const struct moat_cell_mem_region *m)
{
	return m->phys_start + m->size - 1;
}

/* A walk over Linux's System RAM: the first piece no root RAM region covers. */
struct ram_walk {
	const struct moat_cell_desc *root;
	bool missing;
	u64 start, end;
};

/* The root RAM region holding addr, or NULL. */
static const struct moat_cell_mem_region *root_ram_at(const struct moat_cell_desc *d, u64 addr)
{
	unsigned int i;

	for (i = 0; i < d->num_mem_regions && i < MOAT_CELL_MAX_MEM_REGIONS; i++) {
		const struct moat_cell_mem_region *m = &d->mem_regions[i];

		if (is_root_ram(m) && m->size && addr >= m->phys_start && addr <= region_end(m))
			return m;
	}
	return NULL;
}

/* Where the gap that starts at addr ends: before the next root RAM region, or at limit. */
static u64 gap_end(const struct moat_cell_desc *d, u64 addr, u64 limit)
{
	unsigned int i;

	for (i = 0; i < d->num_mem_regions && i < MOAT_CELL_MAX_MEM_REGIONS; i++) {
		const struct moat_cell_mem_region *m = &d->mem_regions[i];

		if (is_root_ram(m) && m->size && m->phys_start > addr && m->phys_start - 1 < limit)
			limit = m->phys_start - 1;
	}
	return limit;
}

static int check_ram_piece(struct resource *res, void *arg)
{
	struct ram_walk *w = arg;
	u64 s = res->start, e = res->end;
	const struct moat_cell_mem_region *m;

	while (s <= e) {
		m = root_ram_at(w->root, s);
		if (!m) {
			w->missing = true;
			w->start = s;
			w->end = gap_end(w->root, s, e);
			return 1; /* stop the walk */
		}
		if (region_end(m) >= e)
			break;
		s = region_end(m) + 1;
	}
	return 0;
}

/* Every byte of System RAM Linux uses must stay mapped for it: in a RAM region of the root. */
static int check_root_ram(struct moat_file *f, const struct moat_cell_desc *d)
{
	struct ram_walk w = { .root = d };

	walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, U64_MAX, &w,
			    check_ram_piece);
	if (!w.missing)
		return 0;
	return moat_fail(f, EINVAL,
			 "Linux uses System RAM %#llx..%#llx (/proc/iomem) that is in no RAM region of root.cell: Linux would fault on it; "
			 RECOMPILE, w.start, w.end);
}

/* Memory the hypervisor or the cells take must be none of Linux's System RAM. */
static bool is_linux_ram(u64 base, u64 size)
{
	return region_intersects(base, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) != REGION_DISJOINT;
}

static int check_reserved(struct moat_file *f, const struct moat_cell_desc *d)
{
	unsigned int i;

	if (is_linux_ram(d->platform.hv_base, d->platform.hv_size))
		return moat_fail(f, EINVAL,
				 "the hypervisor's memory %#llx+%#llx is System RAM Linux uses (/proc/iomem): the booted tree must reserve it (moat,hypervisor, no-map)",
				 d->platform.hv_base, d->platform.hv_size);
	for (i = 0; i < d->num_mem_regions && i < MOAT_CELL_MAX_MEM_REGIONS; i++) {
		const struct moat_cell_mem_region *m = &d->mem_regions[i];

		if ((m->flags & MOAT_CELL_MEM_CELL_POOL) && is_linux_ram(m->phys_start, m->size))
			return moat_fail(f, EINVAL,
					 "root.cell's cell pool %#llx..%#llx is System RAM Linux uses (/proc/iomem): the booted tree does not reserve it (moat,cell-pool, no-map); "
					 RECOMPILE, m->phys_start, region_end(m));
	}
	return 0;
}

/* One register frame of the GIC: root.cell's against reg entry `index` of the live node. */
static int check_gic_frame(struct moat_file *f, struct device_node *gic, unsigned int index,
			   const char *what, u64 base, u64 size)
{
	struct resource r;

	if (of_address_to_resource(gic, index, &r))
		return moat_fail(f, EINVAL, "root.cell has the GIC %s at %#llx, but %pOF has no reg entry %u; " RECOMPILE,
				 what, base, gic, index);
	if (r.start != base || resource_size(&r) != size)
		return moat_fail(f, EINVAL,
				 "root.cell has the GIC %s at %#llx+%#llx, but this machine's (%pOF reg %u) is at %#llx+%#llx; " RECOMPILE,
				 what, base, size, gic, index, (unsigned long long)r.start,
				 (unsigned long long)resource_size(&r));
	return 0;
}

/* The GIC INTID of interrupt `index` of np, or 0 if it is not a PPI of the GIC. */
static u32 ppi_intid(struct device_node *np, int index, struct device_node *gic)
{
	struct of_phandle_args args;
	u32 intid = 0;

	if (of_irq_parse_one(np, index, &args))
		return 0;
	if (args.np == gic && args.args_count >= 2 && args.args[0] == 1 && args.args[1] < 16)
		intid = 16 + args.args[1];
	of_node_put(args.np);
	return intid;
}

static int check_gic(struct moat_file *f, const struct moat_cell_desc *d, struct device_node *gic)
{
	const struct moat_cell_platform *p = &d->platform;
	u64 stride = MOAT_CELL_GICR_STRIDE_V3;
	u32 maint;
	int err;

	err = check_gic_frame(f, gic, 0, "distributor", p->gicd_base, p->gicd_size);
	if (!err && p->gic_version == 3) {
		err = check_gic_frame(f, gic, 1, "redistributors", p->gicr_base, p->gicr_size);
		of_property_read_u64(gic, "redistributor-stride", &stride);
		if (!err && stride != p->gicr_stride)
			err = moat_fail(f, EINVAL,
					"root.cell has a GIC redistributor stride of %#llx, but %pOF says %#llx; " RECOMPILE,
					p->gicr_stride, gic, stride);
	} else if (!err) {
		err = check_gic_frame(f, gic, 1, "CPU interface", p->gicc_base, p->gicc_size);
		if (!err)
			err = check_gic_frame(f, gic, 2, "virtual interface control", p->gich_base, p->gich_size);
		if (!err)
			err = check_gic_frame(f, gic, 3, "virtual CPU interface", p->gicv_base, p->gicv_size);
	}
	if (err)
		return err;
	maint = ppi_intid(gic, 0, gic);
	if (maint != p->maint_irq)
		return moat_fail(f, EINVAL,
				 "root.cell has the GIC maintenance interrupt at INTID %u, but %pOF says INTID %u; " RECOMPILE,
				 p->maint_irq, gic, maint);
	return 0;
}

static int check_timer(struct moat_file *f, const struct moat_cell_desc *d, struct device_node *gic)
{
	const struct moat_cell_platform *p = &d->platform;
	const u32 want[4] = { p->timer_sec_phys_irq, p->timer_phys_irq, p->timer_virt_irq, p->timer_hyp_irq };
	struct device_node *np = of_find_compatible_node(NULL, NULL, "arm,armv8-timer");
	u32 live[4];
	int i, err = 0;

	if (!np)
		np = of_find_compatible_node(NULL, NULL, "arm,armv7-timer");
	if (!np)
		return moat_fail(f, ENODEV, "this device tree has no arm,armv8-timer node: the timer interrupts cannot be checked");
	for (i = 0; i < 4; i++)
		live[i] = ppi_intid(np, i, gic);
	if (memcmp(live, want, sizeof(live)))
		err = moat_fail(f, EINVAL,
				"root.cell has the timer interrupts at INTIDs %u %u %u %u (secure, physical, virtual, hypervisor), but %pOF says %u %u %u %u; " RECOMPILE,
				want[0], want[1], want[2], want[3], np, live[0], live[1], live[2], live[3]);
	of_node_put(np);
	return err;
}

/* The node /chosen/stdout-path names (an alias or a path; options after ':' dropped), or NULL. */
static struct device_node *stdout_node(const char **path)
{
	*path = of_chosen ? of_get_property(of_chosen, "stdout-path", NULL) : NULL;
	return *path ? of_find_node_opts_by_path(*path, NULL) : NULL;
}

/*
 * The hypervisor writes to the PL011 root.cell names; Linux's console is the UART its tree's
 * stdout-path names. If they differ, the hypervisor writes into a UART Linux may drive for
 * something else. (A root.cell with no UART is fine: the hypervisor then logs to its ring only.)
 */
static int check_uart(struct moat_file *f, const struct moat_cell_desc *d)
{
	const struct moat_cell_console *c = &d->platform.debug_uart;
	const char *path;
	struct device_node *np;
	struct resource r;
	bool same;

	if (c->type != MOAT_CELL_CONSOLE_PL011)
		return 0;
	np = stdout_node(&path);
	same = np && of_device_is_compatible(np, "arm,pl011") && !of_address_to_resource(np, 0, &r) &&
	       r.start == c->base;
	if (!same && np)
		moat_fail(f, EINVAL,
			  "root.cell gives the hypervisor the PL011 at %#llx, but Linux's console (stdout-path \"%s\") is %pOF; " RECOMPILE,
			  c->base, path, np);
	else if (!same)
		moat_fail(f, EINVAL,
			  "root.cell gives the hypervisor the PL011 at %#llx, but this tree names no console (/chosen/stdout-path); " RECOMPILE,
			  c->base);
	of_node_put(np);
	return same ? 0 : -EINVAL;
}

int moat_live_check_root(struct moat_file *f, const struct moat_cell_desc *d)
{
	u32 version;
	struct device_node *gic;
	int err;

	if (skip_live_checks)
		return 0;
	gic = moat_gic_node(&version); /* hv.c found it and checked its version and distributor */
	if (!gic)
		return moat_fail(f, ENODEV, "this device tree has no GICv2 or GICv3 node: moat cannot run on it");
	err = check_gic(f, d, gic);
	if (!err)
		err = check_timer(f, d, gic);
	if (!err)
		err = check_uart(f, d);
	if (!err)
		err = check_reserved(f, d);
	if (!err)
		err = check_root_ram(f, d);
	of_node_put(gic);
	return err;
}

/* The device tree node with a reg range overlapping [base, base + size), from `from` on. */
static struct device_node *node_over(struct device_node *from, u64 base, u64 size)
{
	struct device_node *np = from;
	struct resource r;
	int i;

	while ((np = of_find_all_nodes(np))) {
		if (!of_device_is_available(np))
			continue;
		for (i = 0; !of_address_to_resource(np, i, &r); i++)
			if (r.start < base + size && base <= r.end)
				return np;
	}
	return NULL;
}

/*
 * A cell's device that a Linux driver drives: Linux faults on it once the cell owns it. Taking
 * Linux's own console away is refused; a platform device with a driver bound is logged with how
 * to unbind it, and allowed (the QEMU tests' cells take the PL031 that rtc-pl031 holds, an AMBA
 * device this does not see: refusing would make every caller unbind first, while such a driver
 * only touches its device when asked to).
 */
static int check_cell_device(struct moat_file *f, const struct moat_cell_desc *d,
			     const struct moat_cell_mem_region *m)
{
	struct device_node *np = NULL, *console;
	struct platform_device *pdev;
	const char *path;
	int err = 0;

	console = stdout_node(&path);
	while (!err && (np = node_over(np, m->phys_start, m->size))) {
		if (np == console) {
			err = moat_fail(f, EBUSY,
					"cell \"%s\": %pOF at %#llx is Linux's console (stdout-path); give the cell another device",
					d->name, np, m->phys_start);
			of_node_put(np);
			break;
		}
		pdev = of_find_device_by_node(np);
		if (pdev && pdev->dev.driver)
			pr_warn("moat: cell \"%s\" takes %pOF, which Linux's %s driver drives: unbind it first (echo %s > /sys/bus/platform/drivers/%s/unbind)\n",
				d->name, np, pdev->dev.driver->name, dev_name(&pdev->dev), pdev->dev.driver->name);
		if (pdev)
			put_device(&pdev->dev);
	}
	of_node_put(console);
	return err;
}

int moat_live_check_cell(struct moat_file *f, const struct moat_cell_desc *d)
{
	unsigned int i;
	int err;

	if (skip_live_checks)
		return 0;
	for (i = 0; i < d->num_mem_regions && i < MOAT_CELL_MAX_MEM_REGIONS; i++) {
		const struct moat_cell_mem_region *m = &d->mem_regions[i];

		if (!m->size || m->phys_start + m->size - 1 < m->phys_start)
			continue; /* the hypervisor refuses it, with its reason */
		if (is_linux_ram(m->phys_start, m->size))
			return moat_fail(f, EINVAL,
					 "cell \"%s\": mem_regions[%u] %#llx..%#llx is System RAM Linux uses (/proc/iomem); a cell's memory comes from a moat,cell-pool region (no-map): move it there",
					 d->name, i, m->phys_start, region_end(m));
		if (m->flags & MOAT_CELL_MEM_IO) {
			err = check_cell_device(f, d, m);
			if (err)
				return err;
		}
	}
	return 0;
}
