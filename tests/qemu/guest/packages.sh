# Installing moat from its Debian packages (scripts/mkdeb.sh) and running the control loop from
# them, with nothing from the test initramfs: its moat.ko, moat tools and hypervisor image are
# removed first, so everything used must come from the packages in /extra/. Busybox's dpkg
# installs moat-tools; moat-dkms is unpacked with its dependency on DKMS waived (the guest has no
# DKMS, compiler or headers): the module DKMS built on the host from that package's sources
# against this kernel's headers (ctest host.packages.dkms) goes where `dkms install` puts it.
. /tests/lib.sh
kver=$(uname -r)
set -- /extra/moat-tools_*_arm64.deb; tools_deb=$1
set -- /extra/moat-dkms_*_all.deb; dkms_deb=$1
ver=${tools_deb#/extra/moat-tools_}; ver=${ver%_arm64.deb}
echo "packages: moat $ver for Linux $kver"
rm -f /moat.ko /bin/moat /bin/moat-cellc /bin/moat-ctl /lib/firmware/moat/moat-hv.bin
check "nothing of moat left outside the packages" sh -c '! command -v moat && ! command -v moat-cellc'
mkdir -p /var/lib/dpkg/info /var/lib/dpkg/updates && touch /var/lib/dpkg/status
check "dpkg -i moat-tools" dpkg -i "$tools_deb"
# Busybox's dpkg: -u unpacks without configuring, -F depends waives the dependency on dkms.
check "dpkg --unpack moat-dkms (DKMS itself is not in the guest)" dpkg -F depends -u "$dkms_deb"
dpkg -l | grep moat
check "dpkg: moat-tools installed" sh -c "dpkg -l | grep -q '^ii  moat-tools '"
check "dpkg: the DKMS source is in /usr/src/moat-$ver" test -f "/usr/src/moat-$ver/dkms.conf" -a -f "/usr/src/moat-$ver/main.c"
# Each package's md5sums (what dpkg checks installed files against), against the files on disk.
for p in moat-tools moat-dkms; do
	set -- /extra/${p}_*.deb
	dpkg-deb -e "$1" /tmp/ctl-$p
	check "$p: every installed file has the package's checksum" sh -c "cd / && md5sum -c -s /tmp/ctl-$p/md5sums"
done
check "moat --help names enable and cell create" sh -c "moat --help | grep -q '^  enable ROOT.CELL' && moat --help | grep -q '^  cell create FILE.cell'"
check "moat-cellc --help" sh -c "moat-cellc --help | grep -q 'moat-cellc compile --board'"
# dkms install: the module into updates/dkms of this kernel, then depmod (busybox's).
mkdir -p "/lib/modules/$kver/updates/dkms" && cp /extra/moat.ko "/lib/modules/$kver/updates/dkms/moat.ko"
check "depmod" depmod
check "modprobe moat (the DKMS-built module)" modprobe moat
check "the loaded module is the DKMS one (vermagic $kver)" sh -c "grep -q '^moat ' /proc/modules && modinfo -F vermagic /lib/modules/$kver/updates/dkms/moat.ko | grep -q '^$kver '"
cells=/usr/share/moat/cells/qemu-virt demos=/usr/share/moat/demos/qemu-virt-gicv3
check "moat enable (packaged root cell, /lib/firmware/moat/moat-hv.bin)" moat enable $cells/root.cell
check "moat cell create (packaged ctl-loop cell)" moat cell create $cells/ctl-loop.cell
check "moat cell load (packaged demo)" moat cell load ctl-loop $demos/ctl-loop.bin
check "moat cell start" moat cell start ctl-loop
sleep 3
moat cell list | tee /tmp/list
check "the cell is running" grep -q "ctl-loop *running *trapped *3" /tmp/list
moat console > /tmp/console
check "the packaged control loop reports from its cell" grep -q '^\[ctl-loop\] ctl-loop: t=2s periods=10000' /tmp/console
check "moat cell destroy" moat cell destroy ctl-loop
check "moat disable" moat disable
check "modprobe -r moat" modprobe -r moat
finish
