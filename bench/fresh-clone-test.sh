#!/usr/bin/env bash
# What a newcomer waits for: `make test` in a fresh clone with an empty ccache. Clones this
# repository's committed HEAD into a temporary folder, runs each phase of `make test` there (the
# normal build, then scripts/run-tests.sh: the test passes with the sanitizer and fuzz builds
# beside them, each timed), prints the time of each phase and the total, and removes the clone
# and its cache on every exit path.
# Run it as root (the integration tests need namespaces) on an otherwise idle machine: it takes
# tens of minutes, and other work on the machine's cores lengthens every phase.
# Not run by `make bench` (it would rebuild everything); run it by hand.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "fresh-clone-test: run as root (integration tests build namespaces)" >&2; exit 1; }

work=$(mktemp -d /tmp/mixnet-fresh-clone.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT INT TERM

git clone --quiet --no-local "$repo" "$work/mixnet"
# An empty, private cache: nothing compiled before counts, and the user's cache is left alone.
export CCACHE_DIR=$work/ccache
mkdir -p "$CCACHE_DIR"
cd "$work/mixnet"
echo "fresh-clone-test: $(git log -1 --format='%h %s') in $work/mixnet, $(nproc) cores, empty ccache"

times=()
total0=$SECONDS
report() {
  local total=$((SECONDS - total0))
  echo
  echo "fresh-clone-test: make test from a fresh clone, empty ccache"
  for line in "${times[@]}"; do echo "  $line"; done
  printf '  %-28s %6d s (%d min)\n' "total" "$total" $(((total + 59) / 60))
  echo "  (run-tests.sh printed the time of each test pass above)"
}
# Runs one phase and records its time; a failed phase ends the run with the times so far.
phase() {
  local title=$1; shift
  local t0=$SECONDS
  echo "== $title"
  if "$@"; then
    times+=("$(printf '%-28s %6d s' "$title" $((SECONDS - t0)))")
  else
    times+=("$(printf '%-28s %6d s FAILED' "$title" $((SECONDS - t0)))")
    report
    exit 1
  fi
}

# The same steps, in the same order, as `make test`.
phase "install-deps" make --no-print-directory deps
phase "make build" make --no-print-directory build
# The sanitizer and fuzz builds run beside the test passes (scripts/run-tests.sh prints each).
phase "tests + asan/fuzz builds" scripts/run-tests.sh
report
