# ZCU102: the control loop of cells/zcu102/ctl-loop.dtso, which is given the second UART
# (uart1, alias serial1): the cell prints on its own serial line, not through the hypervisor
# (which has no Cadence UART driver) and not on the board's stdout-path (uart0, Linux's).
set(DEMO_CELL_CONSOLE serial1)
set(DEMO_PROGRAMS ctl-loop)
