#!/usr/bin/env bash
# Builds everything and runs every test: host unit tests (GoogleTest) and the QEMU integration
# tests, through ctest. Run as root on a fresh Debian 12 machine: it installs what it needs.
# Extra arguments go to ctest (e.g. -L host, -R qemu.enable).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/build.sh
ctest --test-dir build --output-on-failure -j2 "$@"
