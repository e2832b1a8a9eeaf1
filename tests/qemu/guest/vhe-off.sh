# vhe-refused's advice taken: the same VHE CPU (QEMU's "max"), Linux booted with
# id_aa64mmfr1.vh=0 stays at EL1 over the hyp-stub, and moat enables, runs the root and disables.
. /tests/lib.sh
check "id_aa64mmfr1.vh=0 on the command line (precondition)" grep -q 'id_aa64mmfr1.vh=0' /proc/cmdline
check "insmod moat.ko" insmod /moat.ko
check "moat enable" moat enable $ROOT_CELL
check "the hypervisor answers at EL2 on every CPU" sh -c "moat info | grep -q 'answered at EL2' && moat info | grep -q 'hypervisor CPUs: *4'"
check "workload under the hypervisor" workload
check "moat disable" moat disable
check "rmmod after disable" rmmod moat
check "dmesg has no warning or oops" sh -c "! dmesg | grep -Ei 'WARNING:|Oops|BUG:|Call trace'"
finish
