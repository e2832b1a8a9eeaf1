#!/usr/bin/env bash
# Fetches Debian's stock arm64 kernel, its headers, the host kbuild tools and busybox-static
# without installing any arm64 package: apt-get download + dpkg-deb -x into .cache/ (git-ignored).
# Reuses the cache when present. Prints nothing but progress; ends with the kernel ABI in
# .cache/kernel/abi.
#
#   fetch-kernel.sh [--series 6.12]
#
# Without --series: the kernel Debian's linux-image-arm64 resolves to that day (Debian 12: 6.1),
# in <cache>/kernel. With --series X.Y: the newest linux-image-arm64 of that series any configured
# apt source serves (Debian 12: 6.12 from bookworm-backports, which scripts/install-deps.sh adds;
# Debian 13: its stock 6.12), in <cache>/kernel-X.Y: the root cell's second kernel generation.
# Its modules come compressed (.ko.xz); the few the tests load are stored decompressed, as
# busybox's insmod takes them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MOAT_CACHE:-$top/.cache}
series=""
while [ $# -gt 0 ]; do
  case $1 in
    --series) series=$2; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "fetch-kernel: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $series in
  "") kdir=$cache/kernel ;;
  [0-9]*.[0-9]*) kdir=$cache/kernel-$series ;;
  *) echo "fetch-kernel: --series takes a kernel series such as 6.12, got '$series'" >&2; exit 2 ;;
esac
mkdir -p "$kdir/debs"

# Bump when the set of extracted files changes, so that old caches are refreshed.
layout=2
if [ -f "$kdir/abi" ] && [ -f "$kdir/root/boot/vmlinuz-$(cat "$kdir/abi")-arm64" ] \
   && [ -x "$kdir/root/bin/busybox" ] && [ "$(cat "$kdir/layout" 2>/dev/null)" = "$layout" ]; then
  echo "fetch-kernel: cached $(cat "$kdir/abi")"
  exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  [ "$(id -u)" -eq 0 ] || { echo "fetch-kernel: run as root once to add the arm64 package architecture" >&2; exit 1; }
  dpkg --add-architecture arm64
  apt-get update -q
fi
# The kernel ABI (e.g. 6.1.0-57, 6.12.95+deb12) behind linux-image-arm64: the candidate version,
# or with --series the newest version of that series among all the sources.
resolve_abi() {
  local meta=linux-image-arm64:arm64
  if [ -n "$series" ]; then
    local ver
    ver=$(apt-cache madison linux-image-arm64:arm64 | awk -v s="$series." '$3 ~ /^[0-9]/ && index($3, s) == 1 {print $3; exit}')
    [ -n "$ver" ] || return 0
    meta="linux-image-arm64:arm64=$ver"
  fi
  apt-cache depends "$meta" | sed -n 's/.*Depends: linux-image-\(.*\)-arm64:arm64/\1/p' | head -n1
}
# The host's kbuild tools of that kernel: linux-kbuild-6.1, linux-kbuild-6.12.95+deb12.
resolve_kbuild() {
  kbuild=$(apt-cache depends "linux-headers-$abi-arm64:arm64" | sed -n 's/.*Depends: \(linux-kbuild-[^: ]*\).*/\1/p' | head -n1)
  [ -n "$kbuild" ] || kbuild=linux-kbuild-${abi%%.[0-9]*-*}
}
abi=$(resolve_abi)
if [ -z "$abi" ]; then
  [ "$(id -u)" -eq 0 ] && apt-get update -q
  abi=$(resolve_abi)
fi
if [ -z "$abi" ] && [ -n "$series" ]; then
  echo "fetch-kernel: no apt source serves linux-image-arm64 $series.x (Debian 12: add bookworm-backports with scripts/install-deps.sh, then apt-get update)" >&2
  exit 1
fi
[ -n "$abi" ] || { echo "fetch-kernel: cannot resolve Debian's arm64 kernel version (apt-get update?)" >&2; exit 1; }
resolve_kbuild
echo "fetch-kernel: kernel $abi, $kbuild"

cd "$kdir/debs"
rm -f ./*.deb
download() {
  apt-get download -q "linux-image-$abi-arm64:arm64" "linux-headers-$abi-arm64:arm64" \
    "linux-headers-$abi-common" "$kbuild" busybox-static:arm64
}
if ! download; then
  # Package lists older than the archive name files the mirror no longer has: read them again
  # and take whatever kernel Debian serves now.
  [ "$(id -u)" -eq 0 ] || { echo "fetch-kernel: download failed; run as root so that apt-get update can refresh the package lists" >&2; exit 1; }
  echo "fetch-kernel: download of $abi failed; refreshing the package lists"
  apt-get update -q
  abi=$(resolve_abi)
  resolve_kbuild
  echo "fetch-kernel: kernel $abi, $kbuild"
  download
fi
rm -rf "$kdir/root" && mkdir -p "$kdir/root"
for f in ./*.deb; do
  case "$f" in
    *linux-image-*)
      # The kernel Image, the board DTBs and the few modules the tests load (virtio over MMIO
      # for a disk and a network card), not all of lib/modules (~290 MB).
      dpkg-deb --fsys-tarfile "$f" | tar -x -C "$kdir/root" --wildcards './boot/vmlinuz-*' './usr/lib/linux-image-*' \
        '*/drivers/virtio/virtio_mmio.ko*' '*/drivers/block/virtio_blk.ko*' '*/drivers/net/virtio_net.ko*' \
        '*/drivers/net/net_failover.ko*' '*/net/core/failover.ko*' ;;
    *) dpkg-deb -x "$f" "$kdir/root" ;;
  esac
done
# The arm64 headers' Makefile includes the common headers by absolute path: point it at the cache.
hdr=$kdir/root/usr/src/linux-headers-$abi-arm64
sed -i "s|include /usr/src/|include $kdir/root/usr/src/|" "$hdr/Makefile"
# Compressed modules (6.12's .ko.xz) stored as plain .ko.
find "$kdir/root" -name '*.ko.xz' -exec xz -d {} +
rm -f ./*.deb
echo "$abi" > "$kdir/abi"
echo "$layout" > "$kdir/layout"
echo "fetch-kernel: ready in $kdir"
