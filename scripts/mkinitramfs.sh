#!/usr/bin/env bash
# Builds the guest's initramfs (cpio newc, gzip): busybox-static from Debian, moat.ko, the moat
# tool, the hypervisor image as firmware, and the guest test scripts.
# Usage: mkinitramfs.sh OUT.cpio.gz BUSYBOX MOAT_KO MOAT_CLI MOAT_HV_BIN GUEST_TEST_DIR [EXTRA_MODULE.ko...]
set -euo pipefail
out=$1 busybox=$2 ko=$3 cli=$4 hv=$5 tests=$6
shift 6
for f in "$busybox" "$ko" "$cli" "$hv"; do
  [ -f "$f" ] || { echo "mkinitramfs: missing $f" >&2; exit 1; }
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,tests,lib/firmware/moat}
install -m 0755 "$busybox" "$stage/bin/busybox"
install -m 0755 "$tests/init" "$stage/init"
install -m 0644 "$ko" "$stage/moat.ko"
install -m 0755 "$cli" "$stage/bin/moat"
install -m 0644 "$hv" "$stage/lib/firmware/moat/moat-hv.bin"
for t in "$tests"/*.sh; do install -m 0644 "$t" "$stage/tests/"; done
for m in "$@"; do install -m 0644 "$m" "$stage/"; done   # test modules, in / beside moat.ko
# Debian's virtio modules (disk and network for the root-cell workload), if the cache has them.
kmods=$(dirname "$busybox")/../lib/modules
if [ -d "$kmods" ]; then
  mkdir -p "$stage/lib/modules"
  find "$kmods" -name '*.ko' -exec install -m 0644 {} "$stage/lib/modules/" \;
fi
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --owner 0:0 --quiet) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
