// SPDX-License-Identifier: GPL-2.0
/*
 * Cells: CPUs leave Linux through CPU hotplug (the hypervisor traps their PSCI CPU_OFF and keeps
 * them), the hypervisor carves the cell out of the root cell, images are copied in page by page,
 * and destroy gives everything back (add_cpu brings the CPUs home).
 */
#include <linux/arm-smccc.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <moat/cell.h>

#include "moat.h"

static struct moat_cell_slot {
	bool used;
	u32 id;
	u32 last_state;     /* as the watcher last saw it (MOAT_CELL_STATE_*) */
	char name[MOAT_NAME_LEN];
	u64 entry;
	u32 flags;          /* MOAT_CELL_FLAG_* of its descriptor */
	unsigned int num_cpus;
	unsigned int cpus[MOAT_MAX_CPUS];
} slots[MOAT_MAX_CELLS];

bool moat_cells_exist(void)
{
	int i;

	for (i = 0; i < MOAT_MAX_CELLS; i++)
		if (slots[i].used)
			return true;
	return false;
}

static struct moat_cell_slot *find_slot(const char *name)
{
	int i;

	for (i = 0; i < MOAT_MAX_CELLS; i++)
		if (slots[i].used && !strncmp(slots[i].name, name, MOAT_NAME_LEN))
			return &slots[i];
	return NULL;
}

static int get_ref(struct moat_file *f, void __user *uarg, struct moat_cell_slot **slot)
{
	struct moat_cell_ref ref;

	if (copy_from_user(&ref, uarg, sizeof(ref)))
		return moat_fail(f, EFAULT, "cell: the argument block is not readable memory");
	ref.name[MOAT_NAME_LEN - 1] = '\0';
	*slot = find_slot(ref.name);
	if (!*slot)
		return moat_fail(f, ENOENT, "no cell named \"%s\" (moat cell list shows the cells)", ref.name);
	return 0;
}

/* A hypercall whose refusal the hypervisor explains in a page of ours. MOAT_HC_PENDING is not a
 * refusal: the caller looks at res->a0. */
static long cell_call(struct moat_file *f, const char *what, unsigned long fn, unsigned long a1,
		      unsigned long a2, unsigned long a3, unsigned long a4, char *errbuf,
		      struct arm_smccc_res *res)
{
	unsigned long a[5] = { a1, a2, a3, a4, 0 };
	int err_arg = MOAT_HC_ERROR_ARG(fn); /* the register (x1..x5) the ABI gives the buffer */

	errbuf[0] = '\0';
	if (err_arg > 0)
		a[err_arg - 1] = virt_to_phys(errbuf);
	arm_smccc_1_1_hvc(fn, a[0], a[1], a[2], a[3], a[4], res);
	if ((long)res->a0 == MOAT_HC_OK || (long)res->a0 == MOAT_HC_PENDING)
		return 0;
	errbuf[MOAT_HC_ERROR_LEN - 1] = '\0';
	return moat_fail(f, (long)res->a0 == MOAT_HC_INVALID ? EINVAL : EPERM, "%s: %s", what,
			 errbuf[0] ? errbuf : "refused by the hypervisor");
}

static int cpu_of_mpidr(u64 mpidr)
{
	int cpu;

	for (cpu = 0; cpu < nr_cpu_ids && cpu < MOAT_MAX_CPUS; cpu++)
		if (moat_hv_cpu_mpidr(cpu) == mpidr)
			return cpu;
	return -1;
}

static void give_back_cpus(struct moat_cell_slot *s)
{
	unsigned int i;
	int err;

	for (i = 0; i < s->num_cpus; i++) {
		err = add_cpu(s->cpus[i]);
		if (err)
			pr_err("moat: CPU %u did not come back online (%d)\n", s->cpus[i], err);
	}
}

int moat_cell_create(struct moat_file *f, void __user *uarg)
{
	struct moat_cell_create_args args;
	struct moat_cell_desc *desc;
	struct moat_cell_slot *s = NULL;
	struct arm_smccc_res res;
	char *errbuf;
	unsigned int i;
	int cpu, err = 0;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return moat_fail(f, EFAULT, "cell create: the argument block is not readable memory");
	if (args.desc_size != sizeof(*desc))
		return moat_fail(f, EINVAL, "cell create: descriptor of %llu bytes, expected %zu (moat-cellc output)",
				 args.desc_size, sizeof(*desc));
	for (i = 0; i < MOAT_MAX_CELLS && !s; i++)
		if (!slots[i].used)
			s = &slots[i];
	if (!s)
		return moat_fail(f, EBUSY, "cell create: all %d cell slots are in use", MOAT_MAX_CELLS);
	/* One page each: the hypervisor reads the descriptor and writes its answer there. */
	desc = moat_alloc_page();
	errbuf = moat_alloc_page();
	if (!desc || !errbuf) {
		err = -ENOMEM;
		goto out;
	}
	if (copy_from_user(desc, u64_to_user_ptr(args.desc), sizeof(*desc))) {
		err = moat_fail(f, EFAULT, "cell create: the descriptor buffer is not readable memory");
		goto out;
	}
	desc->name[MOAT_CELL_NAME_LEN - 1] = '\0';
	if (find_slot(desc->name)) {
		err = moat_fail(f, EEXIST, "a cell named \"%s\" exists already", desc->name);
		goto out;
	}
	if (desc->num_cpus == 0 || desc->num_cpus > MOAT_MAX_CPUS) {
		err = moat_fail(f, EINVAL, "cell \"%s\": %u CPUs is not 1..%u", desc->name, desc->num_cpus,
				MOAT_MAX_CPUS);
		goto out;
	}
	/* Before any CPU leaves Linux: memory Linux uses, or its console, stay Linux's. */
	err = moat_live_check_cell(f, desc);
	if (err)
		goto out;
	memset(s, 0, sizeof(*s));
	for (i = 0; i < desc->num_cpus; i++) {
		cpu = cpu_of_mpidr(desc->cpu_mpidr[i]);
		if (cpu < 0) {
			err = moat_fail(f, EINVAL, "cell \"%s\": no CPU with MPIDR %#llx on this system",
					desc->name, desc->cpu_mpidr[i]);
			goto out_cpus;
		}
		if (cpu_online(cpu)) {
			err = remove_cpu(cpu);
			if (err) {
				err = moat_fail(f, EBUSY,
						"cell \"%s\": CPU %d could not be taken from Linux (error %d); CPU 0 and CPUs with pinned work cannot",
						desc->name, cpu, err);
				goto out_cpus;
			}
		}
		s->cpus[s->num_cpus++] = cpu;
	}
	err = cell_call(f, "cell create", MOAT_HC_CELL_CREATE, virt_to_phys(desc), sizeof(*desc), 0, 0,
			errbuf, &res);
	if (err)
		goto out_cpus;
	s->used = true;
	s->id = res.a1;
	s->entry = desc->entry;
	s->flags = desc->flags;
	strscpy(s->name, desc->name, sizeof(s->name));
	pr_info("moat: cell \"%s\" created (id %u)\n", s->name, s->id);
	if (desc->console.type == MOAT_CELL_CONSOLE_RING && moat_ring_attach(s->id, s->name))
		pr_warn("moat: cell \"%s\": its console ring cannot be drained (no memory or not mapped)\n", s->name);
	s->last_state = MOAT_CELL_STATE_STOPPED;
	moat_cells_watch();
	goto out;

out_cpus:
	give_back_cpus(s);
	memset(s, 0, sizeof(*s));
out:
	moat_free_page(desc);
	moat_free_page(errbuf);
	return err;
}

int moat_cell_load(struct moat_file *f, void __user *uarg)
{
	struct moat_cell_load_args args;
	struct moat_cell_slot *s;
	struct arm_smccc_res res;
	char *page, *errbuf;
	u64 off, addr;
	int err = 0;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return moat_fail(f, EFAULT, "cell load: the argument block is not readable memory");
	args.name[MOAT_NAME_LEN - 1] = '\0';
	s = find_slot(args.name);
	if (!s)
		return moat_fail(f, ENOENT, "no cell named \"%s\"", args.name);
	if (!args.image_size)
		return moat_fail(f, EINVAL, "cell load: the image is empty");
	addr = args.address ? args.address : s->entry;
	page = moat_alloc_page();
	errbuf = moat_alloc_page();
	if (!page || !errbuf) {
		err = -ENOMEM;
		goto out;
	}
	for (off = 0; off < args.image_size && !err; off += PAGE_SIZE) {
		size_t n = min_t(u64, PAGE_SIZE, args.image_size - off);

		if (copy_from_user(page, u64_to_user_ptr(args.image + off), n)) {
			err = moat_fail(f, EFAULT, "cell load: the image buffer is not readable memory");
			break;
		}
		err = cell_call(f, "cell load", MOAT_HC_CELL_LOAD, s->id, virt_to_phys(page), addr + off, n,
				errbuf, &res);
	}
	if (!err)
		pr_info("moat: %llu bytes loaded into cell \"%s\" at %#llx\n", args.image_size, s->name, addr);
out:
	moat_free_page(page);
	moat_free_page(errbuf);
	return err;
}

static int cell_state(struct moat_cell_slot *s, u32 *state, u32 *cpus_on)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(MOAT_HC_CELL_STATE, s->id, &res);
	if ((long)res.a0 != MOAT_HC_OK)
		return -EINVAL;
	*state = res.a1;
	*cpus_on = hweight32(res.a3);
	return 0;
}

/*
 * Wait until the cell is not running and none of its CPUs is on, on its way or powering off:
 * up to a second after the last CPU was seen to go.
 */
static int wait_cpus_off(struct moat_file *f, struct moat_cell_slot *s)
{
	u32 state, on, last_on = ~0u;
	int i;

	for (i = 0; i < 1000; i++) {
		if (cell_state(s, &state, &on) || (state != MOAT_CELL_STATE_RUNNING && !on))
			return 0;
		if (on < last_on)
			i = 0;
		last_on = on;
		usleep_range(1000, 2000);
	}
	return moat_fail(f, ETIMEDOUT, "cell \"%s\": %u CPUs did not stop within a second", s->name, on);
}

/*
 * Stop the cell: a cooperative cell is asked and given timeout_ms to answer (the hypervisor says
 * PENDING until it has); then wait (up to a second) until its CPUs are off.
 */
static int stop_cell(struct moat_file *f, struct moat_cell_slot *s, u32 flags, u32 timeout_ms, char *errbuf)
{
	unsigned long hv_flags = (flags & MOAT_STOP_FORCE) ? MOAT_SHUTDOWN_FORCE : 0;
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct arm_smccc_res res;
	bool asked = false;
	int err;

	for (;;) {
		err = cell_call(f, "cell shutdown", MOAT_HC_CELL_SHUTDOWN, s->id, hv_flags, 0, 0, errbuf, &res);
		if (err)
			return err;
		if ((long)res.a0 != MOAT_HC_PENDING)
			break;
		if (!asked)
			pr_info("moat: cell \"%s\" asked to shut down; waiting up to %u ms for its answer\n",
				s->name, timeout_ms);
		asked = true;
		if (time_after(jiffies, deadline))
			return moat_fail(f, ETIMEDOUT,
					 "cell \"%s\" did not answer the shutdown request within %u ms; ask again with a longer --timeout, or add --force to stop it anyway",
					 s->name, timeout_ms);
		if (msleep_interruptible(10))
			return moat_fail(f, EINTR, "cell \"%s\": interrupted while waiting for its answer to the shutdown request",
					 s->name);
	}
	/*
	 * The CPUs stop by themselves now (a CPU on its way parks when it arrives; the hypervisor
	 * counts each until the firmware has it off). Bounded by progress, not by the clock alone:
	 * the wait goes on while the number of CPUs left keeps falling.
	 */
	return wait_cpus_off(f, s);
}

static int get_stop_args(struct moat_file *f, void __user *uarg, struct moat_cell_slot **slot, u32 *flags,
			 u32 *timeout_ms)
{
	struct moat_cell_stop_args a;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return moat_fail(f, EFAULT, "cell: the argument block is not readable memory");
	a.name[MOAT_NAME_LEN - 1] = '\0';
	if (a.flags & ~MOAT_STOP_FLAGS_KNOWN)
		return moat_fail(f, EINVAL, "cell \"%s\": unknown stop flags %#x (the moat tool and moat.ko differ?)",
				 a.name, a.flags);
	if (a.timeout_ms > MOAT_STOP_TIMEOUT_MAX_MS)
		return moat_fail(f, EINVAL, "cell \"%s\": timeout %u ms is more than the %u ms allowed", a.name,
				 a.timeout_ms, MOAT_STOP_TIMEOUT_MAX_MS);
	*slot = find_slot(a.name);
	if (!*slot)
		return moat_fail(f, ENOENT, "no cell named \"%s\" (moat cell list shows the cells)", a.name);
	*flags = a.flags;
	*timeout_ms = a.timeout_ms ? a.timeout_ms : MOAT_STOP_TIMEOUT_MS;
	return 0;
}

/* Stop the cell, destroy it (asking again while its CPUs are still on their way off) and give
 * its CPUs back to Linux. */
static int destroy_cell(struct moat_file *f, struct moat_cell_slot *s, u32 flags, u32 timeout_ms,
			char *errbuf)
{
	struct arm_smccc_res res;
	int err = stop_cell(f, s, flags, timeout_ms, errbuf);

	/* What it printed up to its stop, before the hypervisor zeroes its ring. */
	if (!err)
		moat_ring_drain(s->id);
	/* PENDING: a CPU of the cell is still stopping; it gets there by itself. */
	while (!err) {
		err = cell_call(f, "cell destroy", MOAT_HC_CELL_DESTROY, s->id, 0, 0, 0, errbuf, &res);
		if (err || (long)res.a0 != MOAT_HC_PENDING)
			break;
		err = wait_cpus_off(f, s);
	}
	if (err)
		return err;
	give_back_cpus(s);
	moat_ring_detach(s->id);
	pr_info("moat: cell \"%s\" destroyed\n", s->name);
	memset(s, 0, sizeof(*s));
	return 0;
}

int moat_cell_simple(struct moat_file *f, unsigned int cmd, void __user *uarg)
{
	struct moat_cell_slot *s;
	struct arm_smccc_res res;
	u32 flags = 0, timeout_ms = 0;
	char *errbuf;
	int err = cmd == MOAT_CELL_START ? get_ref(f, uarg, &s) : get_stop_args(f, uarg, &s, &flags, &timeout_ms);

	if (err)
		return err;
	errbuf = moat_alloc_page();
	if (!errbuf)
		return -ENOMEM;
	switch (cmd) {
	case MOAT_CELL_START:
		err = cell_call(f, "cell start", MOAT_HC_CELL_START, s->id, 0, 0, 0, errbuf, &res);
		break;
	case MOAT_CELL_SHUTDOWN:
		err = stop_cell(f, s, flags, timeout_ms, errbuf);
		break;
	default: /* MOAT_CELL_DESTROY */
		err = destroy_cell(f, s, flags, timeout_ms, errbuf);
		break;
	}
	moat_free_page(errbuf);
	return err;
}

static void fill_status(struct moat_cell_slot *s, struct moat_cell_status *st)
{
	unsigned int j;

	memset(st, 0, sizeof(*st));
	strscpy(st->name, s->name, sizeof(st->name));
	st->id = s->id;
	st->num_cpus = s->num_cpus;
	st->flags = s->flags;
	for (j = 0; j < s->num_cpus; j++)
		st->linux_cpu[j] = s->cpus[j];
	cell_state(s, &st->state, &st->cpus_on);
}

/*
 * The root is told when a cell ends on its own: failed (the hypervisor parked it) or powered
 * itself off. A cell changes state on its own CPUs without telling Linux, so while cells exist
 * this looks twice a second (one hypercall per cell), logs the change and wakes whoever polls
 * /sys/devices/moat/cells/NAME/state.
 */
#define MOAT_WATCH_PERIOD_MS 500
static void watch_cells(struct work_struct *work);
static DECLARE_DELAYED_WORK(watch_work, watch_cells);

static void watch_cells(struct work_struct *work)
{
	char changed[MOAT_MAX_CELLS][MOAT_NAME_LEN];
	unsigned int i, n = 0;
	bool again;
	u32 state, on;

	mutex_lock(&moat_lock);
	again = moat_hv_enabled() && moat_cells_exist();
	for (i = 0; again && i < MOAT_MAX_CELLS; i++) {
		struct moat_cell_slot *s = &slots[i];

		if (s->used)
			moat_ring_drain(s->id);
		if (!s->used || cell_state(s, &state, &on) || state == s->last_state)
			continue;
		if (state == MOAT_CELL_STATE_FAILED)
			pr_warn("moat: cell \"%s\" failed: its CPUs are parked; 'moat console' says why, 'moat cell destroy %s' gives them back\n",
				s->name, s->name);
		else if (state == MOAT_CELL_STATE_SHUT_DOWN && s->last_state == MOAT_CELL_STATE_RUNNING)
			pr_info("moat: cell \"%s\" shut down\n", s->name);
		s->last_state = state;
		strscpy(changed[n++], s->name, MOAT_NAME_LEN);
	}
	mutex_unlock(&moat_lock);
	for (i = 0; i < n; i++)
		moat_sysfs_cell_changed(changed[i]);
	if (again)
		schedule_delayed_work(&watch_work, msecs_to_jiffies(MOAT_WATCH_PERIOD_MS));
}

void moat_cells_watch(void)
{
	schedule_delayed_work(&watch_work, msecs_to_jiffies(MOAT_WATCH_PERIOD_MS));
}

void moat_cells_unwatch(void)
{
	cancel_delayed_work_sync(&watch_work);
}

bool moat_cell_status(const char *name, struct moat_cell_status *st)
{
	struct moat_cell_slot *s = find_slot(name);

	if (s)
		fill_status(s, st);
	return s;
}

unsigned int moat_cell_names(char names[MOAT_MAX_CELLS][MOAT_NAME_LEN])
{
	unsigned int i, n = 0;

	for (i = 0; i < MOAT_MAX_CELLS; i++)
		if (slots[i].used)
			strscpy(names[n++], slots[i].name, MOAT_NAME_LEN);
	return n;
}

int moat_cell_list(struct moat_file *f, void __user *uarg)
{
	struct moat_cell_list *list = moat_zalloc(sizeof(*list));
	unsigned int i;
	int err = 0;

	if (!list)
		return -ENOMEM;
	for (i = 0; i < MOAT_MAX_CELLS; i++)
		if (slots[i].used)
			fill_status(&slots[i], &list->cells[list->count++]);
	if (copy_to_user(uarg, list, sizeof(*list)))
		err = moat_fail(f, EFAULT, "cell list: the result buffer is not writable memory");
	moat_free(list);
	return err;
}
