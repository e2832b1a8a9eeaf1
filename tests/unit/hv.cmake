# Host unit tests of hypervisor logic that runs unchanged at EL2: the cell lifecycle (hv/cells.cpp,
# against the fake arch fake_arch.cpp), the PSCI policy (hv/psci.cpp),
# the stage-2 set-up (arch/arm64/stage2.cpp), both compiled into moat_hv_host, and the GICv2
# encodings (arch/arm64/include/arch/gicv2.hpp) and distributor filter (hv/gic_dist.cpp).
# Included from tests/CMakeLists.txt; paths are relative to this file.
if(NOT TARGET GTest::gtest_main)
  find_package(GTest REQUIRED)
endif()
include(GoogleTest)

add_executable(hv_tests
  ${CMAKE_CURRENT_LIST_DIR}/hv/psci_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/stage2_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/gicv2_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/gicv3_dist_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/mmio_decode_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/shutdown_request_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/cell_cpus_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/console_line_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/hypercall_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/ownership_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/cells_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/fake_arch.cpp)
target_link_libraries(hv_tests PRIVATE moat_hv_host GTest::gtest_main)
gtest_discover_tests(hv_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS host)
