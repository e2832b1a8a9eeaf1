#!/usr/bin/env bash
# Installs the Debian packages moat needs to build and test (idempotent; run as root).
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build git cpio gzip file xz-utils python3
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
  qemu-system-arm device-tree-compiler libfdt-dev
  u-boot-qemu u-boot-tools e2fsprogs
  googletest libgtest-dev clang lld llvm libclang-rt-14-dev
  gdb-multiarch
  python3-matplotlib graphviz
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run this script as root (sudo $0) to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
