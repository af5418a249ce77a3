#!/usr/bin/env bash
# Runs every fuzz target in $FUZZ_DIR (default build-fuzz/fuzz, built by `make build-fuzz`) for a
# bounded time (FUZZ_SECONDS each, default 20) with afl-fuzz, seeded from
# tests/fuzz/corpus/<target>, up to $JOBS targets at a time (default: one per core; each afl-fuzz
# uses one core). Fails when any target found a crash or a hang, and prints how to replay it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
dir=${FUZZ_DIR:-build-fuzz/fuzz}
jobs=${JOBS:-$(nproc)}
out=fuzz-out
rm -rf "$out"
mkdir -p "$out"
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_QUIET=1
# ASan in the targets wants the default abort-on-error behaviour AFL expects.
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0

# One target: replay its corpus, fuzz it, judge it. Writes its lines to $out/NAME.summary (printed
# in order once every target is done) and returns 1 when it failed.
fuzz_one() {
  local target=$1 name corpus stats execs paths crashes hangs
  name=$(basename "$target")
  corpus=tests/fuzz/corpus/$name
  exec >"$out/$name.summary" 2>&1
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
    echo "fuzz: $name has no seed corpus in $corpus"
    return 1
  fi
  # The corpus doubles as a regression suite: every seed must run clean before fuzzing.
  "$target" "$corpus"/* >/dev/null || { echo "fuzz: $name fails on its own seed corpus"; return 1; }
  timeout $((seconds + 60)) afl-fuzz -V "$seconds" -m none -t 1000 -i "$corpus" -o "$out/$name" -- "$target" \
    >"$out/$name.log" 2>&1 || { echo "fuzz: afl-fuzz failed for $name (see $out/$name.log)"; tail -5 "$out/$name.log"; return 1; }
  stats=$out/$name/default/fuzzer_stats
  # Called in a || list, so errexit is off here: check what the judgement reads is there.
  if [ ! -f "$stats" ] || [ ! -d "$out/$name/default/crashes" ] || [ ! -d "$out/$name/default/hangs" ]; then
    echo "fuzz: afl-fuzz left no statistics for $name (see $out/$name.log)"
    return 1
  fi
  execs=$(awk -F': ' '/^execs_done/{print $2}' "$stats")
  paths=$(awk -F': ' '/^corpus_count/{print $2}' "$stats")
  crashes=$(find "$out/$name/default/crashes" -type f ! -name README.txt | wc -l)
  hangs=$(find "$out/$name/default/hangs" -type f | wc -l)
  echo "fuzz: $name: ${seconds}s, $execs executions, $paths corpus entries, $crashes crashes, $hangs hangs"
  if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    echo "fuzz: $name FAILED; replay with: $target $out/$name/default/crashes/<file>"
    return 1
  fi
}

targets=()
for target in "$dir"/*; do
  [ -x "$target" ] && targets+=("$target")
done
[ "${#targets[@]}" -gt 0 ] || { echo "fuzz: no targets found in $dir" >&2; exit 1; }

# Each target in the background, at most $jobs at once; its exit status lands in NAME.rc.
running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  name=$(basename "$target")
  { rc=0; fuzz_one "$target" || rc=$?; echo "$rc" >"$out/$name.rc"; } &
  running=$((running + 1))
done
wait

failed=0
for target in "${targets[@]}"; do
  name=$(basename "$target")
  cat "$out/$name.summary" 2>/dev/null || true
  # No status file: the target's run died before it could judge; that is a failure too.
  [ "$(cat "$out/$name.rc" 2>/dev/null)" = 0 ] || { failed=1; echo "fuzz: $name FAILED"; }
done
exit $failed
