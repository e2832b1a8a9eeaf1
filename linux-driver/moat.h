/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MOAT_DRIVER_H
#define MOAT_DRIVER_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <moat/ioctl.h>

/* Per open file: the explanation of the last failed request, for MOAT_LAST_ERROR. */
struct moat_file {
	char error[MOAT_ERROR_LEN];
};

/*
 * Every buffer the driver allocates for a request goes through these, so that the number it
 * holds is known exactly (moat info "driver allocations"; the cycle tests check it returns).
 */
void *moat_alloc_page(void);            /* zeroed */
void moat_free_page(void *page);        /* NULL is fine */
void *moat_zalloc(size_t size);
void moat_free(const void *p);          /* NULL is fine */
u64 moat_allocations(void);

/* Serialises every request and every read of the hypervisor's state (main.c). */
extern struct mutex moat_lock;

/* Record why a request failed, log it, and return -errno. */
int moat_fail(struct moat_file *f, int errno_value, const char *fmt, ...) __printf(3, 4);

/* hv.c: loading, entering and leaving the hypervisor. Serialised by the caller. */
int moat_hv_enable(struct moat_file *f, const void *image, size_t size, const void *desc,
		   size_t desc_size);
int moat_hv_disable(struct moat_file *f);
bool moat_hv_enabled(void);
void moat_hv_info(struct moat_info *info);
void moat_hv_stats(struct moat_stats *stats);
u64 moat_hv_stat(unsigned int cpu, unsigned int reason); /* one counter; 0 if there is none */
/* Find the memory the device tree reserves for the hypervisor; false if there is none. */
bool moat_hv_memory(struct moat_file *f, phys_addr_t *base, resource_size_t *size);

int moat_hv_console(struct moat_file *f, void __user *uarg);

/* console.c: the cells' console rings, mapped while enabled; a reader per cell with
 * console = "ring", by cell id. Serialised by the caller (moat_lock). */
int moat_rings_map(void);
void moat_rings_unmap(void);
int moat_ring_attach(u32 id, const char *name);
void moat_ring_detach(u32 id);
void moat_ring_drain(u32 id);            /* its new lines to the kernel log */
void moat_rings_drain_all(void);
int moat_rings_console(struct moat_file *f, void __user *uarg); /* MOAT_CELL_CONSOLE */

struct device_node;
/* The GIC node of the running device tree (a reference to put) and its version; NULL if none. */
struct device_node *moat_gic_node(u32 *version);

/* live.c: descriptors against the running system (its System RAM, the tree it booted with).
 * 0, or -errno with the mismatch and its fix recorded in f. Serialised by the caller. */
struct moat_cell_desc;
int moat_live_check_root(struct moat_file *f, const struct moat_cell_desc *root);
int moat_live_check_cell(struct moat_file *f, const struct moat_cell_desc *cell);

/* The MPIDR of Linux CPU `cpu`, as handed to the hypervisor. */
u64 moat_hv_cpu_mpidr(unsigned int cpu);

/* cell.c: cells, by name. Serialised by the caller; the hypervisor must be enabled. */
bool moat_cells_exist(void);
int moat_cell_create(struct moat_file *f, void __user *uarg);
int moat_cell_load(struct moat_file *f, void __user *uarg);
int moat_cell_simple(struct moat_file *f, unsigned int cmd, void __user *uarg);
int moat_cell_list(struct moat_file *f, void __user *uarg);
/* For sysfs, with moat_lock held: the cell called `name`; the names of all cells (count). */
bool moat_cell_status(const char *name, struct moat_cell_status *st);
unsigned int moat_cell_names(char names[MOAT_MAX_CELLS][MOAT_NAME_LEN]);

/* Watch the cells for changes they make on their own (failed, powered off); unwatch waits for
 * the watcher and must be called without moat_lock. */
void moat_cells_watch(void);
void moat_cells_unwatch(void);

/* sysfs.c: /sys/devices/moat. sync follows the state after a request; call without moat_lock. */
int moat_sysfs_init(void);
void moat_sysfs_exit(void);
void moat_sysfs_sync(void);
void moat_sysfs_cell_changed(const char *name); /* wakes pollers of cells/NAME/state */

/* link.c: the root cell's link endpoints as /dev/moat-link-NAME (created after enable, gone
 * before disable; every user mapping torn down). Serialised by the caller. */
int moat_links_create(const struct moat_cell_desc *root);
void moat_links_destroy(void);
struct moat_cell_link;
int moat_link_add(const struct moat_cell_link *ep, int irq); /* one endpoint; irq 0: map its SPI */

/* incell.c: moat.ko in a Linux cell (its tree has a "moat,cell-info" node): no hypervisor to
 * take, no /dev/moat; the tree's link endpoints as /dev/moat-link-NAME and the kernel log into
 * the cell's console ring. */
bool moat_incell(void);
int moat_incell_init(void);
void moat_incell_exit(void);

#endif
