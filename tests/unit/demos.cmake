# Host unit tests of the demos' portable logic: printf formatting, statistics, tick/ns
# conversion, periodic-task book-keeping, PID controller, DC motor model and the closed loop of
# ctl-loop and its steering over link "ctl", the GIC register packing and GICv2 encodings; and the board header generator on the
# board trees in dts/. The sources under test are the very files the aarch64 demos are built from.
# Included from the host test CMakeLists; paths are relative to this file.
get_filename_component(moat_demos_dir ${CMAKE_CURRENT_LIST_DIR}/../../demos ABSOLUTE)
if(NOT TARGET GTest::gtest_main)
  find_package(GTest REQUIRED)
endif()
include(GoogleTest)

add_executable(demo_tests
  ${CMAKE_CURRENT_LIST_DIR}/demos/format_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demos/stats_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demos/time_conv_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demos/periodic_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demos/control_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demos/gicr_walk_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demos/gic_fields_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demos/steering_test.cpp
  ${moat_demos_dir}/lib/src/format.cpp)
target_include_directories(demo_tests PRIVATE ${moat_demos_dir}/lib/include ${moat_demos_dir} ${moat_demos_dir}/../include)
target_compile_features(demo_tests PRIVATE cxx_std_20)
target_link_libraries(demo_tests PRIVATE GTest::gtest_main)
gtest_discover_tests(demo_tests TEST_PREFIX demos. DISCOVERY_MODE PRE_TEST PROPERTIES LABELS host)

# The demos' board header generator on the board trees (dtc and fdtget run on the host).
find_program(MOAT_HOST_DTC dtc)
find_program(MOAT_HOST_FDTGET fdtget)
if(MOAT_HOST_DTC AND MOAT_HOST_FDTGET)
  add_test(NAME demos.board_header
    COMMAND ${CMAKE_COMMAND} -DSOURCE=${moat_demos_dir}/.. -DWORK=${CMAKE_CURRENT_BINARY_DIR}/board-header-test
            -P ${CMAKE_CURRENT_LIST_DIR}/demos/board_header_test.cmake)
  set_tests_properties(demos.board_header PROPERTIES LABELS host)
endif()
