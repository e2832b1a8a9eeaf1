#!/usr/bin/env bash
# Builds everything and runs every test: host unit tests (GoogleTest) and the QEMU integration
# tests, through ctest. Run as root on a fresh Debian 12 machine: it installs what it needs.
# Then the host tests under ASan/UBSan and the fuzzers for 60 s (MOAT_FUZZ_SECONDS).
# Extra arguments go to ctest (e.g. -L host, -R qemu.enable) and skip the sanitizer and fuzz runs.
# Every stage runs even when one before it failed (a failure in one must not hide the others);
# the last lines say which failed, and the exit status is non-zero if any did.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./scripts/build.sh
cache=${MOAT_CACHE:-$top/.cache}
echo "test.sh: Debian kernels linux-image-$(cat "$cache/kernel/abi")-arm64 and (qemu.k612.*) linux-image-$(cat "$cache/kernel-6.12/abi")-arm64, $(./scripts/qemu-version.sh)"
failed=()
if [ $# -eq 0 ]; then
  ctest --test-dir build --output-on-failure -j2 -L host || failed+=("ctest -L host (build/)")
  # The QEMU tests get a second run if one fails: on GICv2, QEMU (7.2 and 10.0 alike) sometimes
  # leaves a level interrupt unsignalled after a guest deactivates it through the virtual CPU
  # interface while it is asserted again; once the root is down to CPU 0, its timer then never
  # fires and the guest sleeps forever (qemu.hotplug.gicv2 and the GICv2 lifecycle stress;
  # docs/security.md "Known gaps" has the state dump, the QEMU code path and the counts). A
  # stop-gap until CI runs a QEMU with that fixed: a test that fails twice still fails.
  ctest --test-dir build --output-on-failure -j2 -LE host --repeat until-pass:2 || failed+=("ctest -LE host (build/)")
else
  ctest --test-dir build --output-on-failure -j2 "$@" || failed+=("ctest (build/)")
fi
if [ $# -eq 0 ]; then
  # The host tests once more under AddressSanitizer and UBSan: every parser of untrusted input
  # (descriptors, overlays, board trees) must be clean, not just pass.
  if cmake -S . -B build-asan -G Ninja -DMOAT_SANITIZE=ON -DMOAT_HOST_ONLY=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
     cmake --build build-asan; then
    ctest --test-dir build-asan --output-on-failure -j2 -L host || failed+=("ctest under ASan/UBSan (build-asan/)")
  else
    failed+=("the ASan/UBSan build")
  fi
  # The libFuzzer targets over the descriptor validator and the cell compiler, bounded in time.
  ./scripts/fuzz.sh "${MOAT_FUZZ_SECONDS:-60}" || failed+=("the fuzzers (scripts/fuzz.sh)")
fi
if [ ${#failed[@]} -gt 0 ]; then
  printf 'test.sh: FAILED: %s\n' "${failed[@]}"
  exit 1
fi
echo "test.sh: every stage passed"
