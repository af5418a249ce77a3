# mixnet_tests: every test binary under tests/ and, through their own dependencies, the programs
# they start (mixnet-agent, mixnet-lab, ...). The sanitizer configuration builds only this target
# (and fuzz_all): its tests are all it is for, so benchmarks and command-line tools no test runs
# are not compiled.
#
# Test code itself is compiled without optimisation in every configuration. What the tests check
# is the code they link — the libraries and programs, built as the configuration says (-O2 -g1 in
# build/) — while a Catch2 test file at -O2 -g takes twice as long to compile as at -O0 -g
# (measured: tests/coordinator/modules/test_traffic_run.cpp, 15.4 s vs 6.9 s) and runs about as
# fast, because the work is in the code under test. Half of all translation units are tests, so
# this is the largest single saving in a fresh `make test`.
function(mixnet_compile_as_test target)
  set_property(TARGET ${target} PROPERTY MIXNET_TEST_CODE TRUE)   # read by PrecompiledHeaders.cmake
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    # After CMAKE_CXX_FLAGS_<CONFIG> on the command line, so it wins over its -O2.
    target_compile_options(${target} PRIVATE -O0)
  endif()
endfunction()

function(mixnet_add_test_aggregate)
  add_custom_target(mixnet_tests)
  mixnet_targets_below(${PROJECT_SOURCE_DIR}/tests targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|OBJECT_LIBRARY)$")
      mixnet_compile_as_test(${target})
    endif()
    if(type STREQUAL "EXECUTABLE")
      add_dependencies(mixnet_tests ${target})
    endif()
  endforeach()
endfunction()
