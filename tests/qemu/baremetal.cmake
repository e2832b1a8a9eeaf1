# Bare-metal runs of the demos (included from tests/qemu/CMakeLists.txt): each demo's
# -baremetal.elf booted at EL1 on QEMU virt without EL2, under -icount so that guest time counts
# instructions and the timing numbers are the same on every host. Logs go to the build tree that
# runs the test (qemu-logs/<demo>-baremetal.log).
add_test(NAME qemu.baremetal-hello
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/qemu-run.sh --baremetal
          ${CMAKE_BINARY_DIR}/aarch64/demos/hello/hello-baremetal.elf --icount --timeout 120
          --expect ${CMAKE_SOURCE_DIR}/tests/qemu/hello-baremetal.expect
          --log ${CMAKE_BINARY_DIR}/qemu-logs/hello-baremetal.log)
add_test(NAME qemu.baremetal-timer-latency
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/qemu-run.sh --baremetal
          ${CMAKE_BINARY_DIR}/aarch64/demos/timer-latency/timer-latency-baremetal.elf --icount --timeout 120
          --expect ${CMAKE_SOURCE_DIR}/tests/qemu/timer-latency-baremetal.expect
          --log ${CMAKE_BINARY_DIR}/qemu-logs/timer-latency-baremetal.log)
add_test(NAME qemu.baremetal-ctl-loop
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/qemu-run.sh --baremetal
          ${CMAKE_BINARY_DIR}/aarch64/demos/ctl-loop/ctl-loop-baremetal.elf --icount --timeout 120
          --expect ${CMAKE_SOURCE_DIR}/tests/qemu/ctl-loop-baremetal.expect
          --log ${CMAKE_BINARY_DIR}/qemu-logs/ctl-loop-baremetal.log)
# The library's self-test ends on purpose with an undefined instruction: the run passes when the
# log matches (exception reported, exit status 3), not on the exit status.
add_test(NAME qemu.baremetal-libtest
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/qemu-run.sh --baremetal
          ${CMAKE_BINARY_DIR}/aarch64/demos/libtest/libtest-baremetal.elf --icount --timeout 120
          --expect ${CMAKE_SOURCE_DIR}/tests/qemu/libtest-baremetal.expect
          --log ${CMAKE_BINARY_DIR}/qemu-logs/libtest-baremetal.log)
set_tests_properties(qemu.baremetal-libtest PROPERTIES
  PASS_REGULAR_EXPRESSION "all lines matched\nqemu-run: guest exit status 3")
# The one board fact the bare-metal build changes by overlay (PSCI through HVC without EL2) and
# all the others must agree with the tree QEMU generates for that machine.
add_test(NAME qemu.baremetal-board-tree
  COMMAND ${CMAKE_COMMAND} -DHEADER=${CMAKE_BINARY_DIR}/aarch64/demos/generated/baremetal/demo/board.hpp
          -DWORK=${CMAKE_BINARY_DIR}/qemu-logs/baremetal-board-tree
          -P ${CMAKE_SOURCE_DIR}/demos/cmake/check-baremetal-tree.cmake)
set_tests_properties(qemu.baremetal-hello qemu.baremetal-timer-latency qemu.baremetal-ctl-loop
  qemu.baremetal-libtest qemu.baremetal-board-tree PROPERTIES LABELS qemu)
