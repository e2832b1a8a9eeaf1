# QEMU virt with a GICv3: every demo, in a cell and on the bare machine (qemu-run.sh --baremetal).
set(DEMO_BAREMETAL_OVERLAY qemu-virt-baremetal.dtso)
