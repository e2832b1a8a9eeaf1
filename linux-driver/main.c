// SPDX-License-Identifier: GPL-2.0
/*
 * moat.ko: the root cell's side of the moat hypervisor. /dev/moat takes the requests of the moat
 * tool; hv.c does the work at EL2's door.
 */
#include <linux/firmware.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <moat/cell.h>

#include "moat.h"

DEFINE_MUTEX(moat_lock);
static atomic64_t allocations = ATOMIC64_INIT(0);

void *moat_alloc_page(void)
{
	void *p = (void *)get_zeroed_page(GFP_KERNEL);

	if (p)
		atomic64_inc(&allocations);
	return p;
}

void moat_free_page(void *page)
{
	if (!page)
		return;
	free_page((unsigned long)page);
	atomic64_dec(&allocations);
}

void *moat_zalloc(size_t size)
{
	void *p = kvzalloc(size, GFP_KERNEL);

	if (p)
		atomic64_inc(&allocations);
	return p;
}

void moat_free(const void *p)
{
	if (!p)
		return;
	kvfree(p);
	atomic64_dec(&allocations);
}

u64 moat_allocations(void)
{
	return atomic64_read(&allocations);
}
static struct miscdevice moat_misc;

int moat_fail(struct moat_file *f, int errno_value, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->error, sizeof(f->error), fmt, ap);
	va_end(ap);
	pr_info_ratelimited("moat: %s\n", f->error);  /* a user error: no console flood */
	return -errno_value;
}

static int moat_open(struct inode *inode, struct file *file)
{
	struct moat_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	file->private_data = f;
	return 0;
}

static int moat_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static int moat_ioctl_enable(struct moat_file *f, void __user *uarg)
{
	struct moat_enable_args args;
	const struct firmware *fw = NULL;
	phys_addr_t base;
	resource_size_t size;
	void *image = NULL;
	void *desc;
	int err;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return moat_fail(f, EFAULT, "enable: the argument block is not readable memory");
	if (moat_hv_enabled())
		return moat_fail(f, EBUSY, "the hypervisor is already enabled; run 'moat disable' first");
	if (!moat_hv_memory(f, &base, &size))
		return -ENODEV;
	if (!args.config || args.config_size != sizeof(struct moat_cell_desc))
		return moat_fail(f, EINVAL,
				 "enable needs the root cell descriptor (moat enable root.cell): got %llu bytes, expected %zu",
				 (unsigned long long)args.config_size, sizeof(struct moat_cell_desc));
	desc = kmalloc(sizeof(struct moat_cell_desc), GFP_KERNEL);
	if (!desc)
		return -ENOMEM;
	if (copy_from_user(desc, u64_to_user_ptr(args.config), args.config_size)) {
		kfree(desc);
		return moat_fail(f, EFAULT, "enable: the root cell descriptor buffer is not readable memory");
	}

	if (args.image) {
		if (args.image_size == 0 || args.image_size > size) {
			kfree(desc);
			return moat_fail(f, EINVAL,
					 "enable: image of %llu bytes does not fit the %llu bytes reserved for the hypervisor",
					 (unsigned long long)args.image_size, (unsigned long long)size);
		}
		image = vmalloc(args.image_size);
		if (!image) {
			kfree(desc);
			return moat_fail(f, ENOMEM, "enable: no memory for a %llu-byte image copy",
					 (unsigned long long)args.image_size);
		}
		if (copy_from_user(image, u64_to_user_ptr(args.image), args.image_size))
			err = moat_fail(f, EFAULT, "enable: the image buffer is not readable memory");
		else
			err = moat_hv_enable(f, image, args.image_size, desc, args.config_size);
		vfree(image);
		kfree(desc);
		return err;
	}

	err = request_firmware(&fw, MOAT_FIRMWARE_NAME, moat_misc.this_device);
	if (err) {
		kfree(desc);
		return moat_fail(f, -err,
				 "enable: cannot load /lib/firmware/%s (error %d); install moat-hv.bin there or pass --image",
				 MOAT_FIRMWARE_NAME, err);
	}
	err = moat_hv_enable(f, fw->data, fw->size, desc, args.config_size);
	release_firmware(fw);
	kfree(desc);
	return err;
}

static long moat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct moat_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct moat_info info;
	struct moat_stats *stats;
	long ret;

	if (cmd == MOAT_LAST_ERROR)
		return copy_to_user(uarg, f->error, sizeof(f->error)) ? -EFAULT : 0;

	if (!capable(CAP_SYS_ADMIN))
		return moat_fail(f, EPERM, "only root (CAP_SYS_ADMIN) may control the hypervisor");

	mutex_lock(&moat_lock);
	f->error[0] = '\0';
	switch (cmd) {
	case MOAT_ENABLE:
		ret = moat_ioctl_enable(f, uarg);
		break;
	case MOAT_DISABLE:
		ret = moat_hv_enabled() ? moat_hv_disable(f) :
			moat_fail(f, EINVAL, "the hypervisor is not enabled; nothing to disable");
		break;
	case MOAT_INFO:
		moat_hv_info(&info);
		ret = copy_to_user(uarg, &info, sizeof(info)) ?
			moat_fail(f, EFAULT, "info: the result buffer is not writable memory") : 0;
		break;
	case MOAT_CELL_CREATE:
	case MOAT_CELL_LOAD:
	case MOAT_CELL_START:
	case MOAT_CELL_SHUTDOWN:
	case MOAT_CELL_DESTROY:
	case MOAT_CELL_LIST:
		if (!moat_hv_enabled()) {
			ret = moat_fail(f, EINVAL, "the hypervisor is not enabled: run 'moat enable root.cell' first");
			break;
		}
		if (cmd == MOAT_CELL_CREATE)
			ret = moat_cell_create(f, uarg);
		else if (cmd == MOAT_CELL_LOAD)
			ret = moat_cell_load(f, uarg);
		else if (cmd == MOAT_CELL_LIST)
			ret = moat_cell_list(f, uarg);
		else
			ret = moat_cell_simple(f, cmd, uarg);
		break;
	case MOAT_CONSOLE:
		ret = moat_hv_enabled() ? moat_hv_console(f, uarg) :
			moat_fail(f, EINVAL, "the hypervisor is not enabled: no console to read");
		break;
	case MOAT_CELL_CONSOLE:
		ret = moat_hv_enabled() ? moat_rings_console(f, uarg) :
			moat_fail(f, EINVAL, "the hypervisor is not enabled: no cell console to read");
		break;
	case MOAT_STATS:
		if (!moat_hv_enabled()) {
			ret = moat_fail(f, EINVAL, "the hypervisor is not enabled: no statistics (run 'moat enable')");
			break;
		}
		stats = moat_zalloc(sizeof(*stats));
		if (!stats) {
			ret = -ENOMEM;
			break;
		}
		moat_hv_stats(stats);
		ret = copy_to_user(uarg, stats, sizeof(*stats)) ?
			moat_fail(f, EFAULT, "stats: the result buffer is not writable memory") : 0;
		moat_free(stats);
		break;
	default:
		ret = moat_fail(f, ENOTTY,
				"unknown request %#x: the moat tool and moat.ko come from different builds (driver ABI %u.%u)",
				cmd, MOAT_ABI_MAJOR, MOAT_ABI_MINOR);
		break;
	}
	mutex_unlock(&moat_lock);
	if (cmd == MOAT_ENABLE || cmd == MOAT_DISABLE || cmd == MOAT_CELL_CREATE || cmd == MOAT_CELL_DESTROY)
		moat_sysfs_sync();
	return ret;
}

static const struct file_operations moat_fops = {
	.owner = THIS_MODULE,
	.open = moat_open,
	.release = moat_release,
	.unlocked_ioctl = moat_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice moat_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = MOAT_DEVICE_NAME,
	.fops = &moat_fops,
	.mode = 0600,
};

static bool in_cell;

static int __init moat_init(void)
{
	int err;

	/* In a Linux cell (its tree says so): link endpoints and the console ring only (incell.c). */
	in_cell = moat_incell();
	if (in_cell)
		return moat_incell_init();
	err = moat_sysfs_init();
	if (err)
		return err;
	err = misc_register(&moat_misc);
	if (err) {
		moat_sysfs_exit();
		return err;
	}
	pr_info("moat: driver loaded, ABI %u.%u, /dev/%s ready\n", MOAT_ABI_MAJOR, MOAT_ABI_MINOR,
		MOAT_DEVICE_NAME);
	return 0;
}

static void __exit moat_exit(void)
{
	if (in_cell) {
		moat_incell_exit();
		pr_info("moat: driver unloaded\n");
		return;
	}
	/* The driver pins itself while the hypervisor runs, so this only runs when disabled. */
	misc_deregister(&moat_misc);
	moat_cells_unwatch();
	moat_sysfs_exit();
	pr_info("moat: driver unloaded\n");
}

module_init(moat_init);
module_exit(moat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("moat partitioning hypervisor: root cell driver");
