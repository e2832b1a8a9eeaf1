#!/usr/bin/env bash
# The main demo on QEMU: Debian's arm64 kernel as the root Linux on QEMU virt (GICv3, 4 CPUs),
# moat.ko loaded, `moat enable` moves every CPU under the hypervisor, a 10 kHz control loop runs
# in an isolated cell on CPU 3 beside Linux with live statistics (direct interrupt delivery and a
# console ring: 0 exits a second on its CPU); as a separate last step the same loop, built as
# ctl-steer, is steered from Linux over link "ctl" (moat-ctl set 200: the motor follows;
# docs/steering.md); then everything goes back to Linux and the machine powers off. Add --shell
# for an interactive shell
# instead (then: insmod /moat.ko; moat enable; ...; Ctrl-A X quits QEMU). --linux: a second
# Debian Linux in a one-CPU cell on CPU 2 beside the root's Linux and the control loop on CPU 3
# (tests/qemu/guest/demo-linux.sh, docs/linux-cell.md).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/build.sh >/dev/null
if [ "${1:-}" = --shell ]; then
  exec ./scripts/qemu-run.sh --shell
fi
if [ "${1:-}" = --linux ]; then
  lc=build/linux-cell
  exec ./scripts/qemu-run.sh --test demo-linux --timeout 300 --expect tests/qemu/demo-linux.expect \
    --extra $lc/Image --extra $lc/linux-demo.dtb --extra $lc/linux-cell.cpio.gz \
    --extra $lc/linux-demo.cell --extra $lc/linux-demo-root.cell
fi
exec ./scripts/qemu-run.sh --test demo --icount --timeout 300 --expect tests/qemu/demo.expect
