#!/usr/bin/env bash
# Lines of code of the hypervisor (hv/ and arch/arm64/, headers included): for each directory,
# files, physical lines, and code lines (not blank, not only a comment: //, /* ... */ blocks,
# and assembly's leading "*" continuation or "#"-less C comments). Prints JSON.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
count() {
  # $1: directory. C/C++ sources, headers, assembly and the linker script; build files are not code.
  find "$1" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.c' -o -name '*.S' -o -name '*.ld' \) -print0 |
    sort -z | xargs -0 awk '
      FNR == 1 { files++ }
      { lines++ }
      {
        s = $0
        if (inblock) { if (s ~ /\*\//) { inblock = 0; sub(/.*\*\//, "", s) } else next }
        gsub(/\/\*.*\*\//, "", s)
        if (s ~ /\/\*/) { inblock = 1; sub(/\/\*.*/, "", s) }
        sub(/\/\/.*/, "", s)
        if (s ~ /[^ \t]/) code++
      }
      END { printf "{\"files\": %d, \"lines\": %d, \"code\": %d}", files, lines, code }'
}
printf '{"hv": %s, "arch/arm64": %s}\n' "$(count hv)" "$(count arch/arm64)"
