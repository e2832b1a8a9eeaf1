// SPDX-License-Identifier: GPL-2.0
/*
 * moat-link endpoints (include/moat/link.h), of the root cell and, with the same code, of a Linux
 * cell (incell.c builds the endpoint from the cell's device tree): one character device per link,
 * /dev/moat-link-NAME (sysfs: /sys/class/misc/moat-link-NAME), with the interface of a UIO
 * device so that UIO habits apply. Debian's kernel builds UIO as a module (CONFIG_UIO=m) that the
 * test initramfs does not carry, and moat.ko must work without other kernel code, so this is a
 * misc device that behaves like one (sysfs: peers, doorbells, and state: each peer's state):
 *
 *  - read() of 4 bytes blocks until the link's doorbell rang since this file last read, then
 *    returns the total number of doorbells (u32), like UIO's interrupt count; poll() says
 *    readable when it has rung. O_NONBLOCK: -EAGAIN.
 *  - write() of 4 bytes: 0 masks the doorbell, 1 unmasks it (UIO's irqcontrol);
 *    MOAT_LINK_WRITE_RING | n rings peer n (one exit, like a store to the register page);
 *    -EINVAL for no such peer, -ENOLINK for one that is not there, -EAGAIN over the
 *    hypervisor's doorbell budget (MOAT_LINK_RING_THROTTLED).
 *  - mmap() with offset N * PAGE_SIZE maps map N (UIO's convention): maps 0..S-1 are the link's
 *    sections (read-only where another peer owns one), map S the doorbell register page
 *    (a store to MOAT_LINK_REG_RING rings a peer from user space, one exit and no system call),
 *    map S+1 the state page (read-only). A mapping larger than its map, at an offset past the
 *    last map, or writable where the peer may only read, is refused (-EINVAL, -EACCES) with a
 *    line in the kernel log naming the map and its size.
 *
 * None of the mapped memory is Linux's (the sections are in the cell pool, the pages are the
 * hypervisor's): the mappings are PFN maps that hold no page reference. When the link goes (the
 * hypervisor is disabled) every mapping is torn down and later faults get SIGBUS; files still
 * open get -ENODEV.
 */
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <moat/cell.h>
#include <moat/link.h>

#include "moat.h"

/* Drivers change a mapping's flags through vm_flags_clear() where the kernel has it (Kbuild
 * probes the headers); before it, vm_flags was written directly. */
static void moat_vma_clear_flags(struct vm_area_struct *vma, unsigned long flags)
{
#ifdef MOAT_HAVE_VM_FLAGS_CLEAR
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

#define MOAT_LINK_WRITE_RING 0x80000000u
#define MOAT_LINK_MAX_FILES 16

struct moat_link {
	struct kref ref;
	struct moat_cell_link ep;
	char devname[48];
	struct miscdevice misc;
	bool registered;
	int irq;
	bool masked;
	void __iomem *regs;       /* the doorbell register page, for write() rings */
	const struct moat_link_state *state; /* the state page (read-only, kept by the hypervisor) */
	atomic_t count;           /* doorbells since the link appeared */
	wait_queue_head_t wait;
	/* Every open file's mapping, to tear user mappings down when the link goes. */
	struct mutex files_lock;
	struct address_space *mappings[MOAT_LINK_MAX_FILES];
	bool dead;
};

struct moat_link_file {
	struct moat_link *link;
	u32 seen;                 /* count at this file's last read */
	int slot;
};

static struct moat_link *links[MOAT_CELL_MAX_LINKS];
static unsigned int num_links;

static void link_release(struct kref *ref)
{
	kfree(container_of(ref, struct moat_link, ref));
}

static irqreturn_t link_doorbell(int irq, void *data)
{
	struct moat_link *l = data;

	atomic_inc(&l->count);
	wake_up_interruptible(&l->wait);
	return IRQ_HANDLED;
}

/* Linux's interrupt number for GIC SPI `intid`: the doorbell SPI is in no device's node. */
static int link_map_spi(u32 intid)
{
	static const struct of_device_id gics[] = {
		{ .compatible = "arm,gic-v3" }, { .compatible = "arm,cortex-a15-gic" },
		{ .compatible = "arm,gic-400" }, { .compatible = "arm,cortex-a9-gic" }, {}
	};
	struct irq_fwspec spec = { .param_count = 3 };
	struct device_node *gic = of_find_matching_node(NULL, gics);
	int irq;

	if (!gic)
		return -ENODEV;
	spec.fwnode = of_node_to_fwnode(gic);
	spec.param[0] = 0;                          /* GIC_SPI */
	spec.param[1] = intid - MOAT_CELL_FIRST_SPI;
	spec.param[2] = IRQ_TYPE_EDGE_RISING;       /* set pending once per ring */
	irq = irq_create_fwspec_mapping(&spec);
	of_node_put(gic);
	return irq > 0 ? irq : -EINVAL;
}

static struct moat_link *file_link(struct file *file)
{
	struct moat_link_file *lf = file->private_data;

	return lf->link->dead ? NULL : lf->link;
}

static int link_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct moat_link *l = container_of(misc, struct moat_link, misc);
	struct moat_link_file *lf;
	int slot;

	lf = kzalloc(sizeof(*lf), GFP_KERNEL);
	if (!lf)
		return -ENOMEM;
	mutex_lock(&l->files_lock);
	for (slot = 0; slot < MOAT_LINK_MAX_FILES && l->mappings[slot]; slot++)
		;
	if (l->dead || slot == MOAT_LINK_MAX_FILES) {
		mutex_unlock(&l->files_lock);
		kfree(lf);
		return l->dead ? -ENODEV : -EMFILE;
	}
	l->mappings[slot] = file->f_mapping;
	kref_get(&l->ref);
	mutex_unlock(&l->files_lock);
	lf->link = l;
	lf->slot = slot;
	lf->seen = atomic_read(&l->count);
	file->private_data = lf;
	return 0;
}

static int link_close(struct inode *inode, struct file *file)
{
	struct moat_link_file *lf = file->private_data;
	struct moat_link *l = lf->link;

	mutex_lock(&l->files_lock);
	l->mappings[lf->slot] = NULL;
	mutex_unlock(&l->files_lock);
	kfree(lf);
	kref_put(&l->ref, link_release);
	return 0;
}

static ssize_t link_read(struct file *file, char __user *buf, size_t len, loff_t *pos)
{
	struct moat_link_file *lf = file->private_data;
	struct moat_link *l = lf->link;
	u32 now;
	int err;

	if (len != sizeof(u32))
		return -EINVAL;
	for (;;) {
		if (l->dead)
			return -ENODEV;
		now = atomic_read(&l->count);
		if (now != lf->seen)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(l->wait, l->dead || atomic_read(&l->count) != lf->seen);
		if (err)
			return err;
	}
	if (copy_to_user(buf, &now, sizeof(now)))
		return -EFAULT;
	lf->seen = now;
	return sizeof(now);
}

static __poll_t link_poll(struct file *file, poll_table *wait)
{
	struct moat_link_file *lf = file->private_data;
	struct moat_link *l = lf->link;

	poll_wait(file, &l->wait, wait);
	if (l->dead)
		return EPOLLERR | EPOLLHUP;
	return atomic_read(&l->count) != lf->seen ? EPOLLIN | EPOLLRDNORM : 0;
}

static ssize_t link_write(struct file *file, const char __user *buf, size_t len, loff_t *pos)
{
	struct moat_link *l = file_link(file);
	u32 v;

	if (!l)
		return -ENODEV;
	if (len != sizeof(u32))
		return -EINVAL;
	if (copy_from_user(&v, buf, sizeof(v)))
		return -EFAULT;
	if (v & MOAT_LINK_WRITE_RING) {
		writel(v & ~MOAT_LINK_WRITE_RING, l->regs + MOAT_LINK_REG_RING);
		/* The hypervisor refuses a ring to no peer or to one that is not there: say so. */
		switch (readl(l->regs + MOAT_LINK_REG_STATUS)) {
		case MOAT_LINK_RING_OK:
			return sizeof(v);
		case MOAT_LINK_RING_NOT_PEER:
			return -EINVAL;
		case MOAT_LINK_RING_THROTTLED:
			return -EAGAIN; /* over the hypervisor's doorbell budget: ring again later */
		default:
			return -ENOLINK;
		}
	}
	if (v > 1)
		return -EINVAL;
	mutex_lock(&l->files_lock);
	if (v && l->masked)
		enable_irq(l->irq);
	else if (!v && !l->masked)
		disable_irq(l->irq);
	l->masked = !v;
	mutex_unlock(&l->files_lock);
	return sizeof(v);
}

static int link_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct moat_link *l = file_link(file);
	unsigned long len = vma->vm_end - vma->vm_start;
	const struct moat_link_section *s;
	unsigned long map;
	phys_addr_t base;
	u64 size;
	bool writable;

	if (!l)
		return -ENODEV;
	map = vma->vm_pgoff;
	if (map < l->ep.num_sections) {
		s = &l->ep.sections[map];
		base = s->ipa; /* where this cell sees it: the root's is the physical address */
		size = s->size;
		writable = s->owner == MOAT_LINK_OWNER_ALL || s->owner == l->ep.self;
		/* Normal cacheable memory (the default), as the peers map it. */
	} else if (map == l->ep.num_sections) {
		base = l->ep.regs_ipa;
		size = PAGE_SIZE;
		writable = true;
		vma->vm_page_prot = pgprot_device(vma->vm_page_prot);
	} else if (map == l->ep.num_sections + 1) {
		base = l->ep.regs_ipa + MOAT_LINK_STATE_OFFSET;
		size = PAGE_SIZE;
		writable = false;
	} else {
		pr_warn_ratelimited("moat: link \"%s\": mmap offset %#lx is past the link's %u maps (map N is at N * %lu)\n",
				    l->ep.name, map << PAGE_SHIFT, l->ep.num_sections + 2, PAGE_SIZE);
		return -EINVAL;
	}
	if (len > size) {
		pr_warn_ratelimited("moat: link \"%s\": mmap of %lu bytes of map %lu, which has %llu: refused\n",
				    l->ep.name, len, map, (unsigned long long)size);
		return -EINVAL;
	}
	if (!writable) {
		if (vma->vm_flags & VM_WRITE) {
			pr_warn_ratelimited("moat: link \"%s\": map %lu is read-only for this peer: writable mmap refused\n",
					    l->ep.name, map);
			return -EACCES;
		}
		moat_vma_clear_flags(vma, VM_MAYWRITE);
	}
	/* remap_pfn_range() marks the mapping VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP. */
	return remap_pfn_range(vma, vma->vm_start, base >> PAGE_SHIFT, len, vma->vm_page_prot);
}

static const struct file_operations link_fops = {
	.owner = THIS_MODULE,
	.open = link_open,
	.release = link_close,
	.read = link_read,
	.write = link_write,
	.poll = link_poll,
	.mmap = link_mmap,
	.llseek = noop_llseek,
};

static ssize_t peers_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct moat_link *l = container_of(dev_get_drvdata(dev), struct moat_link, misc);
	ssize_t n = 0;
	u32 i;

	for (i = 0; i < l->ep.num_peers; i++)
		n += sysfs_emit_at(buf, n, "%s%s", i ? " " : "", l->ep.peers[i]);
	return n + sysfs_emit_at(buf, n, "\n");
}
static DEVICE_ATTR_RO(peers);

static ssize_t doorbells_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct moat_link *l = container_of(dev_get_drvdata(dev), struct moat_link, misc);

	return sysfs_emit(buf, "%u\n", atomic_read(&l->count));
}
static DEVICE_ATTR_RO(doorbells);

/* One line per peer: its name and what the hypervisor says of it. */
static ssize_t state_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	static const char *const names[] = { "down", "up", "failed" };
	struct moat_link *l = container_of(dev_get_drvdata(dev), struct moat_link, misc);
	ssize_t n = 0;
	u32 i, st;

	for (i = 0; i < l->ep.num_peers; i++) {
		st = READ_ONCE(l->state->peer_state[i]);
		n += sysfs_emit_at(buf, n, "%s %s\n", l->ep.peers[i], st < ARRAY_SIZE(names) ? names[st] : "?");
	}
	return n;
}
static DEVICE_ATTR_RO(state);

static struct attribute *link_attrs[] = { &dev_attr_peers.attr, &dev_attr_doorbells.attr, &dev_attr_state.attr,
					  NULL };
ATTRIBUTE_GROUPS(link);

static void link_kill(struct moat_link *l)
{
	int i;

	mutex_lock(&l->files_lock);
	l->dead = true;
	/* No user mapping of the link survives it: a later touch faults (SIGBUS). */
	for (i = 0; i < MOAT_LINK_MAX_FILES; i++)
		if (l->mappings[i])
			unmap_mapping_range(l->mappings[i], 0, 0, 1);
	mutex_unlock(&l->files_lock);
	wake_up_interruptible_all(&l->wait);
	if (l->registered)
		misc_deregister(&l->misc);
	if (l->irq > 0) {
		free_irq(l->irq, l);
		irq_dispose_mapping(l->irq);
	}
	if (l->regs)
		iounmap(l->regs);
	if (l->state)
		memunmap((void *)l->state);
	kref_put(&l->ref, link_release);
}

/* irq: the doorbell's Linux interrupt number if the caller mapped it (a cell: from its tree), or
 * 0 to map the SPI here. */
int moat_link_add(const struct moat_cell_link *ep, int irq)
{
	struct moat_link *l = kzalloc(sizeof(*l), GFP_KERNEL);
	int err;

	if (!l)
		return -ENOMEM;
	kref_init(&l->ref);
	mutex_init(&l->files_lock);
	init_waitqueue_head(&l->wait);
	l->ep = *ep;
	snprintf(l->devname, sizeof(l->devname), "moat-link-%s", ep->name);
	l->regs = ioremap(ep->regs_ipa, PAGE_SIZE);
	l->state = memremap(ep->regs_ipa + MOAT_LINK_STATE_OFFSET, PAGE_SIZE, MEMREMAP_WB);
	l->irq = irq > 0 ? irq : link_map_spi(ep->doorbell_intid);
	err = !l->regs || !l->state ? -ENOMEM : l->irq < 0 ? l->irq : 0;
	if (!err)
		err = request_irq(l->irq, link_doorbell, 0, l->devname, l);
	if (err) {
		if (l->irq > 0)
			irq_dispose_mapping(l->irq);
		l->irq = 0;
		goto fail;
	}
	l->misc.minor = MISC_DYNAMIC_MINOR;
	l->misc.name = l->devname;
	l->misc.fops = &link_fops;
	l->misc.groups = link_groups;
	l->misc.mode = 0600;
	err = misc_register(&l->misc);
	if (err)
		goto fail;
	l->registered = true;
	links[num_links++] = l;
	pr_info("moat: link \"%s\": /dev/%s, peer %u of %u, doorbell INTID %u (irq %d)\n", ep->name,
		l->devname, ep->self, ep->num_peers, ep->doorbell_intid, l->irq);
	return 0;
fail:
	pr_err("moat: link \"%s\": cannot set up its device (error %d)\n", ep->name, err);
	link_kill(l);
	return err;
}

int moat_links_create(const struct moat_cell_desc *root)
{
	u32 i;
	int err;

	for (i = 0; i < root->links.num_links && i < MOAT_CELL_MAX_LINKS; i++) {
		err = moat_link_add(&root->links.link[i], 0);
		if (err) {
			moat_links_destroy();
			return err;
		}
	}
	return 0;
}

void moat_links_destroy(void)
{
	while (num_links)
		link_kill(links[--num_links]);
}
