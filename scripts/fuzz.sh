#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) in build-fuzz/ and runs
# each for a share of the time budget:
#   scripts/fuzz.sh [seconds]      (default 60 seconds in total)
# fuzz-validate: cell descriptor bytes -> lib/cell_validate.cpp and the dumps
# fuzz-overlay:  a cell .dtbo on the QEMU virt board -> moat-cellc compile + check
# fuzz-board:    a board .dtb under the QEMU virt cells -> moat-cellc check + compile
# fuzz-json:     JSON for moat-cellc pack (the inverse of dump --json)
# fuzz-ownership: cell descriptor bytes -> the validator, then lib/ownership.cpp against QEMU virt
# fuzz-steer:    messages from Linux (split at 0xff) -> the ctl-loop cell's steering
# Seeds are the committed cells (compiled here) and the regression inputs. A crash leaves its
# input in build-fuzz/crashes/<target>/; copy it to tests/fuzz/regressions/<target>/ so that
# cellc_tests replays it from then on. Exit status: 0 if no fuzzer found anything.
set -eu

total=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${MOAT_FUZZ_BUILD:-$root/build-fuzz}

mkdir -p "$out"
if ! { cmake -S "$root/tests/fuzz" -B "$out" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C "$out"; } >"$out/build.log" 2>&1; then
	cat "$out/build.log"
	echo "fuzz.sh: building the fuzzers failed"
	exit 1
fi

# Trees: the board with and without moat's fragment, every qemu-virt cell overlay.
trees=$out/trees
mkdir -p "$trees"
for gic in gicv3 gicv2; do
	dtc -q -@ -I dts -O dtb -o "$trees/qemu-virt-$gic.dtb" "$root/dts/qemu-virt-$gic.dts"
done
dtc -q -@ -I dts -O dtb -o "$trees/qemu-virt-moat.dtbo" "$root/dts/qemu-virt-moat.dtso"
fdtoverlay -i "$trees/qemu-virt-gicv3.dtb" -o "$trees/qemu-virt-gicv3-moat.dtb" "$trees/qemu-virt-moat.dtbo"
cells=""
for src in "$root"/cells/qemu-virt/*.dtso; do
	name=$(basename "$src" .dtso)
	dtc -q -@ -I dts -O dtb -o "$trees/$name.dtbo" "$src"
	cells="$cells $trees/$name.dtbo"
done

# Seeds for each target.
seeds=$out/seeds
mkdir -p "$seeds/validate" "$seeds/overlay" "$seeds/board" "$seeds/json" "$seeds/ownership" "$seeds/steer"
for dtbo in $cells; do
	name=$(basename "$dtbo" .dtbo)
	cp "$dtbo" "$seeds/overlay/"
	others=$(echo $cells | tr ' ' '\n' | grep -v "/$name.dtbo\$" | tr '\n' ' ')
	# shellcheck disable=SC2086 # word splitting of the overlay list is intended
	"$out/moat-cellc-asan" compile --board "$trees/qemu-virt-gicv3-moat.dtb" $others "$dtbo" \
		-o "$seeds/validate/$name.cell" 2>/dev/null || true
	[ -f "$seeds/validate/$name.cell" ] &&
		"$out/moat-cellc-asan" dump --json "$seeds/validate/$name.cell" >"$seeds/json/$name.json"
done
# The link system (cells/qemu-virt-link, its own root cell): its descriptors as seeds, and one
# overlay that holds the link and its cell together (the overlay target takes one overlay).
link_cells=""
for src in "$root"/cells/qemu-virt-link/*.dtso; do
	name=$(basename "$src" .dtso)
	dtc -q -@ -I dts -O dtb -o "$trees/link-$name.dtbo" "$src"
	link_cells="$link_cells $trees/link-$name.dtbo"
done
for name in echo link-root; do
	others=$(echo $link_cells | tr ' ' '\n' | grep -v "/link-$name.dtbo\$" | tr '\n' ' ')
	# shellcheck disable=SC2086 # word splitting of the overlay list is intended
	"$out/moat-cellc-asan" compile --board "$trees/qemu-virt-gicv3-moat.dtb" $others "$trees/link-$name.dtbo" \
		-o "$seeds/validate/link-$name.cell" 2>/dev/null || true
done
{ cat "$root/cells/qemu-virt-link/echo-link.dtso"; grep -v -e '^/dts-v1/;' -e '^/plugin/;' "$root/cells/qemu-virt-link/echo.dtso"; } \
	>"$trees/link-echo-combined.dtso"
dtc -q -@ -I dts -O dtb -o "$seeds/overlay/link-echo-combined.dtbo" "$trees/link-echo-combined.dtso" || true
cp "$trees/qemu-virt-gicv3.dtb" "$trees/qemu-virt-gicv2.dtb" "$seeds/board/"
cp "$seeds/validate/"*.cell "$seeds/ownership/" 2>/dev/null || true

# Context: the root cell and the shared-memory region, which the cell seeds refer to.
overlay_context="$trees/root.dtbo:$trees/shmem.dtbo"
board_overlays="$trees/qemu-virt-moat.dtbo$(for c in $cells; do printf ':%s' "$c"; done)"

per=$((total / 6))
[ "$per" -ge 1 ] || per=1
status=0
for target in validate overlay board json ownership steer; do
	case $target in
	validate) max_len=4096 ;;
	overlay) max_len=4096 ;;
	board) max_len=16384 ;;
	json) max_len=8192 ;;
	ownership) max_len=3736 ;;
	steer) max_len=2048 ;;
	esac
	mkdir -p "$out/corpus/$target" "$out/crashes/$target"
	echo "fuzz-$target: $per s"
	if ! MOAT_FUZZ_BOARD="$trees/qemu-virt-gicv3-moat.dtb" \
		MOAT_FUZZ_OVERLAYS=$([ $target = board ] && echo "$board_overlays" || echo "$overlay_context") \
		"$out/fuzz-$target" -max_total_time="$per" -max_len=$max_len -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$out/crashes/$target/" \
		"$out/corpus/$target" "$seeds/$target" "$root/tests/fuzz/regressions/$target" \
		>"$out/fuzz-$target.log" 2>&1; then
		echo "fuzz-$target FAILED: see $out/fuzz-$target.log and $out/crashes/$target/"
		tail -n 30 "$out/fuzz-$target.log"
		status=1
	else
		grep -E '^stat::number_of_executed_units|^Done' "$out/fuzz-$target.log" || true
	fi
done
exit $status
