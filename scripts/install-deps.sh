#!/usr/bin/env bash
# Installs the Debian packages moat needs to build and test (idempotent; run as root).
# QEMU must be 9.0 or newer (the Raspberry Pi 4 machine, raspi4b, came in 9.0): on Debian 12 it
# comes from bookworm-backports (QEMU 10), whose apt source this script adds when the machine has
# none, and a machine that already has Debian 12's QEMU 7.2 is upgraded; Debian 13's stock QEMU is 10.
set -euo pipefail
qemu_min=1:9.0   # Debian epoch 1
apt=${MOAT_APT_DIR:-/etc/apt}  # another directory only to try the source handling out
pkgs=(
  build-essential cmake ninja-build git cpio gzip file xz-utils python3
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
  device-tree-compiler libfdt-dev
  u-boot-qemu u-boot-tools e2fsprogs
  googletest libgtest-dev clang lld llvm libclang-rt-dev
  gdb-multiarch
  python3-matplotlib graphviz
  dkms          # host.packages.dkms: the real DKMS build of the moat-dkms package (arm64 headers)
)
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
case "$codename" in
  bookworm) qemu_release=bookworm-backports ;;  # Debian 12: 7.2 is too old, backports has 10
  *) qemu_release="" ;;                         # Debian 13 (trixie) and later: the stock QEMU
esac

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
qemu_version() { dpkg-query -W -f='${Version}' qemu-system-arm 2>/dev/null || true; }
qemu_recent() {
  local v; v=$(qemu_version)
  [ -n "$v" ] && installed qemu-system-arm && dpkg --compare-versions "$v" ge "$qemu_min"
}
# An enabled apt source for SUITE in either format: one-line (sources.list, *.list) or deb822 (*.sources).
has_suite() {
  local suite=$1
  grep -sqE "^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+$suite([[:space:]]|$)" \
    $apt/sources.list $apt/sources.list.d/*.list && return 0
  local f
  for f in $apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas are separated by blank lines; one that is Enabled: no does not count.
    awk -v suite="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      { found = 0; off = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Suites:/) { n = split(substr($i, 8), s, /[ \t]+/); for (j = 1; j <= n; j++) if (s[j] == suite) found = 1 }
          if ($i ~ /^Enabled:[ \t]*no/) off = 1
        }
        if (found && !off) hit = 1 }
      END { exit hit ? 0 : 1 }' "$f" && return 0
  done
  return 1
}
# The Debian mirror the machine's bookworm source uses (deb.debian.org if none is found).
debian_mirror() {
  local m
  m=$(grep -shE "^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+bookworm([[:space:]]|$)" \
        $apt/sources.list $apt/sources.list.d/*.list |
      sed -E 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/' | head -n1)
  if [ -z "$m" ]; then
    m=$(awk 'BEGIN { RS = ""; FS = "\n" }
      { uri = ""; ok = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { split(substr($i, 6), u, /[ \t]+/); for (j in u) if (u[j] != "") { uri = u[j]; break } }
          if ($i ~ /^Suites:/ && (" " substr($i, 8) " ") ~ /[ \t]bookworm[ \t]/) ok = 1
        }
        if (ok && uri != "") { print uri; exit } }' $apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}
add_backports_source() {
  local mirror; mirror=$(debian_mirror)
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  if ls $apt/sources.list.d/*.sources >/dev/null 2>&1; then
    # The machine's sources are deb822: add ours in the same format.
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
      "$mirror" "$keyring" > $apt/sources.list.d/moat-bookworm-backports.sources
    echo "install-deps: added $apt/sources.list.d/moat-bookworm-backports.sources ($mirror)"
  else
    echo "deb [signed-by=$keyring] $mirror bookworm-backports main" > $apt/sources.list.d/moat-bookworm-backports.list
    echo "install-deps: added $apt/sources.list.d/moat-bookworm-backports.list ($mirror)"
  fi
}

missing=()
for p in "${pkgs[@]}"; do
  installed "$p" || missing+=("$p")
done
need_qemu=0
qemu_recent || need_qemu=1
if [ ${#missing[@]} -eq 0 ] && [ $need_qemu -eq 0 ]; then
  echo "install-deps: all packages present (qemu-system-arm $(qemu_version))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  [ ${#missing[@]} -eq 0 ] || echo "install-deps: missing packages: ${missing[*]}" >&2
  [ $need_qemu -eq 0 ] || echo "install-deps: qemu-system-arm ${qemu_min#1:} or newer is needed (installed: $(qemu_version | sed 's/^$/none/'))${qemu_release:+, from $qemu_release}" >&2
  echo "install-deps: run this script as root (sudo $0) to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ $need_qemu -eq 1 ] && [ -n "$qemu_release" ] && ! has_suite "$qemu_release"; then
  add_backports_source
fi
apt-get update -q
[ ${#missing[@]} -eq 0 ] || apt-get install -y -q --no-install-recommends "${missing[@]}"
if [ $need_qemu -eq 1 ]; then
  # -t: qemu-system-arm and the QEMU packages it needs come from backports; on a machine with
  # Debian 12's QEMU 7.2 this upgrades it (qemu-system-common and -data follow by their = dependency).
  apt-get install -y -q --no-install-recommends ${qemu_release:+-t "$qemu_release"} qemu-system-arm
  qemu_recent || { echo "install-deps: qemu-system-arm is $(qemu_version) after installing, ${qemu_min#1:} or newer is needed" >&2; exit 1; }
fi
echo "install-deps: installed ${missing[*]} (qemu-system-arm $(qemu_version))"
