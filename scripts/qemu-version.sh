#!/usr/bin/env bash
# Prints the version of the qemu-system-aarch64 on PATH ("QEMU 10.0.2"), and with --need checks it.
#
#   qemu-version.sh                      prints e.g. "QEMU 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)"
#   qemu-version.sh --need 9.0 "WHAT"    also fails (exit 1), naming WHAT, the version found and how to
#                                        get a newer one, when QEMU is older than 9.0
set -euo pipefail
qemu=${QEMU:-qemu-system-aarch64}
command -v "$qemu" >/dev/null || { echo "qemu-version: $qemu not found: run scripts/install-deps.sh as root" >&2; exit 2; }
line=$("$qemu" --version | head -n1)
version=$(sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p' <<< "$line")
[ -n "$version" ] || { echo "qemu-version: cannot read a version from '$line'" >&2; exit 2; }
if [ "${1:-}" = --need ]; then
  need=${2:?usage: qemu-version.sh --need MAJOR.MINOR WHAT} what=${3:-this}
  # Version order field by field (sort -V), not as strings: 10.0 is newer than 9.2.
  if [ "$(printf '%s\n%s\n' "$need" "$version" | sort -V | head -n1)" != "$need" ]; then
    echo "qemu-version: $what needs QEMU $need or newer; $(command -v "$qemu") is QEMU $version." >&2
    echo "qemu-version: on Debian 12 run scripts/install-deps.sh as root: it installs QEMU 10 from bookworm-backports (Debian 13's stock QEMU is 10)." >&2
    exit 1
  fi
fi
echo "QEMU $version${line#*version $version}"
