#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the EL2 instructions of every trap from a QEMU instruction trace.

QEMU runs with `-accel tcg,one-insn-per-tb=on` (`-singlestep` before QEMU 8.1) and `-d exec,nochain -dfilter <hypervisor ranges>`: one translation block
per instruction, so every "Trace N: ... [cs_base/PC/flags/cflags]" line is one instruction that
vCPU N executed in the hypervisor. A trap starts at a lower-EL vector (VBAR_EL2 + 0x400 sync,
+0x480 IRQ) and ends at the next `eret` of that vCPU; its cost is the number of instructions in
between, both ends included. The trap's kind comes from the functions it went through (symbols of
moat-hv.elf, linked at 0, run at its load address).

Usage: el2trace.py TRACE.log moat-hv.elf LOAD_ADDRESS [--objdump PROG] [--cell-cpu N]
                   [--window BEGIN END]   (instruction-count window: not used by default)
Prints JSON: per kind, count/min/median/mean/max instructions, plus the cell CPU's IRQs alone and
every trap of the cell's CPU while the cell ran (count and instructions per kind).
"""
import bisect
import json
import re
import statistics
import subprocess
import sys


def symbols(elf, nm):
    out = subprocess.run([nm, "-n", "-C", elf], check=True, capture_output=True, text=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tTwW":
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def erets(elf, objdump):
    out = subprocess.run([objdump, "-d", elf], check=True, capture_output=True, text=True).stdout
    return {int(m.group(1), 16) for m in re.finditer(r"^\s*([0-9a-f]+):\s+d69f03e0\s+eret", out, re.M)}


def classify(vector, funcs):
    """The trap's kind from the functions it ran through (names from moat-hv.elf)."""
    f = " ".join(funcs)
    if vector == "irq":
        if "cpu_park" in f:
            return "irq: management SGI (stop request)"
        return "irq"
    if "hypercall(" in f:
        if "console_putc" in f:
            return "hvc: CONSOLE_WRITE / CONSOLE_PUTC"
        if "stats_read" in f:
            return "hvc: GET_STATS"
        for op in ("create", "load", "start", "shutdown", "destroy", "state"):
            if f"cell_{op}(" in f or f"cell_ops::{op}(" in f:
                return f"hvc: CELL_{op.upper()}"
        if "cell_" in f:
            return "hvc: other cell call"
        return "hvc: other hypercall"
    if "handle_smc" in f:
        return "smc: PSCI / SMCCC"
    if "inject_external_abort" in f:
        return "dabt/iabt: denied, abort injected"
    if "decode_data_abort" in f:
        return "dabt: MMIO emulated (GICD)"
    if "gicv3_send_sgi" in f:
        return "sys: ICC_SGI1R_EL1 (SGI)"
    if "handle_wfi" in f:
        return "sys: WFI (direct-delivery cell)"
    if "inject_undefined" in f:
        return "sys: unhandled, UNDEF injected"
    return "sync: other (set/way, ...)"


def summary(values):
    if not values:
        return None
    return {"count": len(values), "min": min(values), "median": statistics.median(values),
            "mean": round(statistics.mean(values), 1), "max": max(values)}


def main():
    args = sys.argv[1:]
    objdump, nm, cell_cpu = "aarch64-linux-gnu-objdump", "aarch64-linux-gnu-nm", 3
    if "--objdump" in args:
        i = args.index("--objdump"); objdump = args[i + 1]; del args[i:i + 2]
        nm = objdump.replace("objdump", "nm")
    if "--cell-cpu" in args:
        i = args.index("--cell-cpu"); cell_cpu = int(args[i + 1]); del args[i:i + 2]
    trace, elf, base = args[0], args[1], int(args[2], 0)
    addrs, names = symbols(elf, nm)
    eret_pcs = {base + a for a in erets(elf, objdump)}
    vectors = [a for a, n in zip(addrs, names) if n == "hv_vectors"]
    vbase = base + vectors[0]
    start = {vbase + 0x400: "sync", vbase + 0x480: "irq"}
    line_re = re.compile(r"^Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/")
    open_traps = {}  # cpu -> [vector, count, last pc, {function: instructions}]
    kinds, cell_irq = {}, []
    cell_traps = {}  # kind -> instructions of each trap the cell's CPU made while the cell ran
    cell_started = False  # the cell's first console character: from then on CPU N is the cell's
    breakdown = {}  # function -> instructions, summed over the cell's IRQs
    cell_done = False
    i = names.index("hv_cpu_on_entry") if "hv_cpu_on_entry" in names else None
    cpu_on_entry = (addrs[i], addrs[i + 1]) if i is not None else (0, 0)
    funcname_cache = {}
    with open(trace, errors="replace") as f:
        for line in f:
            m = line_re.match(line)
            if not m:
                continue
            cpu, pc = int(m.group(1)), int(m.group(2), 16)
            if pc in start:
                open_traps[cpu] = [start[pc], 0, None, {}]
            t = open_traps.get(cpu)
            if t is None:
                # The cell's CPU entering through PSCI CPU_ON again: destroyed, back to Linux.
                if cell_started and cpu == cell_cpu and cpu_on_entry[0] <= pc - base < cpu_on_entry[1]:
                    cell_started = False
                    cell_done = True
                continue
            if pc == t[2]:
                continue  # the same one-instruction block logged twice (icount budget ran out)
            t[1] += 1
            t[2] = pc
            name = funcname_cache.get(pc)
            if name is None:
                i = bisect.bisect_right(addrs, pc - base) - 1
                name = names[i] if i >= 0 else "?"
                funcname_cache[pc] = name
            t[3][name] = t[3].get(name, 0) + 1
            if pc in eret_pcs:
                kind = classify(t[0], sorted(t[3]))
                if t[0] == "irq":
                    kind += " (cell CPU)" if cpu == cell_cpu and cell_started else " (root CPUs)"
                kinds.setdefault(kind, []).append(t[1])
                if cpu == cell_cpu and kind.startswith("hvc: CONSOLE") and not cell_done:
                    cell_started = True
                if cpu == cell_cpu and cell_started:
                    cell_traps.setdefault(kind, []).append(t[1])
                if t[0] == "irq" and cpu == cell_cpu and cell_started:
                    cell_irq.append(t[1])
                    for fn, n in t[3].items():
                        breakdown[fn] = breakdown.get(fn, 0) + n
                del open_traps[cpu]
    result = {"kinds": {k: summary(v) for k, v in sorted(kinds.items())},
              "cell_cpu": cell_cpu, "cell_irq": summary(cell_irq),
              "cell_cpu_traps": {k: {"count": len(v), "instructions": sum(v)} for k, v in sorted(cell_traps.items())},
              "cell_irq_histogram": {str(k): cell_irq.count(k) for k in sorted(set(cell_irq))},
              "cell_irq_breakdown": {fn: round(n / len(cell_irq), 1) for fn, n in
                                     sorted(breakdown.items(), key=lambda x: -x[1])} if cell_irq else {}}
    json.dump(result, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
