#!/usr/bin/env bash
# How right is measure.reconfig? Brings up a fresh default lab (fast profile unless PROFILE is
# set), runs playbooks/reconfig-latency.yaml for REPS repetitions (default 20: 240 port rows), and
# prints, per segment, the measurement error against the emulator's ground truth (p50/p99/max of
# |measured - truth|) and the segment percentiles (p50/p90/p99/max). Its verdict is the
# coordinator's own (every port measured, the ground-truth check's 1 ms bound, the same check the
# integration test holds) plus the clock alignment and the row counts below. The agents', the emulator's and
# the coordinator's stamping threads take SCHED_FIFO 10 themselves; STAMP_PRIORITY=N passes
# --stamp-priority N to all three (0: everything at normal priority, to compare). BUSY=N (default
# 0) keeps N processes at normal priority spinning on the cores for the coordinator's run, as a
# training job would (each ends by itself after 10 minutes; all are killed on exit).
# Every row counts: a repetition with no rows, a missing or inconsistent segment, a moment the
# ground truth has and the measurement lost, are printed as failures and the script exits 1.
# PROBE=at_link_up|after_all_up (default at_link_up).
# TRAFFIC=true|false (default true: a paced timeline stream over every new circuit, as the
# playbook does). CARRIER_POLL_US: the lab's --carrier-poll-us (default: the lab's, 100 us; 0
# compares with netlink alone). LAB_FLAGS: more mixnet-lab up flags, e.g. "--preset mixnet-1024"
# (the 1024-GPU lab: then TOPOLOGY=cover is the sensible pair, below). TOPOLOGY=prototype (default:
# the playbook's mesh <-> ring on h1..h4) or cover (the generated cover-1 <-> cover-2: every OCS port
# of every region re-patched each repetition). Needs root. BUILD_DIR: default build.
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
# shellcheck disable=SC2086  # LAB_FLAGS is a list of flags
"$build/bin/mixnet-lab" up --name "$name" --profile "$profile" "${poll_args[@]}" "${stamp_args[@]}" ${LAB_FLAGS:-} >"$tmp/up.log" 2>&1 || { cat "$tmp/up.log" >&2; exit 1; }
topology_args=()
case ${TOPOLOGY:-prototype} in
  prototype) ;;
  cover) topology_args=(-T playbooks/topologies/cover.yaml -e first=cover-1 -e second=cover-2) ;;
  *) echo "measure-accuracy: TOPOLOGY must be prototype or cover" >&2; exit 2 ;;
esac
inv=/run/mixnet-lab/$name/inventory.yaml
deadline=30
[ "$profile" = fast ] || deadline=60
echo "measure-accuracy: lab $name (${LAB_FLAGS:-default size}, profile $profile, stamp priority ${STAMP_PRIORITY:-default}, carrier poll ${CARRIER_POLL_US:-default}), $reps repetitions of ${TOPOLOGY:-prototype} topologies, identity probe $probe, traffic ${TRAFFIC:-true}, $busy busy processes"
for _ in $(seq 1 "$busy"); do
  # Bounded even if this script is killed hard (timeout ends it).
  timeout 600 sh -c 'while :; do :; done' &
  busy_pids+=($!)
done
rc=0
"$build/bin/mixnet-coord" run playbooks/reconfig-latency.yaml -i "$inv" --db "$tmp/results.db" --out "$tmp/run" \
  ${STAMP_PRIORITY:+--stamp-priority $STAMP_PRIORITY} \
  "${topology_args[@]}" -e reps="$reps" -e link_deadline_s="$deadline" -e probe="$probe" -e traffic="${TRAFFIC:-true}" ${TRAFFIC_GBPS:+-e traffic_rate_gbps=$TRAFFIC_GBPS} >"$tmp/run.log" 2>&1 || rc=$?
for p in "${busy_pids[@]}"; do kill "$p" 2>/dev/null || true; done
[ -f "$tmp/run/measurement.json" ] || { cat "$tmp/run.log" >&2; exit 1; }
verdict=0
# The clock alignment (docs/measurement.md): the lab's clocks are one clock, so the true offset is
# 0; an estimate whose interval does not hold it is a failure.
python3 - "$tmp/run/measurement.json" <<'PY' || verdict=1
import json, sys
clocks = json.load(open(sys.argv[1]))["clocks"]
print("clock alignment (true offset 0: one host clock); ms")
print(f"{'clock':<14} {'offset':>8} {'+-':>8} {'best rtt':>9} {'samples':>7}  holds")
bad = 0
for c in clocks:
    holds = abs(c["offset_ns"]) <= c["uncertainty_ns"]
    bad += not holds
    print(f"{c['clock']:<14} {c['offset_ns'] / 1e6:8.3f} {c['uncertainty_ns'] / 1e6:8.3f} {c['best_rtt_ns'] / 1e6:9.3f} {c['samples']:>7}  {'yes' if holds else 'NO'}")
if bad:
    print(f"FAIL: {bad} of {len(clocks)} clock estimates do not contain the true offset")
sys.exit(1 if bad else 0)
PY
python3 - "$tmp/run/measurement.json" "$reps" "${TRAFFIC:-true}" <<'PY' || verdict=$?
# Every repetition asked for and every row counts: a repetition with no rows, a row whose segment
# is missing or inconsistent, a row that lost a moment the ground truth has, are failures,
# printed as such and making this script exit 1; never a count beside a passing figure.
import json, math, sys
m = json.load(open(sys.argv[1]))
reps_asked, traffic = int(sys.argv[2]), sys.argv[3] == "true"
def rank(vals, p):
    vals = sorted(vals)
    return vals[max(0, math.ceil(p / 100 * len(vals)) - 1)] if vals else None
def f(v):
    return f"{'-':>10}" if v is None else f"{v / 1e6:10.3f}"
rows = m["rows"]
failures = []
reps_seen = {r["repetition"] for r in rows}
dropped = [r for r in range(1, reps_asked + 1) if r not in reps_seen]
per_rep = {}
for r in rows:
    per_rep[r["repetition"]] = per_rep.get(r["repetition"], 0) + 1
rows_per_rep = max(per_rep.values(), default=0)
short = {r: rows_per_rep - n for r, n in per_rep.items() if n < rows_per_rep}
print(f"{len(rows)} port rows, {len(reps_seen)} of {reps_asked} repetitions; times in ms, nearest-rank percentiles")
if dropped:
    failures.append(f"{len(dropped)} of {reps_asked} repetitions have no rows (first: #{dropped[0]})")
if short:
    failures.append(f"{sum(short.values())} rows missing from {len(short)} repetitions (fewer than {rows_per_rep} ports)")
skip = set() if traffic else {"link_up_to_traffic", "cmd_to_traffic"}
print(f"{'segment':<24} {'ok':>4} {'FAIL':>4} {'p50':>10} {'p90':>10} {'p99':>10} {'max':>10}")
for s in m["summary"]["segments"]:
    if s["segment"] in skip:
        continue
    bad = s["missing"] + s["inconsistent"]
    print(f"{s['segment']:<24} {s['ok']:>4} {bad:>4} {f(s['p50_ns'])} {f(s['p90_ns'])} {f(s['p99_ns'])} {f(s['max_ns'])}")
    if bad:
        failures.append(f"{s['segment']}: {s['missing']} missing + {s['inconsistent']} inconsistent of {len(rows)} rows")
gt = m.get("ground_truth")
if not gt:
    print("no ground truth (the inventory's switch has none)")
else:
    print(f"\nground truth: {'PASS' if gt['pass'] else 'FAIL'}, {gt['message']}")
    print(f"checked against ground truth: {', '.join(gt['checked_moments'])}; "
          f"not checked (no truth): {', '.join(gt['unchecked_moments'])}")
    print(f"error vs ground truth (|measured - truth|, ms), bound {gt['bound_ns'] / 1e6:.3f} ms at p99")
    print(f"{'segment':<24} {'rows':>5} {'pairs':>5} {'miss':>5} {'inc':>5} {'p50':>10} {'p99':>10} {'max':>10}  mean signed")
    for s in gt["segments"]:
        signed = [r["truth"]["error_ns"][s["segment"]] for r in rows
                  if r.get("truth") and r["truth"]["error_ns"].get(s["segment"]) is not None]
        mean = sum(signed) / len(signed) / 1e6 if signed else float("nan")
        print(f"{s['segment']:<24} {s['rows']:>5} {s['pairs']:>5} {s['missing']:>5} {s['inconsistent']:>5} "
              f"{f(s['p50_abs_ns'])} {f(s['p99_abs_ns'])} {f(s['max_abs_ns'])}  {mean:+.3f}")
    print("\nper moment, measured - truth (ms): p50 / p99 / max of |error|, rows that lost the moment, rows measured with no truth")
    for k in gt["checked_moments"]:
        e = [abs(r["truth"]["moment_error_ns"][k]) for r in rows if r.get("truth") and r["truth"]["moment_error_ns"].get(k) is not None]
        lost = gt["missing_moments"].get(k, 0)
        unjudged = gt.get("unjudged_moments", {}).get(k, 0)
        print(f"  {k:<14} {f(rank(e, 50))} {f(rank(e, 99))} {f(max(e) if e else None)}  lost {lost}  no truth {unjudged}")
    if not gt["pass"]:
        failures.append(f"ground truth: {gt['message']}")
if failures:
    print("\nverdict: FAIL")
    for x in failures:
        print(f"  {x}")
    sys.exit(1)
print(f"\nverdict: PASS (every one of {len(rows)} rows of {reps_asked} repetitions measured, every segment ok)")
PY
echo "coordinator exit: $rc (the step fails when a port's item or the ground-truth check does); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Any of the three failing fails the bench: the clocks, the rows, the coordinator's own verdict.
if [ "$verdict" -ne 0 ] || [ "$rc" -ne 0 ]; then
  echo "measure-accuracy: FAIL (clock alignment, rows or the coordinator's verdict above)"
  exit 1
fi
