// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/devices/moat: the hypervisor's state for scripts and monitoring, one value per file.
 *
 *   enabled, memory_size, memory_used, enable_count
 *   cpus/cpuN/<reason>           exits of Linux CPU N by reason (MOAT_EXIT_REASON_NAMES), while enabled
 *   cells/NAME/{id,state,cpus}   each cell, while it exists
 *   cells/NAME/<reason>          exits of its CPUs since it was last started
 *
 * Reading a value takes moat_lock like any request. The directories follow the state after each
 * request (moat_sysfs_sync), outside moat_lock: removing a directory waits for its readers, who
 * may be waiting for moat_lock.
 */
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <moat/cell.h>

#include "moat.h"

static const char *const exit_names[MOAT_EXIT_REASONS] = MOAT_EXIT_REASON_NAMES;

static struct device *moat_dev;
/* The directories below. Lock order: sysfs_lock, then moat_lock (only in moat_sysfs_sync). */
static DEFINE_MUTEX(sysfs_lock);
static struct kobject *cpus_dir, *cells_dir;
static struct kobject *cpu_dirs[MOAT_MAX_CPUS];
static struct kobject *cell_dirs[MOAT_MAX_CELLS];

static const char *state_name(u32 state)
{
	static const char *const names[MOAT_CELL_STATES] = MOAT_CELL_STATE_NAMES;

	return state != MOAT_CELL_STATE_FREE && state < MOAT_CELL_STATES ? names[state] : "unknown";
}

/* Top level: the device's own attributes. */
static ssize_t info_show(char *buf, int which)
{
	struct moat_info info;
	u64 v;

	mutex_lock(&moat_lock);
	moat_hv_info(&info);
	mutex_unlock(&moat_lock);
	switch (which) {
	case 0: v = info.enabled; break;
	case 1: v = info.mem_size; break;
	case 2: v = info.mem_used; break;
	default: v = info.enable_count; break;
	}
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t enabled_show(struct device *d, struct device_attribute *a, char *buf) { return info_show(buf, 0); }
static ssize_t memory_size_show(struct device *d, struct device_attribute *a, char *buf) { return info_show(buf, 1); }
static ssize_t memory_used_show(struct device *d, struct device_attribute *a, char *buf) { return info_show(buf, 2); }
static ssize_t enable_count_show(struct device *d, struct device_attribute *a, char *buf) { return info_show(buf, 3); }
static DEVICE_ATTR_RO(enabled);
static DEVICE_ATTR_RO(memory_size);
static DEVICE_ATTR_RO(memory_used);
static DEVICE_ATTR_RO(enable_count);

static struct attribute *moat_attrs[] = {
	&dev_attr_enabled.attr, &dev_attr_memory_size.attr, &dev_attr_memory_used.attr,
	&dev_attr_enable_count.attr, NULL,
};
static const struct attribute_group moat_group = { .attrs = moat_attrs };

/* One attribute per exit reason, shared by every CPU and cell directory. */
struct exit_attr {
	struct kobj_attribute kattr;
	unsigned int reason;
};

static ssize_t cpu_exit_show(struct kobject *kobj, struct kobj_attribute *a, char *buf);
static ssize_t cell_exit_show(struct kobject *kobj, struct kobj_attribute *a, char *buf);

static struct exit_attr cpu_exit_attrs[MOAT_EXIT_REASONS];
static struct exit_attr cell_exit_attrs[MOAT_EXIT_REASONS];
static struct attribute *cpu_attrs[MOAT_EXIT_REASONS + 1];
static struct attribute *cell_stat_attrs[MOAT_EXIT_REASONS + 4];

static ssize_t cpu_exit_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	const struct exit_attr *e = container_of(a, struct exit_attr, kattr);
	unsigned int cpu;
	u64 v = 0;

	if (kstrtouint(kobject_name(kobj) + 3, 10, &cpu))
		return -EINVAL;
	mutex_lock(&moat_lock);
	if (moat_hv_enabled())
		v = moat_hv_stat(cpu, e->reason);
	mutex_unlock(&moat_lock);
	return sysfs_emit(buf, "%llu\n", v);
}

/* The cell of a directory, by its name; -ENODEV once it is gone. Called with moat_lock held. */
static int cell_of(struct kobject *kobj, struct moat_cell_status *st)
{
	return moat_cell_status(kobject_name(kobj), st) ? 0 : -ENODEV;
}

static ssize_t cell_exit_show(struct kobject *kobj, struct kobj_attribute *a, char *buf)
{
	const struct exit_attr *e = container_of(a, struct exit_attr, kattr);
	struct moat_cell_status st;
	unsigned int i;
	u64 v = 0;
	int err;

	mutex_lock(&moat_lock);
	err = cell_of(kobj, &st);
	for (i = 0; !err && i < st.num_cpus; i++)
		v += moat_hv_stat(st.linux_cpu[i], e->reason);
	mutex_unlock(&moat_lock);
	return err ? err : sysfs_emit(buf, "%llu\n", v);
}

static ssize_t cell_field_show(struct kobject *kobj, char *buf, int which)
{
	struct moat_cell_status st;
	unsigned int i;
	ssize_t n = 0;
	int err;

	mutex_lock(&moat_lock);
	err = cell_of(kobj, &st);
	mutex_unlock(&moat_lock);
	if (err)
		return err;
	if (which == 0)
		return sysfs_emit(buf, "%u\n", st.id);
	if (which == 1)
		return sysfs_emit(buf, "%s\n", state_name(st.state));
	for (i = 0; i < st.num_cpus; i++)
		n += sysfs_emit_at(buf, n, "%s%u", i ? "," : "", st.linux_cpu[i]);
	return n + sysfs_emit_at(buf, n, "\n");
}

static ssize_t id_show(struct kobject *k, struct kobj_attribute *a, char *buf) { return cell_field_show(k, buf, 0); }
static ssize_t state_show(struct kobject *k, struct kobj_attribute *a, char *buf) { return cell_field_show(k, buf, 1); }
static ssize_t cpus_show(struct kobject *k, struct kobj_attribute *a, char *buf) { return cell_field_show(k, buf, 2); }
static struct kobj_attribute cell_id_attr = __ATTR_RO(id);
static struct kobj_attribute cell_state_attr = __ATTR_RO(state);
static struct kobj_attribute cell_cpus_attr = __ATTR_RO(cpus);

static const struct attribute_group cpu_group = { .attrs = cpu_attrs };
static const struct attribute_group cell_group = { .attrs = cell_stat_attrs };

static void init_exit_attrs(void)
{
	unsigned int r;

	for (r = 0; r < MOAT_EXIT_REASONS; r++) {
		cpu_exit_attrs[r].reason = r;
		sysfs_attr_init(&cpu_exit_attrs[r].kattr.attr);
		cpu_exit_attrs[r].kattr.attr.name = exit_names[r];
		cpu_exit_attrs[r].kattr.attr.mode = 0444;
		cpu_exit_attrs[r].kattr.show = cpu_exit_show;
		cpu_attrs[r] = &cpu_exit_attrs[r].kattr.attr;

		cell_exit_attrs[r] = cpu_exit_attrs[r];
		cell_exit_attrs[r].kattr.show = cell_exit_show;
		cell_stat_attrs[r] = &cell_exit_attrs[r].kattr.attr;
	}
	cell_stat_attrs[r++] = &cell_id_attr.attr;
	cell_stat_attrs[r++] = &cell_state_attr.attr;
	cell_stat_attrs[r++] = &cell_cpus_attr.attr;
}

static void put_dir(struct kobject **k)
{
	kobject_put(*k); /* NULL is fine; removes the directory and its files */
	*k = NULL;
}

static struct kobject *add_dir(const char *name, struct kobject *parent, const struct attribute_group *g)
{
	struct kobject *k = kobject_create_and_add(name, parent);

	if (k && g && sysfs_create_group(k, g)) {
		kobject_put(k);
		return NULL;
	}
	if (!k)
		pr_warn_ratelimited("moat: cannot create /sys/devices/moat/.../%s\n", name);
	return k;
}

static void remove_all(void)
{
	unsigned int i;

	for (i = 0; i < MOAT_MAX_CELLS; i++)
		put_dir(&cell_dirs[i]);
	for (i = 0; i < MOAT_MAX_CPUS; i++)
		put_dir(&cpu_dirs[i]);
	put_dir(&cells_dir);
	put_dir(&cpus_dir);
}

void moat_sysfs_sync(void)
{
	char names[MOAT_MAX_CELLS][MOAT_NAME_LEN];
	bool enabled, keep[MOAT_MAX_CELLS] = { false };
	unsigned int i, j, count, cpus;

	if (!moat_dev)
		return;
	mutex_lock(&sysfs_lock);
	mutex_lock(&moat_lock);
	enabled = moat_hv_enabled();
	count = enabled ? moat_cell_names(names) : 0;
	mutex_unlock(&moat_lock);

	if (!enabled) {
		remove_all();
		goto out;
	}
	if (!cpus_dir) {
		char name[16];

		cpus_dir = add_dir("cpus", &moat_dev->kobj, NULL);
		cells_dir = add_dir("cells", &moat_dev->kobj, NULL);
		cpus = min_t(unsigned int, nr_cpu_ids, MOAT_MAX_CPUS);
		for (i = 0; cpus_dir && i < cpus; i++) {
			snprintf(name, sizeof(name), "cpu%u", i);
			cpu_dirs[i] = add_dir(name, cpus_dir, &cpu_group);
		}
	}
	if (!cells_dir)
		goto out;
	/* Cells that are gone lose their directory; new ones get one. */
	for (i = 0; i < MOAT_MAX_CELLS; i++) {
		if (!cell_dirs[i])
			continue;
		for (j = 0; j < count && strcmp(kobject_name(cell_dirs[i]), names[j]); j++)
			;
		if (j < count)
			keep[j] = true;
		else
			put_dir(&cell_dirs[i]);
	}
	for (j = 0; j < count; j++) {
		if (keep[j])
			continue;
		for (i = 0; i < MOAT_MAX_CELLS && cell_dirs[i]; i++)
			;
		if (i < MOAT_MAX_CELLS)
			cell_dirs[i] = add_dir(names[j], cells_dir, &cell_group);
	}
out:
	mutex_unlock(&sysfs_lock);
}

void moat_sysfs_cell_changed(const char *name)
{
	unsigned int i;

	mutex_lock(&sysfs_lock);
	for (i = 0; i < MOAT_MAX_CELLS; i++)
		if (cell_dirs[i] && !strcmp(kobject_name(cell_dirs[i]), name))
			sysfs_notify(cell_dirs[i], NULL, "state");
	mutex_unlock(&sysfs_lock);
}

int moat_sysfs_init(void)
{
	int err;

	init_exit_attrs();
	moat_dev = root_device_register("moat");
	if (IS_ERR(moat_dev)) {
		err = PTR_ERR(moat_dev);
		moat_dev = NULL;
		return err;
	}
	err = sysfs_create_group(&moat_dev->kobj, &moat_group);
	if (err) {
		root_device_unregister(moat_dev);
		moat_dev = NULL;
	}
	return err;
}

void moat_sysfs_exit(void)
{
	if (!moat_dev)
		return;
	mutex_lock(&sysfs_lock);
	remove_all();
	mutex_unlock(&sysfs_lock);
	sysfs_remove_group(&moat_dev->kobj, &moat_group);
	root_device_unregister(moat_dev);
	moat_dev = NULL;
}
