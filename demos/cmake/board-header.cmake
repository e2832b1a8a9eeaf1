# Generates the demos' board header from a compiled board tree, so that no address, interrupt
# number or firmware convention is written down by hand in the demo sources.
#
#   cmake -DDTB=<board.dtb> -DOUT=<board.hpp> [-DCONSOLE=<node path or alias>]
#         [-DFACTS=<board-facts.cmake>] [-DFDTGET=fdtget] -P board-header.cmake
#
# Reads: the console UART (CONSOLE if given, else /chosen stdout-path; an arm,pl011, a Cadence
# UART or the BCM2835 mini UART), the GIC (compatible "arm,gic-v3": distributor and first
# redistributor region; or a GICv2 "arm,gic-400"/"arm,cortex-a15-gic"/"arm,cortex-a7-gic":
# distributor and CPU interface), the
# architected timer (compatible "arm,armv8-timer": the virtual timer is the third interrupt per
# the binding) and /psci (method "hvc" or "smc", PSCI 0.2 or later for SYSTEM_OFF). Device nodes
# may sit under / or under a simple-bus; their addresses are translated through its `ranges` (the
# ZynqMP's /axi maps 1:1, the Pi 4's /soc does not).
# FACTS receives what the build needs to pick the library's sources: BOARD_GIC_VERSION (2 or 3)
# and BOARD_UART_DRIVER (pl011, cadence or miniuart).
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

# Same, but an absent property yields an empty value and `found_var` (if given) says whether it
# was there (an empty property such as `ranges;` is there with an empty value).
function(fdt_optional out_var type node prop)
  execute_process(COMMAND ${FDTGET} -t ${type} ${DTB} ${node} ${prop}
    OUTPUT_VARIABLE value ERROR_QUIET RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(found TRUE)
  if(NOT rc EQUAL 0)
    set(value "")
    set(found FALSE)
  endif()
  string(REPLACE " " ";" value "${value}")
  set(${out_var} "${value}" PARENT_SCOPE)
  if(ARGC GREATER 4)
    set(${ARGV4} ${found} PARENT_SCOPE)
  endif()
endfunction()

# The child nodes of `parent` as full paths.
function(fdt_children out_var parent)
  execute_process(COMMAND ${FDTGET} -l ${DTB} ${parent}
    OUTPUT_VARIABLE nodes RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "board-header: ${DTB}: cannot list ${parent}")
  endif()
  string(REPLACE "\n" ";" nodes "${nodes}")
  set(paths "")
  if(parent STREQUAL "/")
    set(parent "")
  endif()
  foreach(node IN LISTS nodes)
    list(APPEND paths ${parent}/${node})
  endforeach()
  set(${out_var} "${paths}" PARENT_SCOPE)
endfunction()

# The first node, among the children of / and of the simple-bus nodes directly under it, whose
# compatible list contains one of the given strings (tried in the order given).
function(find_compatible out_var)
  fdt_children(nodes /)
  set(candidates "")
  foreach(node IN LISTS nodes)
    list(APPEND candidates ${node})
    # -t s prints a string list separated by spaces; compatible strings contain no spaces.
    fdt_optional(compats s ${node} compatible)
    if("simple-bus" IN_LIST compats)
      fdt_children(bus_nodes ${node})
      list(APPEND candidates ${bus_nodes})
    endif()
  endforeach()
  foreach(compat IN LISTS ARGN)
    foreach(node IN LISTS candidates)
      fdt_optional(compats s ${node} compatible)
      if(compat IN_LIST compats)
        set(${out_var} ${node} PARENT_SCOPE)
        return()
      endif()
    endforeach()
  endforeach()
  set(${out_var} "" PARENT_SCOPE)
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

# A bus address of `bus`'s children as its parent sees it, through the bus's `ranges` (child
# address, parent address, size; an empty `ranges` maps 1:1). A bus without `ranges` does not
# make its children's addresses visible to the CPU.
function(translate_through out_var bus addr)
  fdt_optional(ranges x ${bus} ranges has_ranges)
  if(NOT has_ranges)
    message(FATAL_ERROR "board-header: ${bus} has no ranges: its children have no CPU address")
  endif()
  if(ranges STREQUAL "")
    set(${out_var} ${addr} PARENT_SCOPE)
    return()
  endif()
  get_filename_component(up ${bus} DIRECTORY)
  fdt(child_cells u ${bus} "#address-cells")
  fdt(parent_cells u ${up} "#address-cells")
  fdt(size_cells u ${bus} "#size-cells")
  math(EXPR stride "${child_cells} + ${parent_cells} + ${size_cells}")
  list(LENGTH ranges total)
  set(at 0)
  while(at LESS total)
    math(EXPR parent_at "${at} + ${child_cells}")
    math(EXPR size_at "${parent_at} + ${parent_cells}")
    cells_to_number(child "${ranges}" ${at} ${child_cells})
    cells_to_number(parent "${ranges}" ${parent_at} ${parent_cells})
    cells_to_number(size "${ranges}" ${size_at} ${size_cells})
    # Compared as decimal numbers (if() does not read hexadecimal).
    math(EXPR a "${addr}")
    math(EXPR c "${child}")
    math(EXPR end "${child} + ${size}")
    if(a GREATER_EQUAL c AND a LESS end)
        math(EXPR cpu "${addr} - ${child} + ${parent}" OUTPUT_FORMAT HEXADECIMAL)
        set(${out_var} ${cpu} PARENT_SCOPE)
        return()
    endif()
    math(EXPR at "${at} + ${stride}")
  endwhile()
  message(FATAL_ERROR "board-header: ${addr} is in none of ${bus}'s ranges")
endfunction()

# The index-th (base, size) pair of a node's reg, as a CPU address: the cell counts are the
# parent's, and the address is translated through the ranges of every bus up to / (the Pi 4's
# /soc maps bus address 0x7e00_0000 to the CPU's 0xfe00_0000).
function(reg_entry base_var size_var node index)
  get_filename_component(parent ${node} DIRECTORY)
  fdt(addr_cells u ${parent} "#address-cells")
  fdt(size_cells u ${parent} "#size-cells")
  fdt(reg x ${node} reg)
  math(EXPR stride "${addr_cells} + ${size_cells}")
  math(EXPR first "${index} * ${stride}")
  math(EXPR size_first "${first} + ${addr_cells}")
  cells_to_number(base "${reg}" ${first} ${addr_cells})
  cells_to_number(size "${reg}" ${size_first} ${size_cells})
  set(bus ${parent})
  while(NOT bus STREQUAL "/")
    translate_through(base ${bus} ${base})
    get_filename_component(bus ${bus} DIRECTORY)
  endwhile()
  set(${base_var} ${base} PARENT_SCOPE)
  set(${size_var} ${size} PARENT_SCOPE)
endfunction()

# --- console UART: the CONSOLE node (path or alias) if given, else the one /chosen stdout-path
# names (options after ':' dropped).
if(CONSOLE)
  set(uart_node ${CONSOLE})
  set(uart_why "the build's CONSOLE")
else()
  fdt(stdout_path s /chosen stdout-path)
  string(REGEX REPLACE ":.*" "" uart_node "${stdout_path}")
  set(uart_why "/chosen stdout-path")
endif()
if(NOT uart_node MATCHES "^/")
  fdt(uart_node s /aliases ${uart_node})
endif()
fdt(uart_compat s ${uart_node} compatible)
if("arm,pl011" IN_LIST uart_compat)
  set(uart_driver pl011)
  set(uart_kind "an arm,pl011")
elseif("cdns,uart-r1p12" IN_LIST uart_compat OR "xlnx,xuartps" IN_LIST uart_compat)
  set(uart_driver cadence)
  set(uart_kind "a Cadence UART")
elseif("brcm,bcm2835-aux-uart" IN_LIST uart_compat)
  set(uart_driver miniuart)
  set(uart_kind "a BCM2835 mini UART")
else()
  message(FATAL_ERROR "board-header: the console ${uart_node} (${uart_why}) is neither an arm,pl011, "
                      "a Cadence UART (cdns,uart-r1p12, xlnx,xuartps) nor a BCM2835 mini UART "
                      "(brcm,bcm2835-aux-uart): ${uart_compat}")
endif()
reg_entry(uart_base uart_size ${uart_node} 0)

# --- GIC: a GICv3 (reg = distributor, then #redistributor-regions redistributor regions) or a
# GICv2 with the virtualization extensions (reg = distributor, CPU interface, GICH, GICV).
find_compatible(gic_node arm,gic-v3)
if(gic_node)
  set(gic_version 3)
else()
  find_compatible(gic_node arm,gic-400 arm,cortex-a15-gic arm,cortex-a7-gic)
  set(gic_version 2)
endif()
if(NOT gic_node)
  message(FATAL_ERROR "board-header: ${DTB}: no GICv3 (arm,gic-v3) and no GICv2 "
                      "(arm,gic-400, arm,cortex-a15-gic, arm,cortex-a7-gic)")
endif()
fdt(gic_irq_cells u ${gic_node} "#interrupt-cells")
if(NOT gic_irq_cells EQUAL 3)
  message(FATAL_ERROR "board-header: ${gic_node} has #interrupt-cells ${gic_irq_cells}, expected 3")
endif()
reg_entry(gicd_base gicd_size ${gic_node} 0)
if(gic_version EQUAL 3)
  fdt_optional(gicr_regions u ${gic_node} "#redistributor-regions")
  if(gicr_regions AND NOT gicr_regions EQUAL 1)
    message(FATAL_ERROR "board-header: ${gic_node}: ${gicr_regions} redistributor regions; the demos walk one")
  endif()
  reg_entry(gicr_base gicr_size ${gic_node} 1)
  set(gic_text "// GICv3 ${gic_node}: distributor and the redistributor region.
inline constexpr unsigned kGicVersion = 3;
inline constexpr uintptr_t kGicdBase = ${gicd_base};
inline constexpr uintptr_t kGicdSize = ${gicd_size};
inline constexpr uintptr_t kGicrBase = ${gicr_base};
inline constexpr uintptr_t kGicrSize = ${gicr_size};
inline constexpr DeviceRange kGicPerCpu = {kGicrBase, kGicrSize};")
else()
  reg_entry(gicc_base gicc_size ${gic_node} 1)
  set(gic_text "// GICv2 ${gic_node}:
// distributor and CPU interface (in a moat cell, the hypervisor maps the virtual CPU interface
// there).
inline constexpr unsigned kGicVersion = 2;
inline constexpr uintptr_t kGicdBase = ${gicd_base};
inline constexpr uintptr_t kGicdSize = ${gicd_size};
inline constexpr uintptr_t kGiccBase = ${gicc_base};
inline constexpr uintptr_t kGiccSize = ${gicc_size};
inline constexpr DeviceRange kGicPerCpu = {kGiccBase, kGiccSize};")
  # With the virtualization extensions (a tree for a machine with EL2), reg goes on with the
  # hypervisor's frames: the virtual interface control (GICH) and the virtual CPU interface.
  fdt(gic_reg x ${gic_node} reg)
  list(LENGTH gic_reg gic_reg_cells)
  get_filename_component(gic_parent ${gic_node} DIRECTORY)
  fdt(gic_parent_addr_cells u ${gic_parent} "#address-cells")
  fdt(gic_parent_size_cells u ${gic_parent} "#size-cells")
  math(EXPR gic_reg_entries "${gic_reg_cells} / (${gic_parent_addr_cells} + ${gic_parent_size_cells})")
  if(gic_reg_entries GREATER_EQUAL 4)
    reg_entry(gich_base gich_size ${gic_node} 2)
    reg_entry(gicv_base gicv_size ${gic_node} 3)
    string(APPEND gic_text "
// The virtualization extensions' frames, the hypervisor's: virtual interface control (GICH)
// and the virtual CPU interface (GICV) at its physical address.
inline constexpr uintptr_t kGichBase = ${gich_base};
inline constexpr uintptr_t kGicvBase = ${gicv_base};")
  endif()
endif()

# --- architected timer: interrupts are <type number flags> for the secure physical,
# non-secure physical, virtual and hypervisor timers, in that order (arm,arch_timer binding).
find_compatible(timer_node arm,armv8-timer)
if(NOT timer_node)
  message(FATAL_ERROR "board-header: ${DTB}: no arm,armv8-timer node")
endif()
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

// Console: ${uart_node} (${uart_why}), ${uart_kind}.
inline constexpr uintptr_t kUartBase = ${uart_base};
inline constexpr uintptr_t kUartSize = ${uart_size};

// A device range the library maps as Device memory.
struct DeviceRange {
    uintptr_t base, size;
};
inline constexpr DeviceRange kUart = {kUartBase, kUartSize};

${gic_text}
inline constexpr DeviceRange kGicDistributor = {kGicdBase, kGicdSize};

// Architected timer ${timer_node}: the EL1 virtual timer's PPI as a GIC INTID.
inline constexpr uint32_t kVirtualTimerIntid = ${vtimer_intid};
inline constexpr bool kVirtualTimerLevel = ${vtimer_level};

// /psci method \"${psci_method}\".
inline constexpr bool kPsciConduitHvc = ${psci_hvc};

}  // namespace demo::board
")
# Only rewrite on change, so that a rebuild does not recompile everything.
function(write_if_changed file text)
  if(EXISTS ${file})
    file(READ ${file} old)
    if(old STREQUAL text)
      return()
    endif()
  endif()
  file(WRITE ${file} "${text}")
endfunction()
write_if_changed(${OUT} "${content}")
if(FACTS)
  write_if_changed(${FACTS} "# Generated from ${dtb_name} by demos/cmake/board-header.cmake: do not edit.
set(BOARD_GIC_VERSION ${gic_version})
set(BOARD_UART_DRIVER ${uart_driver})
")
endif()
