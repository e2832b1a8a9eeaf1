#!/usr/bin/env bash
# Lays out what goes on a real board's SD card boot partition (FAT), from Debian packages and the
# project's own board tree (docs/boards/rpi4.md, docs/boards/zcu102.md, "From a fresh SD card").
#
#   mk-bootfiles.sh --board rpi4|zcu102 --out DIR [--ram-mb N] [--root SPEC] [--initrd FILE]
#                   [--kernel-deb FILE] [--from-cache] [--no-firmware] [--cache DIR] [--build DIR]
#
# rpi4: config.txt, cmdline.txt, start4.elf + fixup4.dat (Debian raspi-firmware, component
#   non-free-firmware), bl31.bin (Debian arm-trusted-firmware, rpi4: PSCI; loaded as the armstub),
#   vmlinuz (Debian's arm64 kernel, a plain Image), rpi4-moat.dtb and, with --initrd, initrd.img.
# zcu102: Image, zcu102-moat.dtb, boot.cmd + boot.scr (U-Boot script, if mkimage is there),
#   boot.bif and BOOT.BIN.txt: BOOT.BIN itself (FSBL, PMU firmware, BL31, U-Boot) is not in Debian.
# Both: moat/ with the board's cell overlays (*.dtbo) and the cells compiled by moat-cellc against
#   the DTB written here (needs a build: --build, default build/).
#
# The DTB is dts/BOARD.dts with dts/BOARD-moat.dtso applied (dtc -@, fdtoverlay), the way the build
# makes build/dts/BOARD-moat.dtb: moat's reserved memory comes from the fragment, never restated.
# --ram-mb N (rpi4 only; default 4096, the fragment's board): the RAM the firmware hands Linux.
#   config.txt gets total_mem=N (the firmware caps the ARM's RAM there, so a larger board boots
#   with the same banks) and the DTB's /memory the banks the firmware writes for N MiB: the
#   fragment's banks cut at N MiB, plus RAM from 4 GiB up beyond 4096. Refused when moat's
#   regions would not lie in RAM (the 1 GB board).
# --root SPEC: the kernel's root= (default LABEL=moat-root: partition 2 of the docs' card; a
#   LABEL needs an initramfs such as Debian's).
# --initrd FILE: copied as initrd.img (rpi4: "initramfs initrd.img followkernel"; zcu102: boot.scr
#   loads it). build/initramfs.cpio.gz (moat.ko, moat, the cells, a shell) works for a first check.
# --kernel-deb FILE: take the kernel from that linux-image-*-arm64 .deb instead of the cache.
# Packages are fetched with apt-get download into the cache (<cache>/kernel by fetch-kernel.sh,
# <cache>/tfa by fetch-tfa.sh, <cache>/raspi-firmware here); --from-cache never fetches and stops
# with what is missing. --no-firmware (rpi4) leaves out start4.elf/fixup4.dat, e.g. for tests.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MOAT_CACHE:-$top/.cache} build=$top/build
board="" out="" ram_mb="" root_spec="LABEL=moat-root" initrd="" kernel_deb="" from_cache=0 no_firmware=0
die() { echo "mk-bootfiles: $*" >&2; exit 1; }
usage_error() { echo "mk-bootfiles: $* (see --help)" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --board) board=${2:-}; shift ;;
    --out) out=${2:-}; shift ;;
    --ram-mb) ram_mb=${2:-}; shift ;;
    --root) root_spec=${2:-}; shift ;;
    --initrd) initrd=${2:-}; shift ;;
    --kernel-deb) kernel_deb=${2:-}; shift ;;
    --from-cache) from_cache=1 ;;
    --no-firmware) no_firmware=1 ;;
    --cache) cache=${2:-}; shift ;;
    --build) build=${2:-}; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) usage_error "unknown option $1" ;;
  esac
  shift
done
case $board in
  rpi4|zcu102) ;;
  "") usage_error "--board is required: rpi4 or zcu102" ;;
  *) usage_error "unknown board '$board': rpi4 or zcu102" ;;
esac
[ -n "$out" ] || usage_error "--out DIR is required (the directory to lay the boot partition out in)"
if [ -n "$ram_mb" ]; then
  [ "$board" = rpi4 ] || usage_error "--ram-mb is for the Raspberry Pi 4 (config.txt total_mem=); on the ZCU102 U-Boot writes /memory from the DDR it finds: compile root.cell on the board (docs/boards/zcu102.md)"
  [[ $ram_mb =~ ^[1-9][0-9]*$ ]] || usage_error "--ram-mb takes the RAM in MiB, e.g. 2048, got '$ram_mb'"
fi
[ "$board" = rpi4 ] || [ $no_firmware -eq 0 ] || usage_error "--no-firmware is for rpi4 (the ZCU102's firmware is BOOT.BIN, never laid out here)"
[ -z "$initrd" ] || [ -f "$initrd" ] || die "--initrd $initrd: no such file"
[ -z "$kernel_deb" ] || [ -f "$kernel_deb" ] || die "--kernel-deb $kernel_deb: no such file"
for tool in dtc fdtoverlay fdtget fdtput python3; do
  command -v $tool >/dev/null || die "$tool is missing (Debian: device-tree-compiler, python3; scripts/install-deps.sh)"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
mkdir "$tmp/out"
trap 'rm -rf "$tmp"' EXIT

# --- Sources: every one from a Debian package, cached under $cache ---------------------------

# The kernel Image: --kernel-deb, else the cache of scripts/fetch-kernel.sh (fetched if allowed).
kernel_image() {
  if [ -n "$kernel_deb" ]; then
    dpkg-deb -x "$kernel_deb" "$tmp/kdeb"
    local k
    k=$(ls "$tmp"/kdeb/boot/vmlinuz-* 2>/dev/null | head -n1 || true)
    [ -n "$k" ] || die "$kernel_deb holds no /boot/vmlinuz-*: pass a linux-image-<abi>-arm64 package"
    echo "$k"
    return
  fi
  if [ ! -f "$cache/kernel/abi" ]; then
    [ $from_cache -eq 0 ] || die "no kernel in $cache/kernel: run scripts/fetch-kernel.sh, or pass --kernel-deb"
    MOAT_CACHE=$cache "$top/scripts/fetch-kernel.sh" >&2
  fi
  local abi k
  abi=$(cat "$cache/kernel/abi")
  k=$cache/kernel/root/boot/vmlinuz-$abi-arm64
  [ -f "$k" ] || die "$k is missing: run scripts/fetch-kernel.sh again"
  echo "$k"
}

# Debian's arm-trusted-firmware rpi4/bl31.bin, through scripts/fetch-tfa.sh's cache.
rpi4_bl31() {
  local f=$cache/tfa/rpi4/bl31.bin
  if [ ! -f "$f" ]; then
    [ $from_cache -eq 0 ] || die "no $f: run scripts/fetch-tfa.sh (Debian's arm-trusted-firmware)"
    MOAT_CACHE=$cache "$top/scripts/fetch-tfa.sh" >&2
  fi
  echo "$f"
}

# Debian's raspi-firmware (Architecture: all, component non-free-firmware): start4.elf and
# fixup4.dat, the Pi 4's VideoCore firmware (the Pi 4 has its first stage in EEPROM). When the
# host's apt sources lack non-free-firmware, a private apt state in the cache names it, so the
# host's own configuration is never changed.
fetch_raspi_firmware() {
  local dir=$cache/raspi-firmware
  mkdir -p "$tmp/fw"
  if ! (cd "$tmp/fw" && apt-get download -q raspi-firmware >&2 2>/dev/null); then
    local codename
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || die "raspi-firmware: apt has none and /etc/os-release names no Debian release: add Debian's non-free-firmware component to apt's sources, apt-get update"
    echo "mk-bootfiles: raspi-firmware is in Debian's non-free-firmware component, which apt's sources lack: using $codename non-free-firmware through $dir/apt" >&2
    local apt=$dir/apt
    mkdir -p "$apt/lists/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $codename non-free-firmware" > "$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$apt/lists")
    apt-get -q "${opts[@]}" update >&2 || die "raspi-firmware: apt-get update of $codename non-free-firmware failed (network?)"
    (cd "$tmp/fw" && apt-get -q "${opts[@]}" download raspi-firmware >&2) \
      || die "raspi-firmware: apt-get download failed; or fetch start4.elf and fixup4.dat from the Raspberry Pi firmware releases into $dir"
  fi
  local deb
  deb=$(ls "$tmp"/fw/raspi-firmware_*.deb)
  dpkg-deb -x "$deb" "$tmp/fw/x"
  for f in start4.elf fixup4.dat; do
    [ -f "$tmp/fw/x/usr/lib/raspi-firmware/$f" ] || die "$deb has no /usr/lib/raspi-firmware/$f"
    cp "$tmp/fw/x/usr/lib/raspi-firmware/$f" "$dir/"
  done
  cp "$tmp/fw/x/usr/share/doc/raspi-firmware/copyright" "$dir/copyright"
  dpkg-deb -f "$deb" Version > "$dir/version"
  echo "mk-bootfiles: raspi-firmware $(cat "$dir/version") cached in $dir" >&2
}
raspi_firmware() {
  local dir=$cache/raspi-firmware
  if [ ! -f "$dir/start4.elf" ] || [ ! -f "$dir/fixup4.dat" ]; then
    [ $from_cache -eq 0 ] || die "no raspi-firmware in $dir (start4.elf, fixup4.dat): run without --from-cache to fetch Debian's raspi-firmware, or pass --no-firmware"
    mkdir -p "$dir"
    fetch_raspi_firmware
  fi
  echo "$dir"
}

# --- The board tree ---------------------------------------------------------------------------

# dts/BOARD.dts + dts/BOARD-moat.dtso, as dts/CMakeLists.txt builds build/dts/BOARD-moat.dtb.
board_dtb() {
  local dst=$1
  dtc -q -@ -I dts -O dtb -o "$tmp/$board.dtb" "$top/dts/$board.dts"
  dtc -q -@ -I dts -O dtb -o "$tmp/$board-moat.dtbo" "$top/dts/$board-moat.dtso"
  fdtoverlay -i "$tmp/$board.dtb" -o "$dst" "$tmp/$board-moat.dtbo"
}

# The tree's facts, read with fdtget: one python3 helper, so that cell counts are always the
# tree's own (#address-cells/#size-cells of the parent), never assumed.
fdt_py() {
  python3 - "$@" <<'PY'
import subprocess, sys

def get(dtb, path, prop, kind="x"):
    r = subprocess.run(["fdtget", "-t", kind, dtb, path, prop], capture_output=True, text=True)
    return r.stdout.split() if r.returncode == 0 else None

def cells(dtb, path, prop, default):
    v = get(dtb, path, prop)
    return int(v[0], 16) if v else default

def regs(dtb, path):
    parent = path.rsplit("/", 1)[0] or "/"
    ac, sc = cells(dtb, parent, "#address-cells", 2), cells(dtb, parent, "#size-cells", 1)
    v = [int(c, 16) for c in (get(dtb, path, "reg") or [])]
    out = []
    for i in range(0, len(v) - ac - sc + 1, ac + sc):
        a = 0
        for c in v[i:i + ac]: a = (a << 32) | c
        s = 0
        for c in v[i + ac:i + ac + sc]: s = (s << 32) | c
        out.append((a, s))
    return out, ac, sc

def children(dtb, path):
    r = subprocess.run(["fdtget", "-l", dtb, path], capture_output=True, text=True)
    return r.stdout.split() if r.returncode == 0 else []

def moat_regions(dtb):
    found = {}
    for n in children(dtb, "/reserved-memory"):
        p = "/reserved-memory/" + n
        compat = get(dtb, p, "compatible", "s") or []
        for c in ("moat,hypervisor", "moat,cell-pool"):
            if c in compat:
                found[c] = (p, regs(dtb, p)[0])
    return found

cmd, dtb = sys.argv[1], sys.argv[2]
if cmd == "memory":
    # memory DTB RAM_MB: the banks the Pi's firmware writes for RAM_MB MiB, as fdtput -t x cells.
    ram = int(sys.argv[3]) << 20
    banks, ac, sc = regs(dtb, "/memory@0")
    four_gib = 1 << 32
    new = []
    for a, s in banks:
        end = min(a + s, ram)
        if end > a:
            new.append((a, end - a))
    # Beyond 4 GiB the BCM2711's RAM continues at 4 GiB (the 8 GB board), above the peripherals.
    if ram > four_gib:
        new.append((four_gib, ram - four_gib))
    for c, (p, rs) in moat_regions(dtb).items():
        for a, s in rs:
            if not any(b <= a and a + s <= b + bs for b, bs in new):
                sys.exit(f"mk-bootfiles: --ram-mb {sys.argv[3]}: moat's {c} region {p} (0x{a:x}+0x{s:x}) is not in the "
                         f"RAM of a {sys.argv[3]} MiB board: move moat's regions in dts/{sys.argv[4]}-moat.dtso "
                         f"into RAM that board has (docs/boards/{sys.argv[4]}.md), or give more RAM")
    words = []
    for a, s in new:
        if s >= 1 << (32 * sc):
            # One size cell: a bank of 4 GiB or more is split.
            half = 1 << (32 * sc - 1)
            while s > 0:
                n = min(s, half); words += [(a, n)]; a += n; s -= n
        else:
            words.append((a, s))
    cells_out = []
    for a, s in words:
        cells_out += [(a >> (32 * i)) & 0xffffffff for i in reversed(range(ac))]
        cells_out += [(s >> (32 * i)) & 0xffffffff for i in reversed(range(sc))]
    print(" ".join(f"0x{c:x}" for c in cells_out))
elif cmd == "uart":
    # uart DTB ALIAS: the CPU address of the UART an alias names, through its parent's ranges.
    path = get(dtb, "/aliases", sys.argv[3], "s")
    if not path:
        sys.exit(f"mk-bootfiles: the tree has no alias {sys.argv[3]}")
    path = path[0]
    (a, _), = regs(dtb, path)[0][:1]
    parent = path.rsplit("/", 1)[0] or "/"
    rng = get(dtb, parent, "ranges")
    if rng:
        pac = cells(dtb, parent.rsplit("/", 1)[0] or "/", "#address-cells", 2)
        cac, csc = cells(dtb, parent, "#address-cells", 2), cells(dtb, parent, "#size-cells", 1)
        v = [int(c, 16) for c in rng]
        step = cac + pac + csc
        for i in range(0, len(v), step):
            num = lambda ws: int("".join(f"{w:08x}" for w in ws), 16)
            child, par, size = num(v[i:i + cac]), num(v[i + cac:i + cac + pac]), num(v[i + cac + pac:i + step])
            if child <= a < child + size:
                a = par + (a - child)
                break
        else:
            sys.exit(f"mk-bootfiles: {path}: 0x{a:x} is in no range of {parent}")
    print(f"0x{a:x}")
elif cmd == "regions":
    for c, (p, rs) in sorted(moat_regions(dtb).items()):
        for a, s in rs:
            print(f"{c} {p} 0x{a:x} 0x{s:x}")
PY
}

# --- Cells: compiled against the DTB written here ---------------------------------------------

# moat/: the board's cell overlays and the cells compiled from them against DTB, each with the
# others as context, as cells/CMakeLists.txt does. Then moat-cellc check on the whole system.
board_cells() {
  local dtb=$1 cellc=$build/tools/cellc/moat-cellc dir=$build/cells/$board
  if [ ! -x "$cellc" ] || ! ls "$dir"/*.dtbo >/dev/null 2>&1; then
    echo "mk-bootfiles: no moat-cellc or cell overlays in $build (cmake --build build): moat/ left out" >&2
    return
  fi
  mkdir -p "$out/moat"
  local overlays=("$dir"/*.dtbo) o name
  cp "${overlays[@]}" "$out/moat/"
  for o in "${overlays[@]}"; do
    name=$(basename "$o" .dtbo)
    # An overlay that defines no cell (a shared-memory context) gives no .cell.
    grep -q 'moat,\(root-\)\?cell' "$top/cells/$board/$name.dtso" || continue
    local context=()
    for c in "${overlays[@]}"; do [ "$c" = "$o" ] || context+=("$c"); done
    "$cellc" compile --board "$dtb" "${context[@]}" "$o" -o "$out/moat/$name.cell" >/dev/null \
      || die "moat-cellc refused $name for $(basename "$dtb") (above): the tree and the cells disagree"
  done
  "$cellc" check --board "$dtb" "${overlays[@]}" >/dev/null \
    || die "moat-cellc check refused the cells on $(basename "$dtb") (above)"
}

# --- The boards ---------------------------------------------------------------------------------

layout_rpi4() {
  local ram=${ram_mb:-4096} kernel bl31 fw dtb=$tmp/out/rpi4-moat.dtb
  kernel=$(kernel_image)
  bl31=$(rpi4_bl31)
  board_dtb "$dtb"
  local banks
  banks=$(fdt_py memory "$dtb" "$ram" rpi4) || exit 1
  # shellcheck disable=SC2086  # the cells are words
  fdtput -t x "$dtb" /memory@0 reg $banks
  cp "$dtb" "$out/"
  cp "$kernel" "$out/vmlinuz"
  cp "$bl31" "$out/bl31.bin"
  if [ $no_firmware -eq 0 ]; then
    fw=$(raspi_firmware)
    cp "$fw/start4.elf" "$fw/fixup4.dat" "$out/"
  else
    rm -f "$out/start4.elf" "$out/fixup4.dat"
    echo "mk-bootfiles: --no-firmware: start4.elf and fixup4.dat left out: the card does not boot without them" >&2
  fi
  [ -z "$initrd" ] || cp "$initrd" "$out/initrd.img"
  [ -n "$initrd" ] || rm -f "$out/initrd.img"
  # The Linux console: the mini UART (serial1) on the header pins 8/10; BL31 points stdout-path at
  # the PL011 (serial0), which this tree routes to the Bluetooth chip, so it is named here.
  local miniuart
  miniuart=$(fdt_py uart "$dtb" serial1) || exit 1
  {
    echo "# Written by moat's scripts/mk-bootfiles.sh --board rpi4 (docs/boards/rpi4.md)."
    echo "arm_64bit=1"
    echo "# The mini UART on GPIO 14/15, 115200 8N1: BL31's and Linux's console."
    echo "enable_uart=1"
    echo "enable_gic=1"
    echo "# arm-trusted-firmware's BL31 at 0 in EL3: PSCI over SMC; enters the kernel at EL2."
    echo "armstub=bl31.bin"
    echo "kernel=vmlinuz"
    echo "# 2 MiB aligned, above BL31's 512 KiB."
    echo "kernel_address=0x200000"
    echo "device_tree=rpi4-moat.dtb"
    [ -z "$initrd" ] || echo "initramfs initrd.img followkernel"
    echo "# The RAM the firmware gives Linux (MiB): the banks rpi4-moat.dtb and moat/root.cell state."
    echo "total_mem=$ram"
  } > "$out/config.txt"
  echo "console=ttyS1,115200 earlycon=uart8250,mmio32,$miniuart kvm-arm.mode=none root=$root_spec rootwait" > "$out/cmdline.txt"
  board_cells "$dtb"
}

layout_zcu102() {
  local kernel dtb=$tmp/out/zcu102-moat.dtb
  kernel=$(kernel_image)
  board_dtb "$dtb"
  cp "$dtb" "$out/"
  cp "$kernel" "$out/Image"
  [ -z "$initrd" ] || cp "$initrd" "$out/initrd.img"
  [ -n "$initrd" ] || rm -f "$out/initrd.img"
  local bootargs="console=ttyPS0,115200 earlycon kvm-arm.mode=none root=$root_spec rootwait"
  # U-Boot's distro boot sets devtype, devnum and distro_bootpart to where it found boot.scr.
  # initrd_high/fdt_high all ones: U-Boot runs from the top of the low 2 GiB, where moat's
  # no-map regions are, and would otherwise relocate the initramfs and the tree there. (This is
  # why there is no extlinux.conf: it cannot set them.)
  {
    echo "echo \"moat: boot.scr from \${devtype} \${devnum}:\${distro_bootpart}\""
    echo "setenv bootargs \"$bootargs\""
    echo "load \${devtype} \${devnum}:\${distro_bootpart} \${kernel_addr_r} /Image"
    echo "load \${devtype} \${devnum}:\${distro_bootpart} \${fdt_addr_r} /zcu102-moat.dtb"
    echo "setenv initrd_high 0xffffffffffffffff"
    echo "setenv fdt_high 0xffffffffffffffff"
    if [ -n "$initrd" ]; then
      echo "load \${devtype} \${devnum}:\${distro_bootpart} \${ramdisk_addr_r} /initrd.img"
      echo "booti \${kernel_addr_r} \${ramdisk_addr_r}:\${filesize} \${fdt_addr_r}"
    else
      echo "booti \${kernel_addr_r} - \${fdt_addr_r}"
    fi
  } > "$out/boot.cmd"
  if command -v mkimage >/dev/null; then
    mkimage -q -A arm64 -O linux -T script -C none -n "moat boot" -d "$out/boot.cmd" "$out/boot.scr" >/dev/null
  else
    rm -f "$out/boot.scr"
    echo "mk-bootfiles: mkimage missing (Debian: u-boot-tools): boot.scr not made; on the host: mkimage -A arm64 -O linux -T script -C none -d boot.cmd boot.scr" >&2
  fi
  # bootgen's input: the four parts of BOOT.BIN. None is in Debian for the ZynqMP (Debian's
  # arm-trusted-firmware builds no zynqmp BL31, and there is no ZynqMP U-Boot package).
  cat > "$out/boot.bif" <<'EOF'
// bootgen -arch zynqmp -image boot.bif -o BOOT.BIN -w on   (docs/boards/zcu102.md)
the_ROM_image:
{
	[bootloader, destination_cpu=a53-0] zynqmp_fsbl.elf
	[pmufw_image] pmufw.elf
	[destination_cpu=a53-0, exception_level=el-3, trustzone] bl31.elf
	[destination_cpu=a53-0, exception_level=el-2] u-boot.elf
}
EOF
  cat > "$out/BOOT.BIN.txt" <<'EOF'
This directory is not bootable until BOOT.BIN is added: the ZCU102's boot ROM loads BOOT.BIN
(FSBL, PMU firmware, arm-trusted-firmware BL31, U-Boot) from the FAT partition, and Debian packages
none of the four for the ZynqMP. Build them with AMD/Xilinx's tools (Vitis: FSBL and PMU firmware
for the zcu102; arm-trusted-firmware PLAT=zynqmp; U-Boot xilinx_zynqmp_virt_defconfig), then
    bootgen -arch zynqmp -image boot.bif -o BOOT.BIN -w on
U-Boot must run at EL2 (exception_level=el-2 in boot.bif), or Linux cannot boot at EL2 and moat
cannot start. Step by step: docs/boards/zcu102.md.
EOF
  board_cells "$dtb"
}

"layout_$board"
echo "mk-bootfiles: $board boot files in $out:"
(cd "$out" && find . -type f | sort | sed 's|^\./|  |')
