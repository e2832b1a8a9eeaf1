# On a CPU with VHE (QEMU's "max"), Linux booted with kvm-arm.mode=none runs at EL2 itself, 6.1
# and 6.12 alike: there is no hyp-stub to enter through, so enable must refuse and say how to boot.
. /tests/lib.sh
check "insmod moat.ko" insmod /moat.ko
run_expect_fail "enable refused while Linux runs at EL2 (VHE)" "id_aa64mmfr1.vh=0" moat enable $ROOT_CELL
check "state stays disabled" sh -c "moat info | grep -q 'state: *disabled'"
check "rmmod" rmmod moat
finish
