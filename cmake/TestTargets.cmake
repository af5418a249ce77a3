# mixnet_tests: every test binary under tests/ and, through their own dependencies, the programs
# they start (mixnet-agent, mixnet-lab, ...). The sanitizer configuration builds only this target:
# its tests are all it is for, so benchmarks and command-line tools no test runs are not compiled.
function(mixnet_add_test_aggregate)
  add_custom_target(mixnet_tests)
  mixnet_targets_below(${PROJECT_SOURCE_DIR}/tests targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      add_dependencies(mixnet_tests ${target})
    endif()
  endforeach()
endfunction()
