# The README's demo, narrated: what a user types and what moat answers.
. /tests/lib.sh
say() { echo; echo "### $*"; }
say "Linux is up on $(nproc) CPUs: $(uname -r)"
dmesg | grep -m1 'started at EL2'
say "insmod moat.ko"
check "insmod moat.ko" insmod /moat.ko
say "moat enable: every CPU enters the hypervisor through the kernel's hyp-stub"
check "moat enable" moat enable /cells/root.cell
say "moat info: the hypervisor answers from EL2"
moat info
say "Linux keeps running under it: a workload on every CPU"
check "workload" workload
say "moat disable: EL2 goes back to the kernel's hyp-stub"
check "moat disable" moat disable
moat info
check "rmmod moat" rmmod moat
say "done; powering off"
finish
