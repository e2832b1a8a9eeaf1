# Host unit tests of the hypervisor's host-testable policy (hv/): the cell lifecycle (hv/cells.cpp,
# against the fake arch fake_arch.cpp), the PSCI policy, the distributor filters of GICv3 and
# GICv2 (hv/gic_dist.cpp), the MMIO dispatch, shutdown requests, CPU accounting, the console line
# and the hypercall table; all in moat_hv_host.
# Included from tests/CMakeLists.txt; paths are relative to this file.
if(NOT TARGET GTest::gtest_main)
  find_package(GTest REQUIRED)
endif()
include(GoogleTest)

add_executable(hv_tests
  ${CMAKE_CURRENT_LIST_DIR}/hv/psci_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/gicv2_dist_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/gicv3_dist_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/shutdown_request_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/cell_cpus_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/console_line_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/hypercall_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/cells_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/link_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/sysreg_policy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/gic_owner_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/hv/fake_arch.cpp)
target_link_libraries(hv_tests PRIVATE moat_hv_host GTest::gtest_main)
gtest_discover_tests(hv_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS host)
