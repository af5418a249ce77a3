#!/usr/bin/env bash
# OCS driver benchmark: with the emulator's switching time at 0, the median and p99 round trip of
# a 16-port re-patch through each driver (Polatis TL1, Polatis RESTCONF, Calient TL1), and the TL1
# codec's reply parsing throughput. Prints figures; asserts nothing about timing.
#   bench/ocs-drivers.sh [REPETITIONS]      (BUILD_DIR defaults to build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
if [ ! -x "$build/bin/ocs_drivers_bench" ]; then
  cmake --build "$build" --target ocs_drivers_bench >/dev/null
fi
exec "$build/bin/ocs_drivers_bench" "${1:-200}"
