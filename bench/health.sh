#!/usr/bin/env bash
# The whole nightly health run (mixnet-coord health, playbooks/nightly-health.yaml) on a lab with
# 1 s traffic tests: the total time and how it splits into reconfiguration, link verification,
# traffic (first pass: the test rounds, set-up and collection included), retests and the rest (hosts, report, clearing the switch). The target
# (docs/health.md, "Speed"): everything but the seconds spent sending test traffic under 10% of
# the total on the 32-host lab. Needs root. Prints figures; asserts nothing about timing.
#   bench/health.sh            the default lab (4 hosts, 3 OCS + 1 EPS port each)
#   bench/health.sh --big      also the 32-host lab (--hosts 32 --ocs-ports 6 --eps-ports 2)
#   bench/health.sh --mixnet-1024   the default lab, then the 1024-GPU lab (--preset mixnet-1024:
#                                   128 hosts, 16 regions; 255 electrical rounds, about 5 minutes)
#   TEST_SECONDS=1 BUILD_DIR=build
#   COORDS="old/mixnet-coord build/bin/mixnet-coord"   several coordinators, one after the other on
#                                                      the same lab (each with its own store): side by side
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
seconds=${TEST_SECONDS:-1}
big=0
m1024=0
case ${1:-} in
  --big) big=1 ;;
  --mixnet-1024) m1024=1 ;;
  "") ;;
  *) echo "health.sh: unknown argument $1 (--big or --mixnet-1024)" >&2; exit 2 ;;
esac
for b in mixnet-lab mixnet-agent mixnet-ocs-emu mixnet-coord; do
  [ -x "$build/bin/$b" ] || cmake --build "$build" --target mixnet-lab mixnet-agent mixnet-ocs-emu mixnet-coord >/dev/null
done
lab="$build/bin/mixnet-lab"
name="hb$$"
name=${name:0:9}
work=$(mktemp -d /tmp/mixnet-bench-health.XXXXXX)
trap '"$lab" down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

bench_one() {   # $1: label, rest: mixnet-lab up flags
  local label=$1
  shift
  "$lab" down --name "$name" >/dev/null 2>&1 || true
  "$lab" up --name "$name" "$@" ${LAB_FLAGS:-} >/dev/null   # LAB_FLAGS: e.g. --insecure-plain-http, to compare
  local coord i=0
  for coord in ${COORDS:-$build/bin/mixnet-coord}; do
  i=$((i + 1))
  rm -rf "$work/out"
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  "$coord" health -i "/run/mixnet-lab/$name/inventory.yaml" --test-seconds "$seconds" \
    --db "$work/results-$i.db" --out "$work/out" >"$work/coord.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  python3 - "$label ($coord)" "$work/out/results.json" "$work/out/health.json" "$rc" "$t0" "$t1" <<'PY'
import json, sys
label, results_path, health_path, rc, t0, t1 = sys.argv[1:7]
wall = float(t1) - float(t0)
steps = json.load(open(results_path))["steps"]
health = json.load(open(health_path))
split = {"reconfig": 0.0, "verify": 0.0, "traffic": 0.0, "counters": 0.0, "retests": 0.0}
sending = 0.0   # rounds x test seconds: the traffic asked for, first pass and retests
measured = 0.0  # per round, from its first sender's start to its last sender's end (the agents' stamps)
tests = {"first pass": 0, "retests": 0}
steps_total = 0.0
gaps = []       # ms from one round's last sender's end to the next round's first start (< 0: overlap)
for s in steps:
    steps_total += s.get("duration_s") or 0
    if s["module"] == "health.counters":   # the mark and the since-steps: counters and flaps
        split["counters"] += s.get("duration_s") or 0
    if s["module"] != "health.bandwidth":
        continue
    data = (s.get("result") or {}).get("data", {})
    secs = data.get("seconds", {})
    sending += secs.get("sending", 0.0)
    spans = {}
    for item in (s.get("result") or {}).get("items", []):
        for f in (item.get("data") or {}).get("flows", []):
            if f.get("start_ns") and f.get("end_ns"):
                lo, hi = spans.get(f["round"], (f["start_ns"], f["end_ns"]))
                spans[f["round"]] = (min(lo, f["start_ns"]), max(hi, f["end_ns"]))
    # The union of the rounds' spans: a round started ahead may begin while the last one drains.
    ordered = sorted(spans.values())
    for k, (lo, hi) in enumerate(ordered):
        if k + 1 < len(ordered):
            gaps.append((ordered[k + 1][0] - hi) / 1e6)
            hi = min(hi, ordered[k + 1][0])
        measured += max(0, hi - lo) / 1e9
    if data.get("mode", "").startswith("retest"):
        split["retests"] += s.get("duration_s") or 0
        tests["retests"] += data.get("tests", 0)
        continue
    tests["first pass"] += data.get("tests", 0)
    for k in ("reconfig", "verify", "traffic", "counters"):   # counters: the reads around each re-patch and test round
        split[k] += secs.get(k, 0.0)
other = wall - sum(split.values())
print(f"{label}: exit {rc}, verdict {health['overall']}, {tests['first pass']} tests + {tests['retests']} retests, "
      f"{len(health['blames'])} blame(s)")
print(f"  total          {wall:8.2f} s  (steps {steps_total:.2f} s)")
for k in ("reconfig", "verify", "traffic", "counters", "retests"):
    print(f"  {k:<14} {split[k]:8.2f} s  {100 * split[k] / wall:5.1f}%")
print(f"  other          {other:8.2f} s  {100 * other / wall:5.1f}%  (hosts, report, clearing, process start)")
print(f"  sending        {sending:8.2f} s  {100 * sending / wall:5.1f}%  (nominal: rounds x test seconds, retests included)")
print(f"  sending        {measured:8.2f} s  {100 * measured / wall:5.1f}%  (measured: each round from its first sender's start to its last sender's end)")
print(f"  non-traffic    {wall - measured:8.2f} s  {100 * (wall - measured) / wall:5.1f}%  (measured; target < 10% on the 32-host lab)")
print(f"  non-traffic    {wall - sending:8.2f} s  {100 * (wall - sending) / wall:5.1f}%  (nominal: also counts the senders' staggered starts and the drain of what is in flight)")
if gaps:
    gaps.sort()
    print(f"  between rounds {len(gaps)} gaps: median {gaps[len(gaps) // 2]:.1f} ms, min {gaps[0]:.1f} ms, max {gaps[-1]:.1f} ms "
          f"(last sender's end to next round's first start; < 0: overlap)")
# A run on a healthy lab should blame nothing: say what was blamed, so a false blame can be chased.
for b in health["blames"]:
    print(f"  blamed {b['severity']} {b['kind']} {b['part']}: {b['reason'][:300]}")
PY
  done
}

bench_one "default lab (4 hosts)" --carrier-poll-us 0   # the carrier poller is for latency measurements (docs/health/nightly.md)
if [ "$big" = 1 ]; then
  bench_one "32-host lab (6 OCS + 2 EPS ports)" --hosts 32 --ocs-ports 6 --eps-ports 2
fi
if [ "$m1024" = 1 ]; then
  bench_one "mixnet-1024 lab (128 hosts, 16 regions, 6 OCS + 2 EPS ports)" --preset mixnet-1024
fi
