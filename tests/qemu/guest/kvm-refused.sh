# Booted without kvm-arm.mode=none: KVM may take EL2, so enable must refuse and say how to boot.
. /tests/lib.sh
# KVM took EL2: the kernel registers /dev/kvm only once KVM's hyp mode is set up. Its own line
# for that differs between kernel generations (6.1: "Hyp mode initialized successfully", 6.12:
# "Hyp nVHE mode initialized successfully"), so it is shown for the record, not matched.
check "KVM initialised (precondition: /dev/kvm exists)" test -c /dev/kvm
dmesg | grep 'kvm \[[0-9]*\]: .*initialized' | sed 's/^/kernel: /'
check "insmod moat.ko" insmod /moat.ko
run_expect_fail "enable refused while KVM may own EL2" "kvm-arm.mode=none" moat enable $ROOT_CELL
check "state stays disabled" sh -c "moat info | grep -q 'state: *disabled'"
check "rmmod" rmmod moat
finish
