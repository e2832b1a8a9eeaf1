#!/usr/bin/env bash
# Builds a boot disk for U-Boot's distro boot, the way a board's SD card or eMMC carries one:
# an MBR with one bootable Linux partition (ext4) holding the kernel Image, the initramfs, the
# board tree with moat's reserved memory, and /boot.scr, which loads the three and boots them.
#
#   mk-uboot-disk.sh --out DISK.img --kernel Image --initrd INITRD --dtb BOARD-moat.dtb
#                    --bootargs "KERNEL COMMAND LINE"
#
# boot.scr keeps U-Boot from relocating the initramfs and the tree (initrd_high and fdt_high all
# ones): U-Boot runs from the top of RAM, where moat's no-map regions are; it cannot reserve them
# (they overlap its own memory) and would otherwise copy both there, out of Linux's reach.
# Needs mkimage (u-boot-tools) and mke2fs (e2fsprogs); no root, no loop devices.
set -euo pipefail
out="" kernel="" initrd="" dtb="" bootargs=""
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2 ;;
    --kernel) kernel=$2 ;;
    --initrd) initrd=$2 ;;
    --dtb) dtb=$2 ;;
    --bootargs) bootargs=$2 ;;
    *) echo "mk-uboot-disk: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
for f in "$kernel" "$initrd" "$dtb"; do
  [ -f "$f" ] || { echo "mk-uboot-disk: missing $f" >&2; exit 2; }
done
for tool in mkimage mke2fs; do
  command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || { echo "mk-uboot-disk: $tool missing (scripts/install-deps.sh)" >&2; exit 2; }
done
PATH=$PATH:/usr/sbin
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$kernel" "$stage/Image"
cp "$initrd" "$stage/initrd.img"
cp "$dtb" "$stage/moat.dtb"
# U-Boot's distro boot sets devtype, devnum and distro_bootpart to where it found this script.
cat > "$stage/boot.cmd" <<EOF
echo "moat: boot.scr from \${devtype} \${devnum}:\${distro_bootpart}"
setenv bootargs "$bootargs"
load \${devtype} \${devnum}:\${distro_bootpart} \${kernel_addr_r} /Image
load \${devtype} \${devnum}:\${distro_bootpart} \${fdt_addr} /moat.dtb
load \${devtype} \${devnum}:\${distro_bootpart} \${ramdisk_addr_r} /initrd.img
setenv initrd_high 0xffffffffffffffff
setenv fdt_high 0xffffffffffffffff
booti \${kernel_addr_r} \${ramdisk_addr_r}:\${filesize} \${fdt_addr}
EOF
mkimage -q -A arm64 -O linux -T script -C none -n "moat boot" -d "$stage/boot.cmd" "$stage/boot.scr"
# Partition 1 from sector 2048 (1 MiB) to the end, sized for the files plus 16 MiB.
mib=$(( $(du -sm "$stage" | cut -f1) + 16 ))
rm -f "$out"
truncate -s $(( (mib + 1) * 1024 * 1024 )) "$out"
python3 - "$out" <<'EOF'
import os, struct, sys
sectors = os.path.getsize(sys.argv[1]) // 512
with open(sys.argv[1], "r+b") as f:
    # Bootable, type 0x83 (Linux), LBA 2048..end; CHS fields "beyond 1024 cylinders".
    f.seek(446)
    f.write(struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0x83, b"\xfe\xff\xff", 2048, sectors - 2048))
    f.seek(510)
    f.write(b"\x55\xaa")
EOF
mke2fs -q -F -t ext4 -L moat-boot -d "$stage" -E offset=1048576 "$out" "${mib}M"
