# MixNet Testbed. The quick start is `make demo` and `make test` (as root on Debian 12);
# both install any missing Debian packages first.
JOBS ?= $(shell nproc)
BUILD_TYPE ?= RelWithDebInfo
# ccache keys on paths relative to the checkout, so a fresh clone elsewhere (CI) reuses the cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps build build-asan build-fuzz test test-unit test-asan fuzz demo bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null
	@cmake --build build -j$(JOBS)

build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMIXNET_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j$(JOBS)

# Fuzz targets are built with AFL++'s classic g++ instrumentation (g++ 12, so C++23 works).
build-fuzz: deps
	@AFL_QUIET=1 CXX=afl-g++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DMIXNET_FUZZ=ON -DMIXNET_SANITIZE=ON >/dev/null
	@AFL_QUIET=1 cmake --build build-fuzz --target fuzz_all -j$(JOBS)

# Every test: unit and integration (namespaces, needs root), then the same under ASan+UBSan,
# then each fuzz target for a bounded time.
test: build build-asan build-fuzz
	@scripts/run-tests.sh

test-unit: build
	@ctest --test-dir build --output-on-failure -j$(JOBS) -L unit

fuzz: build-fuzz
	@scripts/run-fuzz.sh

demo: build
	@scripts/demo.sh

bench: build
	@for b in bench/*.sh; do echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf build build-asan build-fuzz fuzz-out
