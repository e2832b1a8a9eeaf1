# ZCU102 under QEMU (qemu-run.sh --board zcu102, by hand: docs/boards/zcu102.md), without
# enabling moat: the kernel got moat's tree and left its memory alone, started at EL2, moat.ko loads, and PSCI CPU_OFF/CPU_ON work. QEMU's ZynqMP has no
# firmware for the Cadence UART's clock, so ttyPS0 never binds and only the kernel's early
# console prints: /init sends what this script prints to the kernel log.
echo "zcu102-probe: model: $(tr -d '\0' < /proc/device-tree/model)"
echo "zcu102-probe: reserved-memory: $(ls /proc/device-tree/reserved-memory | tr '\n' ' ')"
grep -E "System RAM|reserved" /proc/iomem | sed 's/^/zcu102-probe: iomem: /'
cat /tmp/boot-dmesg 2>/dev/null | grep -E "All CPU\(s\) started at|KVM" | sed 's/^/zcu102-probe: /'
insmod /moat.ko && echo "zcu102-probe: insmod moat.ko ok"
moat info | sed 's/^/zcu102-probe: info: /'
echo 0 > /sys/devices/system/cpu/cpu3/online && echo "zcu102-probe: cpu3 offline (PSCI CPU_OFF)"
echo 1 > /sys/devices/system/cpu/cpu3/online && echo "zcu102-probe: cpu3 online again (PSCI CPU_ON), $(nproc) CPUs"
rmmod moat && echo "zcu102-probe: rmmod ok"
exit 0
