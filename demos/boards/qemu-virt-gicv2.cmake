# QEMU virt with a GICv2: every demo, in a cell and on the bare machine
# (qemu-run.sh --baremetal ELF --gic 2).
set(DEMO_BAREMETAL_OVERLAY qemu-virt-baremetal.dtso)
