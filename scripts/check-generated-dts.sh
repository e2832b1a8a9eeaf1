#!/usr/bin/env bash
# Compares a committed generated tree (dts/*.dts) with the one its generator makes today, on the
# facts only: the header comment (which QEMU or Debian kernel package it came from) is left out,
# so a new Debian kernel ABI or QEMU point release with the same tree passes. When the tree's
# content really changed, it fails with the diff, both provenance lines and the one command that
# regenerates the file.
#
# Usage: scripts/check-generated-dts.sh COMMITTED.dts GENERATED.dts "REGENERATE COMMAND"
set -euo pipefail
committed=${1:?usage: check-generated-dts.sh COMMITTED GENERATED "REGENERATE COMMAND"}
generated=${2:?usage: check-generated-dts.sh COMMITTED GENERATED "REGENERATE COMMAND"}
regen=${3:?usage: check-generated-dts.sh COMMITTED GENERATED "REGENERATE COMMAND"}
[ -f "$generated" ] || { echo "check-generated-dts: $generated was not generated (see the generator's error above)" >&2; exit 2; }

# The header: the leading run of // comment lines. Everything after it is the tree.
body() { awk 'body || !/^\/\//{ body = 1; print }' "$1"; }
header() { awk '!/^\/\//{ exit } { print }' "$1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
body "$committed" > "$tmp/committed"
body "$generated" > "$tmp/generated"
if cmp -s "$tmp/committed" "$tmp/generated"; then
  echo "check-generated-dts: $(basename "$committed") matches (source of today's: $(header "$generated" | sed -n 2p | sed 's|^// ||'))"
  exit 0
fi
echo "check-generated-dts: the content of $committed differs from what its source gives today."
echo "  committed from: $(header "$committed" | sed -n 2p | sed 's|^// ||')"
echo "  today's from:   $(header "$generated" | sed -n 2p | sed 's|^// ||')"
echo "  what changed (header lines left out):"
diff -u --label "committed $(basename "$committed")" --label "today's tree" "$tmp/committed" "$tmp/generated" | sed 's/^/    /' || true
echo "If the new tree is right: regenerate with"
echo "    $regen"
echo "then review the diff, rebuild (moat-cellc checks every cell against the new tree) and commit."
exit 1
