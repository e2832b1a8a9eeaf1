#!/usr/bin/env bash
# Installs the Debian packages moat needs to build and test (idempotent; run as root).
set -euo pipefail
# Debian 12: the apt source bookworm-backports, which serves the root cell's second kernel
# generation (linux-image-arm64 6.12: scripts/fetch-kernel.sh --series 6.12 downloads it into the
# cache; nothing is installed from it here). Debian 13 has 6.12 as its stock kernel.
add_bookworm_backports() {
  [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" = bookworm ] || return 0
  grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  [ "$(id -u)" -eq 0 ] || { echo "install-deps: run as root to add the apt source bookworm-backports (Debian's 6.12 kernel)" >&2; exit 1; }
  printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' 'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' > /etc/apt/sources.list.d/backports.sources
  apt-get update -q
  echo "install-deps: added the apt source bookworm-backports"
}
add_bookworm_backports
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
