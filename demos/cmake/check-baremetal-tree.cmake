# Checks the bare-metal board tree the demos were built with (board tree + qemu-virt-baremetal
# overlay) against the tree QEMU itself generates for the machine qemu-run.sh --baremetal boots:
# both must give the same board header, apart from the name of the tree and, on GICv2, the
# hypervisor's GIC frames (GICH, GICV): the built tree is the EL2 machine's, where QEMU adds them;
# without virtualization=on they do not exist, and the bare-metal demos never use them.
#   cmake -DHEADER=<built baremetal board.hpp> -DWORK=<scratch dir> [-DGIC=3|2] -P check-baremetal-tree.cmake
get_filename_component(here ${CMAKE_CURRENT_LIST_FILE} DIRECTORY)
file(MAKE_DIRECTORY ${WORK})
if(NOT GIC)
  set(GIC 3)
endif()
# The machine line of scripts/qemu-run.sh --baremetal, with dumpdtb added.
execute_process(COMMAND qemu-system-aarch64 -M virt,gic-version=${GIC},dumpdtb=${WORK}/qemu-baremetal.dtb
                        -cpu cortex-a57 -smp 4 -m 1G -nographic -nic none
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check-baremetal-tree: qemu-system-aarch64 dumpdtb failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -DDTB=${WORK}/qemu-baremetal.dtb -DOUT=${WORK}/board.hpp
                        -P ${here}/board-header.cmake RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check-baremetal-tree: cannot derive a board header from QEMU's tree")
endif()
file(STRINGS ${HEADER} built REGEX "^inline constexpr" )
file(STRINGS ${WORK}/board.hpp qemu REGEX "^inline constexpr")
list(FILTER built EXCLUDE REGEX "kTree")
list(FILTER qemu EXCLUDE REGEX "kTree")
list(FILTER built EXCLUDE REGEX "kGichBase|kGicvBase")
list(FILTER qemu EXCLUDE REGEX "kGichBase|kGicvBase")  # none there; keeps both lists in the same form
if(NOT built STREQUAL qemu)
  message(FATAL_ERROR "check-baremetal-tree: the demos' bare-metal board facts differ from QEMU's:\n"
                      "built: ${built}\nqemu:  ${qemu}")
endif()
message(STATUS "check-baremetal-tree: ${HEADER} matches QEMU's own tree")
