# MixNet Testbed. The quick start is `make demo` and `make test` (as root on Debian 12);
# both install any missing Debian packages first.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD_TYPE ?= RelWithDebInfo
# build/'s flags: -O2 as shipped, and line tables only (-g1): backtraces and gdb's `bt` keep
# function, file and line, and the build takes a third less than at -g (test_traffic_run.cpp:
# 15.4 s at -O2 -g, 10.3 s at -O2 -g1). For gdb with local variables: make build BUILD_TYPE=Debug.
BUILD_CONFIG = -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere (CI) reuses the cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
# Ninja when installed (scripts/install-deps.sh installs it): it schedules across targets, where
# make waits for each library to be linked, and prints one line per file instead of directory noise.
GENERATOR ?= $(if $(shell command -v ninja 2>/dev/null),Ninja,Unix Makefiles)
# What scripts/demo.sh runs: mixnet-lab starts the agents and the OCS emulator beside it.
DEMO_BINARIES := mixnet-lab mixnet-coord mixnet-agent mixnet-ocs-emu

.PHONY: all deps build build-asan build-fuzz test test-unit fuzz demo bench package clean

all: build

deps:
	@scripts/install-deps.sh

# $(call configure,DIR,CMAKE ARGS[,COMPILER]): configure DIR quietly (errors still show). A folder
# configured for another generator (an older checkout used make) or, when COMPILER is given, with
# another C++ compiler is started afresh: CMake cannot switch either in place.
define configure
	if [ -f $(1)/CMakeCache.txt ] && ! grep -qxF 'CMAKE_GENERATOR:INTERNAL=$(GENERATOR)' $(1)/CMakeCache.txt; then \
	  echo "$(1): configured for another generator; configuring it afresh"; rm -rf $(1); fi; \
	if [ -n "$(3)" ] && [ -f $(1)/CMakeCache.txt ] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*/$(3)$$' $(1)/CMakeCache.txt; then \
	  echo "$(1): configured for another compiler; configuring it afresh with $(3)"; rm -rf $(1); fi; \
	cmake -S . -B $(1) -G '$(GENERATOR)' $(2) >/dev/null
endef

# $(call timed,TITLE,COMMANDS): run COMMANDS and say how long they took.
define timed
	t0=$$SECONDS; { $(2); } && echo "== $(1): done in $$((SECONDS - t0)) s"
endef

# Everything: the programs, the benchmarks and every test binary.
build: deps
	@$(call timed,build (RelWithDebInfo),$(call configure,build,$(BUILD_CONFIG)) && \
	  cmake --build build -j$(JOBS))

# ASan + UBSan: only the test binaries and the programs they start (target mixnet_tests). Plain
# g++: the programs the integration tests start must not carry AFL's instrumentation (an
# afl-g++-built agent delivered no traffic in the lab's traffic tests; the fuzz targets are
# built apart below). -g1: line tables, which is all a sanitizer report needs (function, file,
# line); full -g doubled the compile time (eps_verify.cpp: 23.6 s at -g, 12.3 s at -g1).
build-asan: deps
	@$(call timed,build-asan (Debug + ASan + UBSan),export CXX=c++ && \
	  $(call configure,build-asan,-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DMIXNET_SANITIZE=ON -DMIXNET_UNITY=ON,c++) && \
	  cmake --build build-asan --target mixnet_tests -j$(JOBS))

# Fuzz targets are built with AFL++'s classic g++ instrumentation (g++ 12, so C++23 works) at -O1
# -g1 (line tables for the crash reports), and only they and the libraries they link (target
# fuzz_all).
build-fuzz: deps
	@$(call timed,build-fuzz (afl-g++ -O1 + ASan + UBSan),export AFL_QUIET=1 CXX=afl-g++ && \
	  $(call configure,build-fuzz,-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DMIXNET_FUZZ=ON -DMIXNET_SANITIZE=ON -DMIXNET_UNITY=ON,afl-g++) && \
	  cmake --build build-fuzz --target fuzz_all -j$(JOBS))

# Every test: unit and integration (namespaces, needs root), then the same under ASan+UBSan,
# then each fuzz target for a bounded time. scripts/run-tests.sh builds build-asan/ while the
# first pass runs, and build-fuzz/ while the second runs, each at the lowest CPU priority: the
# tests mostly wait on links and sockets, so the compiler gets the cores they leave idle. Each
# build and each pass says how long it took.
test: build
	@scripts/run-tests.sh

test-unit: build
	@ctest --test-dir build --output-on-failure -j$(JOBS) -L unit

# FUZZ_SECONDS per target (default 20; set it for a real campaign).
fuzz: build-fuzz
	@scripts/run-fuzz.sh

# Only what the demo runs is built, and quietly: the build's output is shown only if it fails.
demo: deps
	@echo "demo: building $(DEMO_BINARIES) (build/demo-build.log)..."
	@$(call configure,build,$(BUILD_CONFIG))
	@cmake --build build --target $(DEMO_BINARIES) -j$(JOBS) >build/demo-build.log 2>&1 || \
	  { cat build/demo-build.log; echo "demo: the build failed (above)"; exit 1; }
	@scripts/demo.sh

# The .deb packages in build/packages/ (docs/packaging.md): only the programs and what the
# packages hold (man pages, changelogs) are built for them, then cpack copies them.
package: deps
	@$(call configure,build,$(BUILD_CONFIG))
	@cmake --build build --target mixnet_package_contents -j$(JOBS)
	@cd build && cpack --config CPackConfig.cmake >/dev/null && ls -1 $(CURDIR)/build/packages/*.deb

# Every benchmark but bench/fresh-clone-test.sh, which rebuilds everything in a clone (run by hand).
bench: build
	@for b in bench/*.sh; do [ $$b = bench/fresh-clone-test.sh ] && continue; echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf build build-asan build-fuzz fuzz-out
