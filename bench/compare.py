#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two scripts/bench.sh runs figure by figure.

Usage: compare.py A.json B.json [--tolerance 0.01]
Prints each figure of both runs and their relative difference; exits 1 when a figure differs by
more than the tolerance (default 1 %). Figures that are zero in both runs count as equal.
"""
import json
import sys


def main():
    args = sys.argv[1:]
    tol = 0.01
    if "--tolerance" in args:
        i = args.index("--tolerance"); tol = float(args[i + 1]); del args[i:i + 2]
    a, b = (json.load(open(p)) for p in args[:2])
    fb = {(f["group"], f["name"]): f for f in b["figures"]}
    worst, bad = 0.0, []
    print(f"{'figure':<78} {'run A':>14} {'run B':>14} {'diff':>8}")
    for f in a["figures"]:
        g = fb.get((f["group"], f["name"]))
        if g is None or f["value"] is None or g["value"] is None:
            continue
        va, vb = float(f["value"]), float(g["value"])
        d = 0.0 if va == vb else abs(va - vb) / max(abs(va), abs(vb))
        worst = max(worst, d)
        mark = " *" if d > tol else ""
        if d > tol:
            bad.append(f["name"])
        print(f"{(f['group'][:30] + ': ' + f['name'])[:78]:<78} {va:>14,.6g} {vb:>14,.6g} {d * 100:>7.2f}%{mark}")
    print(f"\n{len(bad)} figure(s) differ by more than {tol * 100:g} %; largest difference {worst * 100:.2f} %")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
