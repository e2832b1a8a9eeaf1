#!/usr/bin/env bash
# Installs what is missing (Debian packages, Debian's arm64 kernels and headers into .cache/: the
# stock one and 6.12, the root cell's second kernel generation) and
# builds everything into build/: host tools and tests, the hypervisor image, moat.ko, the guest
# initramfs and the board trees. Safe to run again: every step reuses what is there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/install-deps.sh
./scripts/fetch-kernel.sh
./scripts/fetch-kernel.sh --series 6.12
./scripts/fetch-tfa.sh    # the Raspberry Pi 4's BL31, for qemu-run.sh --board rpi4
./scripts/fetch-libfdt.sh # libfdt for arm64: moat-cellc for the target
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
