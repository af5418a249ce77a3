#!/usr/bin/env bash
# `make test` after `make build`: every test, in three passes, each of which must pass:
#   1. unit + integration tests of the normal build (integration tests need root: namespaces)
#   2. the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   3. every fuzz target for a bounded time (FUZZ_SECONDS each; build-fuzz/)
# The builds the later passes need run beside the earlier passes, at nice 19: the tests spend
# most of their time waiting on links, sockets and deadlines, and a niced compiler only takes
# the CPU they leave idle (the tests keep their normal priority). Each build's output goes to
# build/logs/; a failed build fails its pass and shows the end of its log.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}

if [ "$(id -u)" -ne 0 ]; then
  echo "run-tests: integration tests build network namespaces and need root; run 'make test' as root" >&2
  exit 1
fi
[ -d build ] || { echo "run-tests: no build/ here; run 'make test' (it builds first)" >&2; exit 1; }

status=0
start=$SECONDS
# Our namespaces (mx...) that were here before the tests: left by an earlier run that was killed,
# not by these tests. Named so nobody mistakes them for clean; only new ones fail the run.
mx_namespaces() { ip netns list 2>/dev/null | awk '/^mx/ {print $1}' | sort; }
before_ns=$(mx_namespaces)
if [ -n "$before_ns" ]; then
  echo "run-tests: namespaces already here before the tests (an earlier run's; 'mixnet-lab down --name NAME' removes a lab's):" $before_ns >&2
fi
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

# start_build TARGET: `make TARGET` in the background at the lowest priority, its output in
# build/logs/TARGET.log. finish_build TARGET: waits for it; fails (with the log's end) if it did.
mkdir -p build/logs
declare -A build_pid
start_build() {
  nice -n 19 make --no-print-directory "$1" >"build/logs/$1.log" 2>&1 &
  build_pid[$1]=$!
}
finish_build() {
  local t0=$SECONDS
  if wait "${build_pid[$1]}"; then
    grep '^== ' "build/logs/$1.log" || true   # its "done in N s" line
    echo "== waited $((SECONDS - t0)) s for $1 after the tests before it"
    return 0
  fi
  echo "== $1: FAILED (build/logs/$1.log):"
  tail -40 "build/logs/$1.log"
  status=1
  return 1
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Integration tests share the machine's namespaces and CPU; they run one at a time.
start_build build-asan
run "unit tests" ctest --test-dir build --no-tests=error --output-on-failure -j"$jobs" -L unit
run "integration tests" ctest --test-dir build --no-tests=error --output-on-failure -L integration
if finish_build build-asan; then
  start_build build-fuzz
  run "unit tests (ASan+UBSan)" ctest --test-dir build-asan --no-tests=error --output-on-failure -j"$jobs" -L unit
  run "integration tests (ASan+UBSan)" ctest --test-dir build-asan --no-tests=error --output-on-failure -L integration
else
  start_build build-fuzz
fi
if finish_build build-fuzz; then
  run "fuzz targets" scripts/run-fuzz.sh
fi

left=$(comm -13 <(echo "$before_ns") <(mx_namespaces) | grep . || true)
if [ -n "$left" ]; then
  echo "run-tests: namespaces left behind by a test:" $left >&2
  status=1
fi
echo "== all test passes, with the builds beside them: $((SECONDS - start)) s"
exit $status
