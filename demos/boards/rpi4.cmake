# Raspberry Pi 4: the control loop of cells/rpi4/ctl-loop.dtso, which is given the mini UART
# (uart1, alias serial1, QEMU raspi4b's second serial port): the cell prints on its own serial
# line, not through the hypervisor. Debian's tree has no /psci: arm-trusted-firmware adds it at
# boot, and moat's fragment states it (as it does for moat-cellc).
set(DEMO_BOARD_FRAGMENT dts/rpi4-moat.dtso)
set(DEMO_CELL_CONSOLE serial1)
set(DEMO_PROGRAMS ctl-loop)
