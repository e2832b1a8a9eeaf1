# Host test of demos/cmake/board-header.cmake on the board trees in dts/: the facts it derives
# (GIC version and frames, console UART and its driver, timer, PSCI) for QEMU virt with either
# GIC and for the ZCU102 (nodes under /axi, a GIC-400, Cadence UARTs), the CONSOLE override,
# and its refusals.
#   cmake -DSOURCE=<repository> -DWORK=<scratch dir> -P board_header_test.cmake
cmake_minimum_required(VERSION 3.20)
set(script ${SOURCE}/demos/cmake/board-header.cmake)
file(MAKE_DIRECTORY ${WORK})
set(failures 0)

function(dtb out board)
  execute_process(COMMAND dtc -q -I dts -O dtb -o ${WORK}/${board}.dtb ${SOURCE}/dts/${board}.dts
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dtc ${board} failed")
  endif()
  set(${out} ${WORK}/${board}.dtb PARENT_SCOPE)
endfunction()

# generate(<case> <dtb> [-DCONSOLE=...]): header and facts of one case, or the error text.
function(generate case dtb)
  execute_process(COMMAND ${CMAKE_COMMAND} -DDTB=${dtb} -DOUT=${WORK}/${case}.hpp -DFACTS=${WORK}/${case}.cmake
                          ${ARGN} -P ${script}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  set(rc ${rc} PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
endfunction()

# expect_lines(<case> <line>...): each line appears in the case's header or facts file.
function(expect_lines case)
  file(READ ${WORK}/${case}.hpp text)
  file(READ ${WORK}/${case}.cmake facts)
  string(APPEND text "${facts}")
  foreach(line IN LISTS ARGN)
    string(FIND "${text}" "${line}" at)
    if(at EQUAL -1)
      message(SEND_ERROR "${case}: missing '${line}'")
      math(EXPR n "${failures} + 1")
      set(failures ${n} PARENT_SCOPE)
    endif()
  endforeach()
endfunction()

function(expect_ok case)
  generate(${ARGV})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${case}: board-header failed:\n${out}")
  endif()
endfunction()

# expect_refused(<case> <message part> <dtb> [args]): fails, saying why.
function(expect_refused case why)
  generate(${case} ${ARGN})
  string(REGEX REPLACE "[ \n]+" " " out "${out}")  # CMake wraps long messages
  string(FIND "${out}" "${why}" at)
  if(rc EQUAL 0 OR at EQUAL -1)
    message(SEND_ERROR "${case}: expected a refusal mentioning '${why}', got rc ${rc}:\n${out}")
    math(EXPR n "${failures} + 1")
    set(failures ${n} PARENT_SCOPE)
  endif()
endfunction()

dtb(v3 qemu-virt-gicv3)
expect_ok(virt-gicv3 ${v3})
expect_lines(virt-gicv3 "kGicVersion = 3;" "kGicdBase = 0x8000000;" "kGicrBase = 0x80a0000;"
  "kGicrSize = 0xf60000;" "kUartBase = 0x9000000;" "an arm,pl011" "kVirtualTimerIntid = 27;"
  "set(BOARD_GIC_VERSION 3)" "set(BOARD_UART_DRIVER pl011)")

dtb(v2 qemu-virt-gicv2)
expect_ok(virt-gicv2 ${v2})
expect_lines(virt-gicv2 "kGicVersion = 2;" "kGicdBase = 0x8000000;" "kGiccBase = 0x8010000;"
  "kGiccSize = 0x10000;" "kGichBase = 0x8030000;" "kGicvBase = 0x8040000;" "kUartBase = 0x9000000;"
  "set(BOARD_GIC_VERSION 2)" "set(BOARD_UART_DRIVER pl011)")

dtb(zcu102 zcu102)
expect_ok(zcu102 ${zcu102})
expect_lines(zcu102 "GICv2 /axi/interrupt-controller@f9010000" "kGicdBase = 0xf9010000;"
  "kGiccBase = 0xf9020000;" "kGiccSize = 0x20000;" "Console: /axi/serial@ff000000 (/chosen stdout-path)"
  "kUartBase = 0xff000000;" "a Cadence UART" "kVirtualTimerIntid = 27;" "kVirtualTimerLevel = true;"
  "kPsciConduitHvc = false;" "set(BOARD_UART_DRIVER cadence)")
# The ctl-loop cell's own UART, by alias and by path.
expect_ok(zcu102-serial1 ${zcu102} -DCONSOLE=serial1)
expect_lines(zcu102-serial1 "Console: /axi/serial@ff010000 (the build's CONSOLE)" "kUartBase = 0xff010000;")
expect_ok(zcu102-path ${zcu102} -DCONSOLE=/axi/serial@ff010000)
expect_lines(zcu102-path "kUartBase = 0xff010000;")

# A console that is no UART the library drives; a bus whose ranges translate addresses (as the
# Pi 4's /soc does), with a mini UART; an address outside every range.
expect_refused(not-a-uart "neither an arm,pl011, a Cadence UART" ${v3} -DCONSOLE=/pl061@9030000)
function(translated_dtb name serial_reg)
  file(WRITE ${WORK}/${name}.dts "/dts-v1/;
/ {
	#address-cells = <2>; #size-cells = <2>;
	chosen { stdout-path = \"/soc/serial@1000\"; };
	psci { compatible = \"arm,psci-0.2\"; method = \"smc\"; };
	timer { compatible = \"arm,armv8-timer\"; interrupts = <1 13 4 1 14 4 1 11 4 1 10 4>; };
	soc {
		compatible = \"simple-bus\"; #address-cells = <1>; #size-cells = <1>;
		ranges = <0x0 0x0 0x10000000 0x100000>;
		serial@1000 { compatible = \"arm,pl011\"; reg = <${serial_reg} 0x1000>; };
		serial@2040 { compatible = \"brcm,bcm2835-aux-uart\"; reg = <0x2040 0x40>; };
		gic@20000 { compatible = \"arm,gic-400\"; #interrupt-cells = <3>; reg = <0x20000 0x1000 0x30000 0x2000>; };
	};
};
")
  execute_process(COMMAND dtc -q -I dts -O dtb -o ${WORK}/${name}.dtb ${WORK}/${name}.dts RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dtc ${name}.dts failed")
  endif()
endfunction()
translated_dtb(translated 0x1000)
expect_ok(translated ${WORK}/translated.dtb)
expect_lines(translated "kUartBase = 0x10001000;" "kGicdBase = 0x10020000;" "kGiccBase = 0x10030000;"
  "set(BOARD_UART_DRIVER pl011)")
expect_ok(miniuart ${WORK}/translated.dtb -DCONSOLE=/soc/serial@2040)
expect_lines(miniuart "kUartBase = 0x10002040;" "a BCM2835 mini UART" "set(BOARD_UART_DRIVER miniuart)")
translated_dtb(outside 0x200000)
expect_refused(outside "0x200000 is in none of /soc's ranges" ${WORK}/outside.dtb)

if(failures GREATER 0)
  message(FATAL_ERROR "board-header: ${failures} check(s) failed")
endif()
message(STATUS "board-header: all checks passed")
