#!/usr/bin/env bash
# How right is measure.reconfig? Brings up a fresh default lab (fast profile unless PROFILE is
# set), runs playbooks/reconfig-latency.yaml for REPS repetitions (default 20: 240 port rows), and
# prints, per segment, the measurement error against the emulator's ground truth (p50/p99/max of
# |measured - truth|) and the segment percentiles (p50/p90/p99/max). Asserts nothing about timing:
# it prints figures (the integration test holds the 1 ms check). The agents', the emulator's and
# the coordinator's stamping threads take SCHED_FIFO 10 themselves; STAMP_PRIORITY=N passes
# --stamp-priority N to all three (0: everything at normal priority, to compare). BUSY=N (default
# 0) keeps N processes at normal priority spinning on the cores for the coordinator's run, as a
# training job would (each ends by itself after 10 minutes; all are killed on exit).
# PROBE=at_link_up|after_all_up (default at_link_up).
# TRAFFIC=true|false (default true: a paced timeline stream over every new circuit, as the
# playbook does). CARRIER_POLL_US: the lab's --carrier-poll-us (default: the lab's, 100 us; 0
# compares with netlink alone). Needs root. BUILD_DIR: default build.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
reps=${REPS:-20}
profile=${PROFILE:-fast}
busy=${BUSY:-0}
probe=${PROBE:-at_link_up}
for b in mixnet-lab mixnet-coord mixnet-agent mixnet-ocs-emu; do
  [ -x "$build/bin/$b" ] || { echo "measure-accuracy: $build/bin/$b not built (make build)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "measure-accuracy: needs root (network namespaces)" >&2; exit 1; }

name=acc$(( $$ % 100000 ))
tmp=$(mktemp -d /tmp/mixnet-measure-acc-XXXXXX)
busy_pids=()
cleanup() {
  for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${busy_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  "$build/bin/mixnet-lab" down --name "$name" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

poll_args=()
[ -n "${CARRIER_POLL_US:-}" ] && poll_args=(--carrier-poll-us "$CARRIER_POLL_US")
stamp_args=()
[ -n "${STAMP_PRIORITY:-}" ] && stamp_args=(--stamp-priority "$STAMP_PRIORITY")
"$build/bin/mixnet-lab" up --name "$name" --profile "$profile" "${poll_args[@]}" "${stamp_args[@]}" >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; exit 1; }
inv=/run/mixnet-lab/$name/inventory.yaml
deadline=30
[ "$profile" = fast ] || deadline=60
echo "measure-accuracy: lab $name (profile $profile, stamp priority ${STAMP_PRIORITY:-default}, carrier poll ${CARRIER_POLL_US:-default}), $reps repetitions of mesh <-> ring, identity probe $probe, traffic ${TRAFFIC:-true}, $busy busy processes"
for _ in $(seq 1 "$busy"); do
  # Bounded even if this script is killed hard (timeout ends it).
  timeout 600 sh -c 'while :; do :; done' &
  busy_pids+=($!)
done
rc=0
"$build/bin/mixnet-coord" run playbooks/reconfig-latency.yaml -i "$inv" --db "$tmp/results.db" --out "$tmp/run" \
  ${STAMP_PRIORITY:+--stamp-priority $STAMP_PRIORITY} \
  -e reps="$reps" -e link_deadline_s="$deadline" -e probe="$probe" -e traffic="${TRAFFIC:-true}" ${TRAFFIC_GBPS:+-e traffic_rate_gbps=$TRAFFIC_GBPS} >"$tmp/run.log" 2>&1 || rc=$?
for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done
[ -f "$tmp/run/measurement.json" ] || { cat "$tmp/run.log" >&2; exit 1; }
python3 - "$tmp/run/measurement.json" <<'PY'
import json, math, sys
m = json.load(open(sys.argv[1]))
def rank(vals, p):
    vals = sorted(vals)
    return vals[max(0, math.ceil(p / 100 * len(vals)) - 1)] if vals else None
def f(v):
    return f"{'-':>10}" if v is None else f"{v / 1e6:10.3f}"
rows = m["rows"]
print(f"{len(rows)} port rows, {len({r['repetition'] for r in rows})} repetitions; times in ms, nearest-rank percentiles")
print(f"{'segment':<24} {'n':>4} {'p50':>10} {'p90':>10} {'p99':>10} {'max':>10}")
for s in m["summary"]["segments"]:
    print(f"{s['segment']:<24} {s['ok']:>4} {f(s['p50_ns'])} {f(s['p90_ns'])} {f(s['p99_ns'])} {f(s['max_ns'])}")
gt = m.get("ground_truth")
if not gt:
    print("no ground truth (the inventory's switch has none)")
    sys.exit(0)
print(f"\nerror vs ground truth (|measured - truth|, ms), bound {gt['bound_ns'] / 1e6:.3f} ms at p99: {'PASS' if gt['pass'] else 'FAIL'}")
print(f"{'segment':<24} {'pairs':>5} {'p50':>10} {'p99':>10} {'max':>10}  mean signed")
for s in gt["segments"]:
    signed = [r["truth"]["error_ns"][s["segment"]] for r in rows
              if r.get("truth") and r["truth"]["error_ns"].get(s["segment"]) is not None]
    mean = sum(signed) / len(signed) / 1e6 if signed else float("nan")
    print(f"{s['segment']:<24} {s['pairs']:>5} {f(s['p50_abs_ns'])} {f(s['p99_abs_ns'])} {f(s['max_abs_ns'])}  {mean:+.3f}")
print("\nper moment, measured - truth (ms): p50 / p99 / max of |error|")
for k in ("cmd_sent", "switch_ack", "carrier_lost", "link_up"):
    e = [abs(r["truth"]["moment_error_ns"][k]) for r in rows if r.get("truth") and r["truth"]["moment_error_ns"].get(k) is not None]
    print(f"  {k:<14} {f(rank(e, 50))} {f(rank(e, 99))} {f(max(e) if e else None)}")
PY
echo "coordinator exit: $rc (the step fails when the ground-truth check does); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
