# Generates the demos' board header from a compiled board tree, so that no address, interrupt
# number or firmware convention is written down by hand in the demo sources.
#
#   cmake -DDTB=<board.dtb> -DOUT=<board.hpp> [-DFDTGET=fdtget] -P board-header.cmake
#
# Reads: /chosen stdout-path (the console UART, must be an arm,pl011), the GICv3 node
# (compatible "arm,gic-v3": distributor and first redistributor region), the architected timer
# (compatible "arm,armv8-timer": the virtual timer is the third interrupt per the binding) and
# /psci (method "hvc" or "smc", PSCI 0.2 or later for SYSTEM_OFF).
cmake_minimum_required(VERSION 3.20)
if(NOT FDTGET)
  set(FDTGET fdtget)
endif()
foreach(var DTB OUT)
  if(NOT ${var})
    message(FATAL_ERROR "board-header: ${var} is required")
  endif()
endforeach()

# fdtget wrapper: OUT_VAR receives the value (cells as a list for -t x/-t u), fails loudly.
function(fdt out_var type node prop)
  execute_process(COMMAND ${FDTGET} -t ${type} ${DTB} ${node} ${prop}
    OUTPUT_VARIABLE value ERROR_VARIABLE err RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "board-header: ${DTB}: cannot read ${node} ${prop}: ${err}")
  endif()
  string(REPLACE " " ";" value "${value}")
  set(${out_var} "${value}" PARENT_SCOPE)
endfunction()

# Same, but an absent property yields an empty value instead of an error.
function(fdt_optional out_var type node prop)
  execute_process(COMMAND ${FDTGET} -t ${type} ${DTB} ${node} ${prop}
    OUTPUT_VARIABLE value ERROR_QUIET RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    set(value "")
  endif()
  string(REPLACE " " ";" value "${value}")
  set(${out_var} "${value}" PARENT_SCOPE)
endfunction()

# The first child of / whose compatible list contains `compat`.
function(find_compatible out_var compat)
  execute_process(COMMAND ${FDTGET} -l ${DTB} /
    OUTPUT_VARIABLE nodes RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "board-header: ${DTB}: cannot list the root node")
  endif()
  string(REPLACE "\n" ";" nodes "${nodes}")
  foreach(node IN LISTS nodes)
    # -t s prints a string list separated by spaces; compatible strings contain no spaces.
    fdt_optional(compats s /${node} compatible)
    if(compat IN_LIST compats)
      set(${out_var} /${node} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "board-header: ${DTB}: no node compatible with ${compat}")
endfunction()

# Joins `count` 32-bit hex cells starting at `index` of `cells` into one 0x-prefixed number.
function(cells_to_number out_var cells index count)
  set(value 0)
  math(EXPR last "${index} + ${count} - 1")
  foreach(i RANGE ${index} ${last})
    list(GET cells ${i} cell)
    math(EXPR value "(${value} << 32) | 0x${cell}" OUTPUT_FORMAT HEXADECIMAL)
  endforeach()
  set(${out_var} ${value} PARENT_SCOPE)
endfunction()

# The index-th (base, size) pair of a reg property of a child of the root.
fdt(addr_cells u / "#address-cells")
fdt(size_cells u / "#size-cells")
function(reg_entry base_var size_var node index)
  fdt(reg x ${node} reg)
  math(EXPR stride "${addr_cells} + ${size_cells}")
  math(EXPR first "${index} * ${stride}")
  math(EXPR size_first "${first} + ${addr_cells}")
  cells_to_number(base "${reg}" ${first} ${addr_cells})
  cells_to_number(size "${reg}" ${size_first} ${size_cells})
  set(${base_var} ${base} PARENT_SCOPE)
  set(${size_var} ${size} PARENT_SCOPE)
endfunction()

# --- console UART: the node /chosen/stdout-path names (options after ':' dropped).
fdt(stdout_path s /chosen stdout-path)
string(REGEX REPLACE ":.*" "" uart_node "${stdout_path}")
if(NOT uart_node MATCHES "^/")
  fdt(uart_node s /aliases ${uart_node})
endif()
fdt(uart_compat s ${uart_node} compatible)
if(NOT "arm,pl011" IN_LIST uart_compat)
  message(FATAL_ERROR "board-header: the console ${uart_node} is not an arm,pl011 (${uart_compat})")
endif()
reg_entry(uart_base uart_size ${uart_node} 0)

# --- GICv3: reg = distributor, then #redistributor-regions redistributor regions.
find_compatible(gic_node arm,gic-v3)
fdt(gic_irq_cells u ${gic_node} "#interrupt-cells")
if(NOT gic_irq_cells EQUAL 3)
  message(FATAL_ERROR "board-header: ${gic_node} has #interrupt-cells ${gic_irq_cells}, expected 3")
endif()
fdt_optional(gicr_regions u ${gic_node} "#redistributor-regions")
if(gicr_regions AND NOT gicr_regions EQUAL 1)
  message(FATAL_ERROR "board-header: ${gic_node}: ${gicr_regions} redistributor regions; the demos walk one")
endif()
reg_entry(gicd_base gicd_size ${gic_node} 0)
reg_entry(gicr_base gicr_size ${gic_node} 1)

# --- architected timer: interrupts are <type number flags> for the secure physical,
# non-secure physical, virtual and hypervisor timers, in that order (arm,arch_timer binding).
find_compatible(timer_node arm,armv8-timer)
fdt(timer_irqs u ${timer_node} interrupts)
set(GIC_SPEC_PPI 1)             # first cell: 0 = SPI, 1 = PPI (arm,gic-v3 binding)
set(GIC_PPI_INTID_BASE 16)      # PPI n is INTID 16 + n
set(TIMER_VIRT_INDEX 2)
set(IRQ_TYPE_LEVEL_HIGH 4)      # third cell, include/dt-bindings/interrupt-controller/irq.h
set(IRQ_TYPE_LEVEL_LOW 8)
math(EXPR type_at "${TIMER_VIRT_INDEX} * 3")
math(EXPR num_at "${type_at} + 1")
math(EXPR flags_at "${type_at} + 2")
list(GET timer_irqs ${type_at} vtimer_type)
list(GET timer_irqs ${num_at} vtimer_ppi)
list(GET timer_irqs ${flags_at} vtimer_flags)
if(NOT vtimer_type EQUAL GIC_SPEC_PPI)
  message(FATAL_ERROR "board-header: the virtual timer interrupt is not a PPI")
endif()
math(EXPR vtimer_intid "${GIC_PPI_INTID_BASE} + ${vtimer_ppi}")
math(EXPR vtimer_trigger "${vtimer_flags} & 15")
if(vtimer_trigger EQUAL IRQ_TYPE_LEVEL_HIGH OR vtimer_trigger EQUAL IRQ_TYPE_LEVEL_LOW)
  set(vtimer_level true)
else()
  set(vtimer_level false)
endif()

# --- PSCI: the conduit, and SYSTEM_OFF needs PSCI 0.2 or later.
fdt(psci_method s /psci method)
fdt(psci_compat s /psci compatible)
if(NOT "arm,psci-0.2" IN_LIST psci_compat AND NOT "arm,psci-1.0" IN_LIST psci_compat)
  message(FATAL_ERROR "board-header: /psci is not PSCI 0.2 or later (${psci_compat}); no SYSTEM_OFF")
endif()
if(psci_method STREQUAL "hvc")
  set(psci_hvc true)
elseif(psci_method STREQUAL "smc")
  set(psci_hvc false)
else()
  message(FATAL_ERROR "board-header: unknown /psci method '${psci_method}'")
endif()

get_filename_component(dtb_name ${DTB} NAME)
set(content "// Generated from ${dtb_name} by demos/cmake/board-header.cmake: do not edit.
#pragma once

#include <stdint.h>

namespace demo::board {

inline constexpr const char *kTree = \"${dtb_name}\";

// Console: ${uart_node} (/chosen stdout-path), an arm,pl011.
inline constexpr uintptr_t kUartBase = ${uart_base};
inline constexpr uintptr_t kUartSize = ${uart_size};

// GICv3 ${gic_node}: distributor and the redistributor region.
inline constexpr uintptr_t kGicdBase = ${gicd_base};
inline constexpr uintptr_t kGicdSize = ${gicd_size};
inline constexpr uintptr_t kGicrBase = ${gicr_base};
inline constexpr uintptr_t kGicrSize = ${gicr_size};

// Architected timer ${timer_node}: the EL1 virtual timer's PPI as a GIC INTID.
inline constexpr uint32_t kVirtualTimerIntid = ${vtimer_intid};
inline constexpr bool kVirtualTimerLevel = ${vtimer_level};

// /psci method \"${psci_method}\".
inline constexpr bool kPsciConduitHvc = ${psci_hvc};

}  // namespace demo::board
")
# Only rewrite on change, so that a rebuild does not recompile everything.
if(EXISTS ${OUT})
  file(READ ${OUT} old)
  if(old STREQUAL content)
    return()
  endif()
endif()
file(WRITE ${OUT} "${content}")
