#!/usr/bin/env bash
# Builds everything and runs every test: host unit tests (GoogleTest) and the QEMU integration
# tests, through ctest. Run as root on a fresh Debian 12 machine: it installs what it needs.
# Then the host tests under ASan/UBSan and the fuzzers for 60 s (MOAT_FUZZ_SECONDS).
# Extra arguments go to ctest (e.g. -L host, -R qemu.enable) and skip the sanitizer and fuzz runs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/build.sh
ctest --test-dir build --output-on-failure -j2 "$@"
if [ $# -eq 0 ]; then
  # The host tests once more under AddressSanitizer and UBSan: every parser of untrusted input
  # (descriptors, overlays, board trees) must be clean, not just pass.
  cmake -S . -B build-asan -G Ninja -DMOAT_SANITIZE=ON -DMOAT_HOST_ONLY=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-asan
  ctest --test-dir build-asan --output-on-failure -j2 -L host
  # The libFuzzer targets over the descriptor validator and the cell compiler, bounded in time.
  ./scripts/fuzz.sh "${MOAT_FUZZ_SECONDS:-60}"
fi
