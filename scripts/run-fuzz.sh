#!/usr/bin/env bash
# Runs every fuzz target in build-fuzz/fuzz for a bounded time (FUZZ_SECONDS each, default 20)
# with afl-fuzz, seeded from tests/fuzz/corpus/<target>. Fails when any target found a crash or
# a hang, and prints how to replay it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
out=fuzz-out
rm -rf "$out"
mkdir -p "$out"
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_QUIET=1
# ASan in the targets wants the default abort-on-error behaviour AFL expects.
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0

failed=0
count=0
for target in build-fuzz/fuzz/*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=tests/fuzz/corpus/$name
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
    echo "fuzz: $name has no seed corpus in $corpus" >&2
    failed=1
    continue
  fi
  # The corpus doubles as a regression suite: every seed must run clean before fuzzing.
  "$target" "$corpus"/* >/dev/null
  timeout $((seconds + 60)) afl-fuzz -V "$seconds" -m none -t 1000 -i "$corpus" -o "$out/$name" -- "$target" \
    >"$out/$name.log" 2>&1 || { echo "fuzz: afl-fuzz failed for $name (see $out/$name.log)"; tail -5 "$out/$name.log"; failed=1; continue; }
  stats=$out/$name/default/fuzzer_stats
  execs=$(awk -F': ' '/^execs_done/{print $2}' "$stats")
  paths=$(awk -F': ' '/^corpus_count/{print $2}' "$stats")
  crashes=$(find "$out/$name/default/crashes" -type f ! -name README.txt | wc -l)
  hangs=$(find "$out/$name/default/hangs" -type f | wc -l)
  count=$((count + 1))
  echo "fuzz: $name: ${seconds}s, $execs executions, $paths corpus entries, $crashes crashes, $hangs hangs"
  if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    echo "fuzz: $name FAILED; replay with: $target $out/$name/default/crashes/<file>" >&2
    failed=1
  fi
done
[ "$count" -gt 0 ] || { echo "fuzz: no targets found in build-fuzz/fuzz" >&2; exit 1; }
exit $failed
