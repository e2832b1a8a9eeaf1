// SPDX-License-Identifier: GPL-2.0
/*
 * The cells' console rings (include/moat/cell_ring.h): a cell whose overlay says
 * console = "ring" prints into a page of the hypervisor's with plain stores, no exit. The
 * hypervisor maps every slot's page read-only in the root; this drains them twice a second (the
 * cell watcher, cell.c), before a cell is destroyed and when `moat console` asks: each line goes
 * to the kernel log as "moat: [name] text" and into a log of drained lines that MOAT_CELL_CONSOLE
 * copies out. The reader in cell_ring.h trusts nothing in the page: the cell can make a drain
 * emit at most MOAT_CELL_RING_MAX_LINES printable lines, never read outside its page.
 */
#include <linux/arm-smccc.h>
#include <linux/io.h>
#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <moat/cell_ring.h>

#include "moat.h"

static struct moat_cell_ring *rings;  /* MOAT_MAX_CELLS pages, read-only, by cell id */
static struct moat_cell_ring_reader *readers[MOAT_MAX_CELLS];
static char reader_names[MOAT_MAX_CELLS][MOAT_NAME_LEN];
/* Every drained line, "[name] text\r\n"; static, so "driver allocations" counts only requests'. */
static struct moat_console_ring drained_log;
static struct moat_console_ring *const drained = &drained_log;

int moat_rings_map(void)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(MOAT_HC_CONSOLE_INFO, &res);
	if ((long)res.a0 != MOAT_HC_OK || !res.a3)
		return -EIO;
	rings = memremap(res.a3, MOAT_MAX_CELLS * sizeof(*rings), MEMREMAP_WB);
	memset(drained, 0, sizeof(*drained));
	return rings ? 0 : -ENOMEM;
}

void moat_rings_unmap(void)
{
	unsigned int i;

	for (i = 0; i < MOAT_MAX_CELLS; i++)
		moat_ring_detach(i);
	if (rings)
		memunmap(rings);
	rings = NULL;
}

int moat_ring_attach(u32 id, const char *name)
{
	if (id >= MOAT_MAX_CELLS || !rings)
		return -EINVAL;
	moat_ring_detach(id);
	readers[id] = moat_zalloc(sizeof(*readers[id]));
	if (!readers[id])
		return -ENOMEM;
	strscpy(reader_names[id], name, MOAT_NAME_LEN);
	return 0;
}

void moat_ring_detach(u32 id)
{
	if (id >= MOAT_MAX_CELLS)
		return;
	moat_free(readers[id]);
	readers[id] = NULL;
}

static void drained_put(char c)
{
	drained->buf[drained->written % sizeof(drained->buf)] = c;
	drained->written++;
}

/* The cells' lines go to the kernel log too, but at most 20 in 5 s for all cells together: a
 * cell writing its ring at full rate (64 lines of 199 characters a drain) would otherwise rotate
 * the root's log and keep the drain, which holds moat_lock, printing to a slow serial console
 * (attack review). `moat console` has every line. */
static DEFINE_RATELIMIT_STATE(cell_lines_to_log, 5 * HZ, 20);

static void emit_line(void *ctx, const char *line)
{
	const char *name = ctx;

	if (__ratelimit(&cell_lines_to_log))
		pr_info("moat: [%s] %s\n", name, line);
	drained_put('[');
	for (; *name; name++)
		drained_put(*name);
	drained_put(']');
	drained_put(' ');
	for (; *line; line++)
		drained_put(*line);
	drained_put('\r');
	drained_put('\n');
}

void moat_ring_drain(u32 id)
{
	struct moat_cell_ring_drained d;

	if (id >= MOAT_MAX_CELLS || !readers[id] || !rings)
		return;
	d = moat_cell_ring_drain(&rings[id], readers[id], emit_line, reader_names[id]);
	if (d.dropped)
		pr_warn_ratelimited("moat: cell \"%s\": %llu bytes of its console ring dropped (written faster than drained, more than %u lines at once, or a garbled ring)\n",
			reader_names[id], d.dropped, MOAT_CELL_RING_MAX_LINES);
}

void moat_rings_drain_all(void)
{
	unsigned int i;

	for (i = 0; i < MOAT_MAX_CELLS; i++)
		moat_ring_drain(i);
}

int moat_rings_console(struct moat_file *f, void __user *uarg)
{
	struct moat_console_args args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return moat_fail(f, EFAULT, "cell console: the argument block is not readable memory");
	if (args.size != sizeof(*drained))
		return moat_fail(f, EINVAL, "cell console: buffer of %llu bytes, expected %zu", args.size,
				 sizeof(*drained));
	moat_rings_drain_all();
	if (copy_to_user(u64_to_user_ptr(args.buf), drained, sizeof(*drained)))
		return moat_fail(f, EFAULT, "cell console: the result buffer is not writable memory");
	return 0;
}
