#!/usr/bin/env bash
# Renders the Graphviz sources in docs/diagrams/ to docs/images/<name>.svg and .png (Debian's
# graphviz package: apt-get install graphviz). Run after editing a .dot file; commit both.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/../images"
for src in "$here"/*.dot; do
  name=$(basename "$src" .dot)
  dot -Tsvg "$src" -o "$here/../images/$name.svg"
  dot -Tpng -Gdpi=96 "$src" -o "$here/../images/$name.png"
done
