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
 */
#include <linux/arm-smccc.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>
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
