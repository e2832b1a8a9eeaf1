# Linux keeps working under the hypervisor: timers, IPIs on every CPU, the UART, a virtio disk,
# the network, and a bounded stress load; nothing in dmesg complains.
. /tests/lib.sh
ipis() { awk '/^ *IPI[01]:/ { for (i = 2; i <= 5; i++) s[i] += $i } END { print s[2], s[3], s[4], s[5] }' /proc/interrupts; }
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
for m in failover net_failover virtio_mmio virtio_blk virtio_net; do insmod /lib/modules/$m.ko; done
sleep 1
check "virtio disk appeared" test -b /dev/vda
check "virtio network card appeared" test -d /sys/class/net/eth0

# Timers: a 2 s sleep takes 2 s of uptime.
t0=$(cut -d' ' -f1 /proc/uptime); sleep 2; t1=$(cut -d' ' -f1 /proc/uptime)
echo "sleep 2 took $(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }') s"
check "timer: sleep 2 lasts 2 s (+-0.5)" sh -c "echo '$t0 $t1' | awk '{ d = \$2 - \$1; exit !(d > 1.5 && d < 2.5) }'"

# IPIs: every CPU receives rescheduling and function-call IPIs while work moves around.
before=$(ipis); workload; echo 3 > /proc/sys/vm/drop_caches; workload; after=$(ipis)
echo "IPIs per CPU before: $before, after: $after"
check "IPIs reach every CPU" sh -c "echo '$before $after' | awk '{ for (i = 1; i <= 4; i++) if (\$(i + 4) <= \$i) exit 1 }'"

# Disk: write a pattern, sync, drop the page cache, read it back from the device.
dd if=/dev/urandom of=/tmp/pattern bs=64k count=32 2>/dev/null
check "disk: write 2 MiB" dd if=/tmp/pattern of=/dev/vda bs=64k count=32 conv=fsync 2>/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches
check "disk: read back identical" sh -c "dd if=/dev/vda bs=64k count=32 2>/dev/null | cmp -s - /tmp/pattern"

# Network: DHCP from QEMU's user network, then ping its gateway.
ip link set eth0 up
check "network: DHCP lease" sh -c "udhcpc -i eth0 -n -q -t 5 -s /bin/true 2>&1 | tee /tmp/dhcp | grep -q 'lease of 10.0.2.15 obtained'"
cat /tmp/dhcp
ip addr add 10.0.2.15/24 dev eth0
check "network: ping the gateway" ping -c 3 -W 2 10.0.2.2

# Stress: every CPU busy, disk and memory churning, for a bounded 5 s.
end=$(($(cut -d. -f1 /proc/uptime) + 5))
for cpu in 0 1 2 3; do
	taskset -c $cpu sh -c "while [ \$(cut -d. -f1 /proc/uptime) -lt $end ]; do dd if=/dev/zero of=/tmp/s$cpu bs=64k count=16 2>/dev/null; md5sum /tmp/s$cpu >/dev/null; done" &
done
while [ $(cut -d. -f1 /proc/uptime) -lt $end ]; do dd if=/dev/vda of=/dev/null bs=64k count=32 2>/dev/null; done
wait
check "stress: still responsive" workload

moat stats | tee /tmp/stats
check "interrupts were injected on every CPU" sh -c "awk '/^irq / { for (i = 2; i <= 5; i++) if (\$i == 0) exit 1 }' /tmp/stats"
check "no denied accesses" sh -c "awk '/^abort_denied / { for (i = 2; i <= 5; i++) if (\$i != 0) exit 1 }' /tmp/stats"
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace|rcu.*stall|hung task'"
check "moat disable" moat disable
check "the disk still works after disable" sh -c "dd if=/dev/vda bs=64k count=32 2>/dev/null | cmp -s - /tmp/pattern"
check "the network still works after disable" ping -c 1 -W 2 10.0.2.2
finish
