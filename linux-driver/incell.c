// SPDX-License-Identifier: GPL-2.0
/*
 * moat.ko inside a Linux cell (docs/linux-cell.md, "Links and the console"). The cell's tree,
 * written by `moat-cellc linux-dt` from the cell's descriptor, says so with a "moat,cell-info"
 * node. There is no EL2 to take and no hypervisor to drive: the module makes no /dev/moat and
 * never calls the hypervisor. What it does, trusting nothing it did not read from that tree:
 *
 *  - each "moat,link-endpoint" node becomes /dev/moat-link-NAME, with the root's code (link.c):
 *    the node gives the struct moat_cell_link (sections at the cell's IPAs, the register and
 *    state pages, peers, this cell's index, section owners) and the doorbell interrupt;
 *  - a "moat,console-ring" node: the kernel log goes into that page (include/moat/cell_ring.h),
 *    which the root's moat.ko drains into `moat console`. From the log's first record: the
 *    module reads the kernel's log buffer (kmsg_dump_get_line) rather than registering a
 *    console, so the lines printed before it loaded are there, and it paces itself (at most
 *    PUMP_BYTES bytes and PUMP_LINES lines every PUMP_PERIOD_MS, every PUMP_IDLE_MS when the
 *    log is quiet), because the ring is one page,
 *    its writer never waits, and the root drains it twice a second, at most 64 lines at a time.
 */
#include <linux/ctype.h>
#include <linux/io.h>
#include <linux/kmsg_dump.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_irq.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <moat/cell.h>
#include <moat/cell_ring.h>
#include <moat/link.h>

#include "moat.h"

#define PUMP_PERIOD_MS 250
#define PUMP_BYTES 800  /* x 2 per root drain: well inside the ring's 4032 bytes */
#define PUMP_LINES 12   /* x 2 per root drain: well inside its 64 lines */
#define PUMP_IDLE_MS 1000 /* the period after a round that found nothing new */

static struct moat_cell_ring *ring;
static struct kmsg_dump_iter log_iter;
static char log_line[1024];
static void pump_log(struct work_struct *work);
static DECLARE_DELAYED_WORK(pump_work, pump_log);

/* /sys/module/moat/parameters/console_pending: kernel log records not yet in the ring (0 in the
 * root, or without a ring). A cell's /init can wait for 0 before it powers off. */
static int pending_get(char *buf, const struct kernel_param *kp)
{
	struct kmsg_dump_iter now;

	if (!ring)
		return sysfs_emit(buf, "0\n");
	kmsg_dump_rewind(&now);
	return sysfs_emit(buf, "%llu\n", now.next_seq - min(now.next_seq, READ_ONCE(log_iter.cur_seq)));
}
static const struct kernel_param_ops pending_ops = { .get = pending_get };
module_param_cb(console_pending, &pending_ops, NULL, 0444);
MODULE_PARM_DESC(console_pending, "in a Linux cell: kernel log records not yet written to its console ring");

bool moat_incell(void)
{
	struct device_node *np = of_find_compatible_node(NULL, NULL, "moat,cell-info");

	of_node_put(np);
	return np != NULL;
}

static void pump_log(struct work_struct *work)
{
	size_t len, bytes = 0;
	unsigned int lines = 0;

	while (lines < PUMP_LINES && bytes < PUMP_BYTES &&
	       kmsg_dump_get_line(&log_iter, false, log_line, sizeof(log_line), &len)) {
		moat_cell_ring_write(ring, log_line, (u32)len);
		bytes += len;
		lines++;
	}
	/* An idle log costs the idle cell one wakeup a second, not four. */
	schedule_delayed_work(&pump_work, msecs_to_jiffies(lines ? PUMP_PERIOD_MS : PUMP_IDLE_MS));
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (!isalnum(s[i]) && !strchr("._-", s[i]))
			return false;
	return n > 0 && n < MOAT_LINK_NAME_LEN;
}

#define BAD(np, fmt, ...)                                                                                  \
	({                                                                                                 \
		pr_err("moat: %pOF: " fmt "; the cell's tree must come from 'moat-cellc linux-dt'\n", np, \
		       ##__VA_ARGS__);                                                                     \
		-EINVAL;                                                                                   \
	})

/* The endpoint a "moat,link-endpoint" node describes, checked as the hypervisor's validator
 * would (a malformed node is refused, never half used). */
static int endpoint_from_node(struct device_node *np, struct moat_cell_link *ep, int *irq)
{
	const char *s;
	struct resource r;
	u32 i, type, spi, owner;
	int n;

	memset(ep, 0, sizeof(*ep));
	if (of_property_read_string(np, "link-name", &s) || !name_ok(s))
		return BAD(np, "link-name must be 1-31 characters of [A-Za-z0-9._-]");
	strscpy(ep->name, s, sizeof(ep->name));
	n = of_property_count_strings(np, "moat,peers");
	if (n < 2 || n > MOAT_LINK_MAX_PEERS)
		return BAD(np, "moat,peers must name 2..%d cells, has %d", MOAT_LINK_MAX_PEERS, n);
	ep->num_peers = n;
	for (i = 0; i < ep->num_peers; i++) {
		if (of_property_read_string_index(np, "moat,peers", i, &s) || !name_ok(s))
			return BAD(np, "moat,peers entry %u is not a cell name (1-31 characters of [A-Za-z0-9._-])", i);
		strscpy(ep->peers[i], s, sizeof(ep->peers[i]));
	}
	if (of_property_read_u32(np, "moat,self", &ep->self) || ep->self >= ep->num_peers)
		return BAD(np, "moat,self must be this cell's index among its %u peers", ep->num_peers);
	if (of_address_to_resource(np, 0, &r) || !PAGE_ALIGNED(r.start) || resource_size(&r) != MOAT_LINK_REGS_SIZE)
		return BAD(np, "reg entry 0 must be the page-aligned %#llx bytes of the doorbell register and state pages",
			   MOAT_LINK_REGS_SIZE);
	ep->regs_ipa = r.start;
	for (i = 0; !of_address_to_resource(np, i + 1, &r); i++) {
		if (i == MOAT_LINK_MAX_SECTIONS)
			return BAD(np, "reg names more than %d sections", MOAT_LINK_MAX_SECTIONS);
		if (!PAGE_ALIGNED(r.start) || !resource_size(&r) || !PAGE_ALIGNED(resource_size(&r)))
			return BAD(np, "reg entry %u (section %u) is not whole pages", i + 1, i);
		if (of_property_read_u32_index(np, "moat,section-owners", i, &owner) ||
		    (owner != MOAT_LINK_OWNER_ALL && owner >= ep->num_peers))
			return BAD(np, "moat,section-owners entry %u must be a peer index or 0xffffffff (every peer)", i);
		ep->sections[i].phys = r.start; /* the cell never learns the physical address */
		ep->sections[i].ipa = r.start;
		ep->sections[i].size = resource_size(&r);
		ep->sections[i].owner = owner;
	}
	if (!i)
		return BAD(np, "reg names no section after the register pages");
	if (of_property_count_u32_elems(np, "moat,section-owners") != (int)i)
		return BAD(np, "moat,section-owners has not one entry per section (%u)", i);
	ep->num_sections = i;
	if (of_property_read_u32_index(np, "interrupts", 0, &type) ||
	    of_property_read_u32_index(np, "interrupts", 1, &spi) || type != 0 ||
	    spi > 1019 - MOAT_CELL_FIRST_SPI)
		return BAD(np, "interrupts must be <0 SPI 1>: the doorbell is a GIC SPI");
	ep->doorbell_intid = spi + MOAT_CELL_FIRST_SPI;
	*irq = irq_of_parse_and_map(np, 0);
	if (*irq <= 0)
		return BAD(np, "the doorbell interrupt (SPI %u) cannot be mapped through the tree's GIC", spi);
	return 0;
}

static int console_ring_init(void)
{
	struct device_node *np = of_find_compatible_node(NULL, NULL, "moat,console-ring");
	struct resource r;
	int err = 0;

	if (!np)
		return 0; /* no ring: the kernel log stays where the tree's console is */
	if (of_address_to_resource(np, 0, &r) || !PAGE_ALIGNED(r.start) || resource_size(&r) != MOAT_CELL_RING_SIZE)
		err = BAD(np, "reg must be the one page-aligned %u-byte console ring page", MOAT_CELL_RING_SIZE);
	of_node_put(np);
	if (err)
		return err;
	/* Normal cacheable memory, as the hypervisor maps it in stage 2 and the root reads it. */
	ring = memremap(r.start, MOAT_CELL_RING_SIZE, MEMREMAP_WB);
	if (!ring) {
		pr_err("moat: cannot map the console ring at %pa\n", &r.start);
		return -ENOMEM;
	}
	kmsg_dump_rewind(&log_iter); /* the oldest record the log buffer still holds */
	pr_info("moat: console ring at %pa: the kernel log from its first line, for 'moat console' in the root\n",
		&r.start);
	schedule_delayed_work(&pump_work, 0);
	return 0;
}

int moat_incell_init(void)
{
	struct device_node *np;
	struct moat_cell_link ep;
	int err = 0, irq, n = 0;

	for_each_compatible_node(np, NULL, "moat,link-endpoint") {
		if (n == MOAT_CELL_MAX_LINKS) {
			err = BAD(np, "one link endpoint more than the %d a cell may have", MOAT_CELL_MAX_LINKS);
			of_node_put(np);
			break;
		}
		err = endpoint_from_node(np, &ep, &irq);
		if (!err)
			err = moat_link_add(&ep, irq); /* on failure it disposed of irq */
		if (err) {
			of_node_put(np);
			break;
		}
		n++;
	}
	if (!err)
		err = console_ring_init();
	if (err) {
		moat_links_destroy();
		return err;
	}
	pr_info("moat: driver loaded in a moat cell (ABI %u.%u): %d link endpoint(s), console ring %s; no /dev/%s here\n",
		MOAT_ABI_MAJOR, MOAT_ABI_MINOR, n, ring ? "in use" : "none", MOAT_DEVICE_NAME);
	return 0;
}

void moat_incell_exit(void)
{
	cancel_delayed_work_sync(&pump_work);
	if (ring)
		memunmap(ring);
	ring = NULL;
	moat_links_destroy();
}
