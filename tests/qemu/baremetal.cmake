# Bare-metal runs of the demos (included from tests/qemu/CMakeLists.txt): each demo's
# -baremetal.elf booted at EL1 on QEMU virt without EL2, under -icount so that guest time counts
# instructions and the timing numbers are the same on every host. Once per GIC: the demos built
# for the main board (qemu-virt-gicv3) as qemu.baremetal-<demo>, and those built for
# qemu-virt-gicv2 (demos/<demo>/qemu-virt-gicv2/) as qemu.baremetal-<demo>.gicv2, checked
# against <demo>-baremetal.gicv2.expect where the output differs. Logs go to the build tree that
# runs the test (qemu-logs/<demo>-baremetal[.gicv2].log).
function(moat_baremetal_test demo)
  foreach(gic 3 2)
    set(elf ${CMAKE_BINARY_DIR}/aarch64/demos/${demo}/${demo}-baremetal.elf)
    set(test qemu.baremetal-${demo})
    set(expect ${CMAKE_SOURCE_DIR}/tests/qemu/${demo}-baremetal.expect)
    set(log ${CMAKE_BINARY_DIR}/qemu-logs/${demo}-baremetal.log)
    if(gic EQUAL 2)
      set(elf ${CMAKE_BINARY_DIR}/aarch64/demos/${demo}/qemu-virt-gicv2/${demo}-baremetal.elf)
      set(test ${test}.gicv2)
      set(log ${CMAKE_BINARY_DIR}/qemu-logs/${demo}-baremetal.gicv2.log)
      if(EXISTS ${CMAKE_SOURCE_DIR}/tests/qemu/${demo}-baremetal.gicv2.expect)
        set(expect ${CMAKE_SOURCE_DIR}/tests/qemu/${demo}-baremetal.gicv2.expect)
      endif()
    endif()
    add_test(NAME ${test}
      COMMAND ${CMAKE_SOURCE_DIR}/scripts/qemu-run.sh --baremetal ${elf} --gic ${gic} --icount --timeout 120
              --expect ${expect} --log ${log})
    set_tests_properties(${test} PROPERTIES LABELS "qemu;gicv${gic}" RUN_SERIAL ON)
    # The library's self-test ends on purpose with an undefined instruction: the run passes when
    # the log matches (exception reported, exit status 3), not on the exit status.
    if(demo STREQUAL libtest)
      set_tests_properties(${test} PROPERTIES PASS_REGULAR_EXPRESSION "all lines matched\nqemu-run: guest exit status 3")
    endif()
  endforeach()
endfunction()

moat_baremetal_test(hello)
moat_baremetal_test(timer-latency)
moat_baremetal_test(ctl-loop)
moat_baremetal_test(libtest)

# The one board fact the bare-metal build changes by overlay (PSCI through HVC without EL2) and
# all the others must agree with the tree QEMU generates for that machine, for either GIC.
add_test(NAME qemu.baremetal-board-tree
  COMMAND ${CMAKE_COMMAND} -DHEADER=${CMAKE_BINARY_DIR}/aarch64/demos/generated/baremetal/demo/board.hpp
          -DWORK=${CMAKE_BINARY_DIR}/qemu-logs/baremetal-board-tree -DGIC=3
          -P ${CMAKE_SOURCE_DIR}/demos/cmake/check-baremetal-tree.cmake)
add_test(NAME qemu.baremetal-board-tree.gicv2
  COMMAND ${CMAKE_COMMAND}
          -DHEADER=${CMAKE_BINARY_DIR}/aarch64/demos/generated/qemu-virt-gicv2/baremetal/demo/board.hpp
          -DWORK=${CMAKE_BINARY_DIR}/qemu-logs/baremetal-board-tree.gicv2 -DGIC=2
          -P ${CMAKE_SOURCE_DIR}/demos/cmake/check-baremetal-tree.cmake)
set_tests_properties(qemu.baremetal-board-tree PROPERTIES LABELS "qemu;gicv3")
set_tests_properties(qemu.baremetal-board-tree.gicv2 PROPERTIES LABELS "qemu;gicv2")
