#!/usr/bin/env bash
# The Linux cell's initramfs for qemu.linux-cell: busybox and an /init that prints what the test
# checks on the cell's console and powers the cell off (PSCI SYSTEM_OFF: the cell ends, not the
# machine). Usage: mk-initramfs.sh BUSYBOX OUT.cpio.gz
set -euo pipefail
busybox=${1:?usage: mk-initramfs.sh BUSYBOX OUT.cpio.gz} out=${2:?usage: mk-initramfs.sh BUSYBOX OUT.cpio.gz}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,proc,dev}
install -m 0755 "$busybox" "$stage/bin/busybox"
cat > "$stage/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
echo "linux-cell: shell up"
echo "linux-cell: processors $(grep -c ^processor /proc/cpuinfo)"
echo "linux-cell: memory $(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
echo "linux-cell: poweroff"
poweroff -f
INIT
chmod 0755 "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --owner 0:0 --quiet) | gzip -n > "$out"
