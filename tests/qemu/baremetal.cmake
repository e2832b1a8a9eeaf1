# Bare-metal runs of the demos (included from tests/qemu/CMakeLists.txt): each demo's
# -baremetal.elf booted at EL1 on QEMU virt without EL2, under -icount so that guest time counts
# instructions and the timing numbers are the same on every host.
foreach(demo hello timer-latency ctl-loop)
  add_test(NAME qemu.baremetal-${demo}
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/qemu-run.sh --baremetal
            ${CMAKE_BINARY_DIR}/aarch64/demos/${demo}/${demo}-baremetal.elf --icount --timeout 120
            --expect ${CMAKE_SOURCE_DIR}/tests/qemu/${demo}-baremetal.expect)
  set_tests_properties(qemu.baremetal-${demo} PROPERTIES LABELS qemu)
endforeach()
