#!/usr/bin/env bash
# `make test`: every test, in three passes, each of which must pass:
#   1. unit + integration tests of the normal build (integration tests need root: namespaces)
#   2. the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   3. every fuzz target for a bounded time (FUZZ_SECONDS each)
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}

if [ "$(id -u)" -ne 0 ]; then
  echo "run-tests: integration tests build network namespaces and need root; run 'make test' as root" >&2
  exit 1
fi

status=0
start=$SECONDS
run() {
  local title=$1; shift
  echo "== $title"
  local t0=$SECONDS
  if "$@"; then
    echo "== $title: passed in $((SECONDS - t0)) s"
  else
    echo "== $title: FAILED after $((SECONDS - t0)) s"
    status=1
  fi
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Integration tests share the machine's namespaces and CPU; they run one at a time.
run "unit tests" ctest --test-dir build --no-tests=error --output-on-failure -j"$jobs" -L unit
run "integration tests" ctest --test-dir build --no-tests=error --output-on-failure -L integration
run "unit tests (ASan+UBSan)" ctest --test-dir build-asan --no-tests=error --output-on-failure -j"$jobs" -L unit
run "integration tests (ASan+UBSan)" ctest --test-dir build-asan --no-tests=error --output-on-failure -L integration
run "fuzz targets" scripts/run-fuzz.sh

left=$(ip netns list 2>/dev/null | grep -E '^mx' || true)
if [ -n "$left" ]; then
  echo "run-tests: namespaces left behind by a test: $left" >&2
  status=1
fi
echo "== all test passes: $((SECONDS - start)) s"
exit $status
