# MixNet Testbed. The quick start is `make demo` and `make test` (as root on Debian 12);
# both install any missing Debian packages first.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD_TYPE ?= RelWithDebInfo
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere (CI) reuses the cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
# Ninja when installed (scripts/install-deps.sh installs it): it schedules across targets, where
# make waits for each library to be linked, and prints one line per file instead of directory noise.
GENERATOR ?= $(if $(shell command -v ninja 2>/dev/null),Ninja,Unix Makefiles)
# What scripts/demo.sh runs: mixnet-lab starts the agents and the OCS emulator beside it.
DEMO_BINARIES := mixnet-lab mixnet-coord mixnet-agent mixnet-ocs-emu

.PHONY: all deps build build-asan build-fuzz test test-unit fuzz demo bench clean

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
	@$(call timed,build (RelWithDebInfo),$(call configure,build,-DCMAKE_BUILD_TYPE=$(BUILD_TYPE)) && \
	  cmake --build build -j$(JOBS))

# ASan + UBSan at -O0, compiled with AFL++'s classic g++ instrumentation (afl-g++: g++ 12, so
# C++23 works): the test binaries with the programs they start (target mixnet_tests) and the fuzz
# targets (fuzz_all), in one configuration, so the libraries both link are compiled once rather
# than in a sanitizer build and again in a fuzz build. Outside afl-fuzz the instrumentation only
# writes to a dummy map (about 10% more compile time, measured). AFL_DONT_OPTIMIZE keeps afl-g++
# from adding -O3 to a file whose flags name no -O level.
build-asan: deps
	@$(call timed,build-asan (Debug + ASan + UBSan + AFL instrumentation),export AFL_QUIET=1 AFL_DONT_OPTIMIZE=1 CXX=afl-g++ && \
	  $(call configure,build-asan,-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g" -DMIXNET_SANITIZE=ON -DMIXNET_FUZZ=ON,afl-g++) && \
	  cmake --build build-asan --target mixnet_tests fuzz_all -j$(JOBS))

# For fuzzing campaigns longer than `make test`'s bounded pass (`make fuzz`): the fuzz targets
# alone at -O1, where afl-fuzz runs each input several times faster than at -O0.
build-fuzz: deps
	@$(call timed,build-fuzz (afl-g++ -O1 + ASan + UBSan),export AFL_QUIET=1 CXX=afl-g++ && \
	  $(call configure,build-fuzz,-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DMIXNET_FUZZ=ON -DMIXNET_SANITIZE=ON,afl-g++) && \
	  cmake --build build-fuzz --target fuzz_all -j$(JOBS))

# Every test: unit and integration (namespaces, needs root), then the same under ASan+UBSan,
# then each fuzz target (from build-asan/) for a bounded time. Each build and each pass says how
# long it took.
test: build build-asan
	@scripts/run-tests.sh

test-unit: build
	@ctest --test-dir build --output-on-failure -j$(JOBS) -L unit

# FUZZ_SECONDS per target (default 20; set it for a real campaign), from the -O1 build.
fuzz: build-fuzz
	@FUZZ_DIR=build-fuzz/fuzz scripts/run-fuzz.sh

# Only what the demo runs is built, and quietly: the build's output is shown only if it fails.
demo: deps
	@echo "demo: building $(DEMO_BINARIES) (build/demo-build.log)..."
	@$(call configure,build,-DCMAKE_BUILD_TYPE=$(BUILD_TYPE))
	@cmake --build build --target $(DEMO_BINARIES) -j$(JOBS) >build/demo-build.log 2>&1 || \
	  { cat build/demo-build.log; echo "demo: the build failed (above)"; exit 1; }
	@scripts/demo.sh

# Every benchmark but bench/fresh-clone-test.sh, which rebuilds everything in a clone (run by hand).
bench: build
	@for b in bench/*.sh; do [ $$b = bench/fresh-clone-test.sh ] && continue; echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf build build-asan build-fuzz fuzz-out
