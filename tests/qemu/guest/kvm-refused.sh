# Booted without kvm-arm.mode=none: KVM may take EL2, so enable must refuse and say how to boot.
. /tests/lib.sh
check "KVM initialised (precondition)" sh -c "dmesg | grep -q 'kvm \[1\]: .*Hyp mode initialized\|kvm \[1\]: VHE\|kvm \[1\]: nVHE'"
check "insmod moat.ko" insmod /moat.ko
run_expect_fail "enable refused while KVM may own EL2" "kvm-arm.mode=none" moat enable $ROOT_CELL
check "state stays disabled" sh -c "moat info | grep -q 'state: *disabled'"
check "rmmod" rmmod moat
finish
