#!/usr/bin/env bash
# mixnet-coord's memory per item: a run of N synthetic items (links.verify's verdicts and
# measure.reconfig's port rows, 768 to a step) through the real engine, results store, progress
# display and report writers, no lab needed. Prints, per N, the resident memory before the run,
# the peak during it and with the reports, and the bytes per item (peak minus before, over N).
# One process per N. Prints figures; asserts nothing.
#   bench/coord-memory.sh [N...]     (defaults: 1000 10000 50000; BUILD_DIR defaults to build;
#                                     ITEMS_PER_STEP defaults to 768)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake --build "$build" --target coord_memory_bench >/dev/null
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)
for n in "${sizes[@]}"; do
  "$build/bin/coord_memory_bench" "$n" "${ITEMS_PER_STEP:-768}"
done
