# Host unit tests of the arch/arm64 pieces that are pure logic and run unchanged at EL2: page
# tables (paging.cpp, with hv/page_pool.cpp), the stage-2 set-up (stage2.cpp), the data-abort
# decoder (mmio_decode.cpp), the ICC_SGI1R_EL1 filter (sgi_filter.cpp), and the header-only
# encodings of arch/arm64/include/arch (GICv2 list registers and VMCR, ESR system-register
# fields, MPIDR affinity packing); all compiled into moat_hv_host.
# Included from tests/CMakeLists.txt; paths are relative to this file.
if(NOT TARGET GTest::gtest_main)
  find_package(GTest REQUIRED)
endif()
include(GoogleTest)

add_executable(arch_tests
  ${CMAKE_CURRENT_LIST_DIR}/arch/paging_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/stage2_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/mmio_decode_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/sgi_filter_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/gicv2_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/gic_inject_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/gic_leave_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/esr_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/pstate_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/arch/affinity_test.cpp)
target_link_libraries(arch_tests PRIVATE moat_hv_host GTest::gtest_main)
gtest_discover_tests(arch_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS host)
