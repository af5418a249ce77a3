# Unity builds (-DMIXNET_UNITY=ON): each target's sources are compiled in batches of eight, one
# translation unit per batch, so the standard library, Boost.Asio/Beast, nlohmann/json and Catch2
# are parsed once per batch instead of once per file. The Makefile turns it on for the sanitizer
# and fuzz configurations (build-asan/, build-fuzz/), which exist only to run the tests, at -O0 and
# -O1 where parsing is most of the compile time: it is what brings a fresh-clone `make test` under
# 30 minutes on 2 cores (bench/fresh-clone-test.sh). build/ stays one unit per file: it is what we
# ship, what a developer rebuilds file by file, and the check that every file includes what it uses.
#
# What a batch asks of the code (a clash fails build-asan/ in CI, never silently):
# - names in a .cpp's anonymous namespace must not repeat another file's in the same target: name
#   file-local helpers after what they serve (kStoreSchema, not kSchema), and share real
#   duplicates through a header instead;
# - <net/if.h> before <linux/if.h> wherever a file includes the kernel's header;
# - -Wsubobject-linkage is off here: it warns when a class with linkage holds a type from an
#   anonymous namespace declared in another file, which a batch makes of every .cpp after the
#   first (and of Asio's coroutine frames). It is meant for headers, and build/ keeps it on.
option(MIXNET_UNITY "Compile each target's sources in batches (unity build)" OFF)
if(MIXNET_UNITY)
  set(CMAKE_UNITY_BUILD ON)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE 8)
  add_compile_options(-Wno-subobject-linkage)
endif()
