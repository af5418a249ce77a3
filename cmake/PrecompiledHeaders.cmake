# Precompiled headers. Nearly every translation unit parses the standard library, fmt, spdlog and
# nlohmann/json through common/ (about 100,000 preprocessed lines each), and every test also parses
# Catch2; precompiling them once per configuration saves a fifth to a quarter of each compile
# (measured on coordinator/modules/eps_verify.cpp: 19% at -O2 -g, 24% under ASan at -O0).
#
# Two precompiled headers, each built once by a host target and reused by every other target whose
# compile flags match it (g++ only accepts a .gch built with the same -f options, which is what
# linking the host's library guarantees):
#   cmake/pch/base.hpp  hosted by mixnet_core, used by every target that links mixnet_core
#   cmake/pch/test.hpp  hosted by mixnet_pch_test, used by every target that links Catch2 too
# -Winvalid-pch (an error here) makes a .gch that g++ would silently skip fail the build instead.
# Asio and Beast are not precompiled: only eight files include them, and loading their 275 MB
# .gch in the files that do not cost more than it saved.
#
# Where they are used:
# - the test binaries (everything that links Catch2) use test.hpp in every configuration: they
#   are compiled at -O0 (cmake/TestTargets.cmake), where parsing is most of the time;
# - the programs and libraries use base.hpp in the sanitizer configuration (build-asan/, -O0), and
#   not in the normal one (build/, -O2), for two reasons:
#   - with a .gch, g++ 12 at -O2 reports a -Warray-bounds in libstdc++'s string concatenation that
#     the same code compiled without one does not (hwdrivers/ocs/switch_uri.cpp; the code is
#     fine): a precompiled header must not decide which warnings fire in the code we ship;
#   - a precompiled header is force-included, so it can hide a missing #include; the normal
#     build of the programs, without, is the check that every file includes what it uses.
# -DMIXNET_PCH=ON/OFF overrides the default for the programs and libraries, -DMIXNET_TEST_PCH for
# the tests.
if(MIXNET_SANITIZE)
  set(mixnet_pch_default ON)
else()
  set(mixnet_pch_default OFF)
endif()
option(MIXNET_PCH "Precompile the heavy standard and third-party headers for programs and libraries" ${mixnet_pch_default})
option(MIXNET_TEST_PCH "Precompile the heavy headers and Catch2 for the test binaries" ON)

function(mixnet_precompile_headers)
  if(NOT MIXNET_PCH AND NOT MIXNET_TEST_PCH)
    return()
  endif()
  set(pch_dir ${PROJECT_SOURCE_DIR}/cmake/pch)
  set(hosts "")
  if(MIXNET_PCH)
    target_precompile_headers(mixnet_core PRIVATE ${pch_dir}/base.hpp)
    target_compile_options(mixnet_core PRIVATE -Winvalid-pch)
    list(APPEND hosts mixnet_core)
  endif()
  if(MIXNET_TEST_PCH)
    add_library(mixnet_pch_test OBJECT ${pch_dir}/anchor.cpp)
    target_link_libraries(mixnet_pch_test PRIVATE mixnet_core Catch2::Catch2)
    target_precompile_headers(mixnet_pch_test PRIVATE ${pch_dir}/test.hpp)
    target_compile_options(mixnet_pch_test PRIVATE -Winvalid-pch)
    mixnet_compile_as_test(mixnet_pch_test)   # the same flags as the tests that reuse it
    list(APPEND hosts mixnet_pch_test)
  endif()

  mixnet_targets_below(${PROJECT_SOURCE_DIR} targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(target IN_LIST hosts OR NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|OBJECT_LIBRARY)$")
      continue()
    endif()
    mixnet_links(${target} mixnet_core links_core)
    mixnet_links(${target} Catch2::Catch2 links_catch)
    get_target_property(test_code ${target} MIXNET_TEST_CODE)
    if(links_core AND links_catch AND MIXNET_TEST_PCH)
      target_precompile_headers(${target} REUSE_FROM mixnet_pch_test)
    elseif(test_code AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
      continue()  # test code at -O0 cannot use base.hpp's .gch, built at the configuration's -O
    elseif(links_core AND MIXNET_PCH)
      target_precompile_headers(${target} REUSE_FROM mixnet_core)
    else()
      continue()  # e.g. mixnet_catch_main: other flags, and it defines CATCH_CONFIG_MAIN first
    endif()
    target_compile_options(${target} PRIVATE -Winvalid-pch)
  endforeach()
endfunction()
