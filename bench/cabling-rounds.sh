#!/usr/bin/env bash
# Cabling discovery's round counts on a simulated switch (no lab, no hardware): for K = 8, 24, 48,
# 96 and 192 NICs on a full KxK switch, the power-sweep rounds (stage 1), the loopback rounds and
# switch operations (stage 2, median and max over the seeds), the facts from self-loops and chance
# pair links, and the time those rounds would take on hardware from assumed per-round costs.
# Prints figures; asserts nothing.
#   bench/cabling-rounds.sh [SEEDS]      (default 20; BUILD_DIR defaults to build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake --build "$build" --target cabling_rounds_bench >/dev/null
exec "$build/bin/cabling_rounds_bench" "${1:-20}"
