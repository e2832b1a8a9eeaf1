#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console logs of one scripts/bench.sh run into figures: JSON, a Markdown table, PNGs.

Usage: analyze.py RUN_DIR OUT.json OUT.md PLOT_DIR
RUN_DIR holds the logs bench.sh wrote: latency-baremetal.log, latency-cell.log, exits.log,
costs.log, root.log, el2trace.json, size.txt, loc.json, meta.json. Every figure is printed next to
its baseline (measured in the same run) and the ratio; goals from GitHub issue 7 are checked.
"""
import json
import os
import re
import statistics
import sys

TICK_NS = 16  # 62.5 MHz counter; under -icount shift=0 one ns of guest time is one instruction


def read(run, name):
    with open(os.path.join(run, name), errors="replace") as f:
        return f.read()


def phases(text):
    """Split a console log at "BENCH phase NAME begin/end" markers: {NAME: [lines]}."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"BENCH phase (\S+) (begin|end)", line)
        if m:
            cur = m.group(1) if m.group(2) == "begin" else None
            out.setdefault(m.group(1), [])
            continue
        if cur:
            out[cur].append(line)
    return out


LAT_RE = re.compile(r"timer-latency: mode=(\w+) (entry|handler) samples=(\d+) min=(-?\d+) avg=(-?\d+) max=(-?\d+) ticks")
HIST_RE = re.compile(r"timer-latency: mode=(\w+) hist \[(\d+),(\d+)\) ticks: (\d+)")
HIST_ABOVE_RE = re.compile(r"timer-latency: mode=(\w+) hist >=(\d+) ticks: (\d+)")


def latency(lines):
    res = {}
    for line in lines:
        m = LAT_RE.search(line)
        if m:
            res.setdefault(m.group(1), {})[m.group(2)] = {
                "samples": int(m.group(3)), "min": int(m.group(4)), "avg": int(m.group(5)), "max": int(m.group(6))}
            continue
        m = HIST_RE.search(line)
        if m:
            res.setdefault(m.group(1), {}).setdefault("hist", {})[m.group(2)] = int(m.group(4))
            continue
        m = HIST_ABOVE_RE.search(line)
        if m:
            res.setdefault(m.group(1), {}).setdefault("hist", {})[m.group(2)] = int(m.group(3))
    return res


CTL_RE = re.compile(r"ctl-loop: t=(\d+)s periods=(\d+) misses=(\d+) jitter_min=(-?\d+)ns jitter_avg=(-?\d+)ns "
                    r"jitter_max=(-?\d+)ns latency_max=(-?\d+)ns exec_max=(-?\d+)ns")


def ctl_seconds(lines):
    out = []
    for line in lines:
        m = CTL_RE.search(line)
        if m:
            out.append({"t": int(m.group(1)), "periods": int(m.group(2)), "misses": int(m.group(3)),
                        "jitter_max_ns": int(m.group(6)), "latency_max_ns": int(m.group(7)),
                        "exec_max_ns": int(m.group(8))})
    return out[1:]  # the first second of a phase may have started in the previous one


def times(text):
    t = {}
    for m in re.finditer(r"^BENCH time (\S+) (\d+) (\d+)", text, re.M):
        t.setdefault(m.group(1), []).append(int(m.group(2)))
    return t


def med(v):
    return statistics.median(v) if v else None


def ratio(a, b):
    return round(a / b, 4) if a is not None and b else None


def main():
    run, out_json, out_md, plot_dir = sys.argv[1:5]
    meta = json.loads(read(run, "meta.json"))
    fig = []  # rows: name, figure, baseline, ratio, unit, goal, met, note

    def add(group, name, value, unit, baseline=None, base_label="", goal=None, met=None, note=""):
        fig.append({"group": group, "name": name, "value": value, "unit": unit, "baseline": baseline,
                    "baseline_label": base_label, "ratio": ratio(value, baseline) if baseline is not None else None,
                    "goal": goal, "met": met, "note": note})

    # --- IRQ latency -------------------------------------------------------------------------
    bm = latency(read(run, "latency-baremetal.log").splitlines())
    cell_ph = phases(read(run, "latency-cell.log"))
    cell_idle = latency(cell_ph.get("latency-idle", []))
    cell_stress = latency(cell_ph.get("latency-stress", []))
    for mode in ("busy", "wfi"):
        for what in ("entry", "handler"):
            b, c = bm[mode][what], cell_idle[mode][what]
            for stat in ("min", "avg", "max"):
                add("IRQ latency (Linux idle)", f"{mode} {what} {stat}", c[stat], "ticks", b[stat], "bare metal",
                    note=f"= {c[stat] * TICK_NS} ns = instructions; bare metal {b[stat] * TICK_NS}")
    trace = json.loads(read(run, "el2trace.json"))
    ci = trace.get("cell_irq") or {}
    add("IRQ latency (Linux idle)", "EL2 instructions, IRQ trap to eret into the cell (median)", ci.get("median"),
        "instructions", 150, "goal", goal="<= 150", met=(ci.get("median") or 1e9) <= 150,
        note=f"min {ci.get('min')} max {ci.get('max')} over {ci.get('count')} IRQs (QEMU instruction trace)")

    # --- Exits -------------------------------------------------------------------------------
    ex = read(run, "exits.log")
    rates = {}
    for phase in ("idle", "stress"):
        el = re.search(rf"^BENCH exits-{phase} elapsed_ns (\d+)", ex, re.M)
        secs = int(el.group(1)) / 1e9 if el else None
        counts = {m.group(1): int(m.group(2)) for m in re.finditer(rf"^BENCH exits-{phase} (\w+) (\d+)$", ex, re.M)
                  if m.group(1) != "elapsed_ns"}
        rates[phase] = {k: round(v / secs, 1) for k, v in counts.items()} if secs else {}
    ctl = phases(ex)
    ctl_idle, ctl_stress = ctl_seconds(ctl.get("exits-idle", [])), ctl_seconds(ctl.get("exits-stress", []))
    periods = med([s["periods"] for s in ctl_idle]) or 10000
    ri = rates["idle"]
    others = sum(v for k, v in ri.items() if k not in ("irq", "hypercall", "irq_held"))
    add("Exits of the 10 kHz ctl-loop cell (Linux idle)", "irq exits/s", ri.get("irq"), "1/s", periods,
        "timer periods/s (the cell's own count)", goal="= timer IRQs", met=abs(ri.get("irq", 0) / periods - 1) < 0.01)
    add("Exits of the 10 kHz ctl-loop cell (Linux idle)", "hypercall exits/s (console output)", ri.get("hypercall"),
        "1/s", note="the cell's once-a-second status line: CONSOLE_WRITE carries up to 40 characters "
        "(one CONSOLE_PUTC per character before it existed)")
    add("Exits of the 10 kHz ctl-loop cell (Linux idle)", "all other exits/s", others, "1/s", goal="0", met=others == 0)

    # --- Interference --------------------------------------------------------------------------
    rs = rates["stress"]
    add("Interference (root idle vs. root under stress)", "ctl-loop irq exits/s", rs.get("irq"), "1/s", ri.get("irq"), "root idle")
    add("Interference (root idle vs. root under stress)", "ctl-loop other exits/s (not irq, not hypercall)",
        sum(v for k, v in rs.items() if k not in ("irq", "hypercall", "irq_held")), "1/s", others, "root idle")

    def per_s(secs, key, f=max):
        return f([s[key] for s in secs]) if secs else None
    add("Interference (root idle vs. root under stress)", "ctl-loop deadline misses per second (worst second)",
        per_s(ctl_stress, "misses"), "1/s", per_s(ctl_idle, "misses"), "root idle",
        note="see 'round-robin artifact' in docs/benchmarks.md")
    add("Interference (root idle vs. root under stress)", "ctl-loop release latency max", per_s(ctl_stress, "latency_max_ns"),
        "ns", per_s(ctl_idle, "latency_max_ns"), "root idle")
    add("Interference (root idle vs. root under stress)", "ctl-loop exec time max", per_s(ctl_stress, "exec_max_ns"),
        "ns", per_s(ctl_idle, "exec_max_ns"), "root idle")
    for mode in ("busy", "wfi"):
        for stat in ("avg", "max"):
            add("Interference (root idle vs. root under stress)", f"timer-latency {mode} handler {stat}",
                cell_stress[mode]["handler"][stat], "ticks", cell_idle[mode]["handler"][stat], "root idle")

    # --- Costs -------------------------------------------------------------------------------
    co = read(run, "costs.log")
    t = times(co)
    base = med(t.get("info-disabled", []))
    for op in ("insmod", "enable", "disable", "create-ctl-loop", "load-ctl-loop", "start-ctl-loop", "destroy-ctl-loop",
               "create-hello", "load-hello", "start-hello", "destroy-hello", "hotplug-off", "hotplug-on"):
        v = med(t.get(op, []))
        add("Costs (guest ns = instructions, median of 3)", f"moat {op}" if not op.startswith(("hotplug", "insmod")) else op,
            v, "ns", base, "`moat info` (tool start + 1 ioctl)")
    kinds = trace.get("kinds", {})
    for op in ("CREATE", "LOAD", "START", "DESTROY"):
        k = kinds.get(f"hvc: CELL_{op}")
        if k:
            add("Costs (guest ns = instructions, median of 3)", f"EL2 instructions of the CELL_{op} hypercall",
                k["max"] if op != "LOAD" else k["median"], "instructions",
                note=f"{k['count']} call(s) in the traced run" + (", per page-sized chunk" if op == "LOAD" else "")
                + (": zeroing the cell's 16 MiB" if op in ("CREATE", "DESTROY") else ""))
    mem = {m.group(1): [] for m in re.finditer(r"^BENCH mem (\S+) (\d+)", co, re.M)}
    for m in re.finditer(r"^BENCH mem (\S+) (\d+)", co, re.M):
        mem[m.group(1)].append(int(m.group(2)))
    add("Footprint", "hypervisor memory in use, root + ctl-loop + hello", max(mem.get("two-cells", [0])), "KiB",
        2048, "goal", goal="<= 2048 KiB", met=max(mem.get("two-cells", [0])) <= 2048,
        note=f"root alone {max(mem.get('enabled', [0]))} KiB; after both destroyed {max(mem.get('after-destroy', [0]))} KiB")
    size = read(run, "size.txt").split()
    text_b, data_b, bss_b = int(size[6]), int(size[7]), int(size[8])
    add("Footprint", "moat-hv.elf text", text_b, "bytes")
    add("Footprint", "moat-hv.elf data", data_b, "bytes")
    add("Footprint", "moat-hv.elf bss (stacks, per-CPU data)", bss_b, "bytes")
    loc = json.loads(read(run, "loc.json"))
    add("Footprint", "lines of code hv/ + arch/arm64/ (code lines)", loc["hv"]["code"] + loc["arch/arm64"]["code"], "lines",
        note=f"hv/ {loc['hv']['code']}, arch/arm64/ {loc['arch/arm64']['code']}; physical lines "
             f"{loc['hv']['lines'] + loc['arch/arm64']['lines']}")

    # --- Root cell overhead ------------------------------------------------------------------
    rt = times(read(run, "root.log"))
    for w in ("arith", "hash", "copy"):
        off = med(rt.get(f"root-off-{w}", []) + rt.get(f"root-off2-{w}", []))
        on = med(rt.get(f"root-on-{w}", []))
        r = ratio(on, off)
        add("Root cell overhead (Linux on CPU 1, ns = instructions)", f"workload {w}", on, "ns", off,
            "hypervisor not enabled", goal="ratio <= 1.02", met=r is not None and r <= 1.02)

    direct = direct_figures(run, add, bm, cell_idle, ri, rs)

    result = {"meta": meta, "figures": fig, "direct": direct,
              "latency": {"baremetal": bm, "cell_idle": cell_idle, "cell_stress": cell_stress},
              "el2_trace": trace, "exit_rates": rates, "ctl_loop": {"idle": ctl_idle, "stress": ctl_stress},
              "times": t, "root_times": rt, "memory_kib": mem, "size": {"text": text_b, "data": data_b, "bss": bss_b},
              "loc": loc}
    with open(out_json, "w") as f:
        json.dump(result, f, indent=1)
    with open(out_md, "w") as f:
        f.write(markdown(result))
    plots(result, plot_dir)
    print(markdown(result))


STOP_RE = re.compile(r"moat: CPU (\d+) stopped (\d+) us after the request \((direct delivery|management SGI)")


def direct_figures(run, add, bm, cell_idle, trapped_idle, trapped_stress):
    """Direct interrupt delivery (bench-direct.sh, bench-trace-direct.sh) beside the trapped figures."""
    g = "Direct interrupt delivery (cell takes its IRQs at EL1; trapped figures as baseline)"
    text = read(run, "direct.log")
    ph = phases(text)
    lat = latency(ph.get("latency-direct-idle", []))
    for mode in ("busy", "wfi"):
        for what in ("entry", "handler"):
            for stat in ("min", "avg"):
                v, b = lat[mode][what][stat], bm[mode][what][stat]
                add(g, f"timer latency {mode} {what} {stat}", v, "ticks", b, "bare metal",
                    goal="= bare metal" if mode == "busy" else None, met=(v == b) if mode == "busy" else None,
                    note=f"trapped: {cell_idle[mode][what][stat]}" + ("; each WFI traps (HCR_EL2.TWI)" if mode == "wfi" else ""))
    rates = {}
    for phase in ("idle", "stress"):
        el = re.search(rf"^BENCH exits-direct-{phase} elapsed_ns (\d+)", text, re.M)
        secs = int(el.group(1)) / 1e9 if el else None
        counts = {m.group(1): int(m.group(2)) for m in re.finditer(rf"^BENCH exits-direct-{phase} (\w+) (\d+)$", text, re.M)
                  if m.group(1) != "elapsed_ns"}
        rates[phase] = {k: round(v / secs, 1) for k, v in counts.items()} if secs else {}
    for phase, trapped in (("idle", trapped_idle), ("stress", trapped_stress)):
        r = rates[phase]
        non_console = sum(v for k, v in r.items() if k not in ("hypercall", "irq_held"))
        add(g, f"ctl-loop exits/s but console hypercalls, Linux {phase}", non_console, "1/s",
            sum(v for k, v in trapped.items() if k not in ("hypercall", "irq_held")), "trapped", goal="0", met=non_console == 0,
            note=f"irq {r.get('irq')}/s; console hypercalls {r.get('hypercall')}/s (trapped: {trapped.get('hypercall')}/s)")
    tr = json.loads(read(run, "el2trace-direct.json"))
    traps = tr.get("cell_cpu_traps", {})
    irq_traps = {k: v for k, v in traps.items() if k.startswith("irq")}
    irq_insns = sum(v["instructions"] for v in irq_traps.values())
    samples = sum(lat[m]["entry"]["samples"] for m in ("busy", "wfi"))
    trapped_irq = json.loads(read(run, "el2trace.json")).get("cell_irq") or {}
    # The cell's own irq exit counter (hv_trap_irq counts every IRQ trap for the CPU's owner) is
    # the measure; the trace's window on the cell's CPU ends only when Linux powers that CPU on
    # again, so it also holds a few of Linux's IRQs after the cell's CPU_OFF (the trapped run
    # shows the same: 2006 IRQ traps for 2000 samples).
    m = re.search(r"^BENCH trace-direct-exits irq (\d+)", read(run, "trace-direct.log"), re.M)
    irq_exits = int(m.group(1)) if m else None
    per_irq = irq_exits * (trapped_irq.get("median") or 0) / samples if irq_exits is not None and samples else None
    add(g, "EL2 instructions per cell timer IRQ", per_irq, "instructions",
        trapped_irq.get("median"), "trapped (median)", goal="0", met=irq_exits == 0,
        note=f"{irq_exits} irq exits of the cell over {samples} timer IRQs (its exit counters); the trace window "
             f"shows {sum(v['count'] for v in irq_traps.values())} IRQ traps ({irq_insns} instructions) on that CPU, "
             "Linux's after the cell's CPU_OFF")
    wfi = traps.get("sys: WFI (direct-delivery cell)")
    if wfi:
        add(g, "EL2 instructions per trapped WFI (the WFI round's only exits)", round(wfi["instructions"] / wfi["count"], 1),
            "instructions", note=f"{wfi['count']} WFIs")
    stops = {"management SGI": [], "direct delivery": []}
    for m in STOP_RE.finditer(text):
        stops[m.group(3)].append(int(m.group(2)))
    t = times(text)
    add(g, "forced stop, request to CPU parked (median of 3)", med(stops["direct delivery"]), "us",
        med(stops["management SGI"]), "trapped (management SGI)",
        note=f"stage 2 taken away; moat cell destroy --force {fmt(med(t.get('stop-direct', [])))} ns "
             f"(trapped {fmt(med(t.get('stop-trapped', [])))} ns)")
    return {"latency": lat, "exit_rates": rates, "el2_trace": tr, "stops_us": stops, "times": t}


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, bool):
        return "yes" if v else "**no**"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def markdown(r):
    m = r["meta"]
    kernel = f", Debian kernel {m['kernel']}" if "kernel" in m else ""
    out = [f"Run {m['date']} on commit `{m['commit']}`, QEMU {m['qemu']}{kernel}, `{m['icount']}`; "
           f"host {m['host']}; {m['wall_s']} s wall.\n"]
    group = None
    for f in r["figures"]:
        if f["group"] != group:
            group = f["group"]
            out.append(f"\n**{group}**\n\n| figure | value | unit | baseline | ratio | goal | met | note |\n"
                       "|---|--:|---|--:|--:|---|---|---|")
        base = f"{fmt(f['baseline'])} ({f['baseline_label']})" if f["baseline"] is not None else ""
        met = "" if f["met"] is None else ("yes" if f["met"] else "**no**")
        out.append(f"| {f['name']} | {fmt(f['value'])} | {f['unit']} | {base} | {fmt(f['ratio'])} | "
                   f"{f['goal'] or ''} | {met} | {f['note']} |")
    k = r["el2_trace"]["kinds"]
    out.append("\n**EL2 instructions per trap (vector to eret, QEMU instruction trace of one run)**\n\n"
               "| trap | count | min | median | mean | max |\n|---|--:|--:|--:|--:|--:|")
    for name, s in k.items():
        out.append(f"| {name} | {s['count']} | {s['min']} | {fmt(s['median'])} | {fmt(s['mean'])} | {s['max']} |")
    bd = r["el2_trace"].get("cell_irq_breakdown", {})
    if bd:
        out.append("\n**Where the instructions of the cell's timer IRQ go (per IRQ, by function)**\n\n"
                   "| function | instructions |\n|---|--:|")
        for fn, n in bd.items():
            out.append(f"| `{fn}` | {n:g} |")
    return "\n".join(out) + "\n"


def plots(r, d):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    os.makedirs(d, exist_ok=True)
    lat = r["latency"]

    # 1. Handler latency histograms, busy and WFI rounds.
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, mode in zip(axes, ("busy", "wfi")):
        series = [("bare metal", lat["baremetal"]), ("cell, Linux idle", lat["cell_idle"]),
                  ("cell, Linux under stress", lat["cell_stress"])]
        buckets = sorted({int(b) for _, s in series for b in s[mode].get("hist", {})})
        width = 0.8 / len(series)
        for i, (label, s) in enumerate(series):
            h = s[mode].get("hist", {})
            ax.bar([j + i * width for j in range(len(buckets))], [h.get(str(b), 0) for b in buckets], width, label=label)
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(buckets))])
        ax.set_xticklabels([f"{b}-{2 * b - 1 if b else 0}" for b in buckets], rotation=45, ha="right", fontsize=7)
        ax.set_yscale("log")
        ax.set_xlabel("handler latency, counter ticks (16 ns = 16 instructions)")
        ax.set_ylabel("samples")
        ax.set_title(f"timer IRQ latency, CPU {'spinning' if mode == 'busy' else 'in WFI'}")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench-latency.png"), dpi=100)
    plt.close(fig)

    # 2. EL2 instructions per trap kind.
    k = r["el2_trace"]["kinds"]
    names = [n for n in k if k[n]["median"] < 5000]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.barh(names, [k[n]["median"] for n in names], color="tab:blue", label="median")
    ax.errorbar([k[n]["median"] for n in names], names,
                xerr=[[k[n]["median"] - k[n]["min"] for n in names], [0 for n in names]], fmt="none", ecolor="k")
    ax.axvline(150, color="tab:red", linestyle="--", label="goal for the IRQ path: 150")
    ax.set_xlabel("EL2 instructions, vector to eret (median; bar from min)")
    ax.set_title("Cost of each trap")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench-traps.png"), dpi=100)
    plt.close(fig)

    # 3. Exits per second by reason, idle vs stress.
    rates = r["exit_rates"]
    reasons = [x for x in rates["idle"] if rates["idle"].get(x) or rates["stress"].get(x)] or ["irq"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for i, phase in enumerate(("idle", "stress")):
        ax.bar([j + i * 0.4 for j in range(len(reasons))], [rates[phase].get(x, 0) for x in reasons], 0.4,
               label=f"Linux {phase}")
    ax.set_xticks([j + 0.2 for j in range(len(reasons))])
    ax.set_xticklabels(reasons)
    ax.set_yscale("log")
    ax.set_ylabel("exits per second")
    ax.set_title("10 kHz ctl-loop cell: exits by reason")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench-exits.png"), dpi=100)
    plt.close(fig)

    # 4. Costs of the management operations, and root overhead.
    rows = [f for f in r["figures"] if f["group"].startswith("Costs (") and f["unit"] == "ns" and f["value"]]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
    axes[0].barh([f["name"] for f in rows], [f["value"] / 1e6 for f in rows], color="tab:green")
    if rows:
        axes[0].axvline(rows[0]["baseline"] / 1e6, color="k", linestyle=":", label="moat info (baseline)")
    axes[0].set_xlabel("guest ms (= million instructions)")
    axes[0].set_title("management operations")
    axes[0].legend(fontsize=8)
    rows = [f for f in r["figures"] if f["group"].startswith("Root cell")]
    axes[1].bar([f["name"].split()[-1] for f in rows], [(f["ratio"] - 1) * 100 for f in rows], color="tab:purple")
    axes[1].axhline(2, color="tab:red", linestyle="--", label="goal: 2 %")
    axes[1].set_ylabel("slow-down with moat enabled, %")
    axes[1].set_title("root cell overhead")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench-costs.png"), dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
