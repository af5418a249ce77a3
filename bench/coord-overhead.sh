#!/usr/bin/env bash
# mixnet-coord control overhead: ocs.apply + links.verify on a lab, repeated, alternating the two
# generated cover topologies. Overhead per repetition = the time the coordinator declared every
# link verified (links.verify's all_verified_ns) minus the last link-up in the emulator's ground
# truth (the lab plane's link_up events of that repetition). Printed as a curve over lab sizes,
# with what the coordinator asked of the agents: HTTP requests and new connections per
# reconfiguration per host (from every agent's /metrics before and after). Targets (issue 14):
# median under 1 ms at 4 hosts, 5 ms at 32, 20 ms at 128 (1024 GPUs). Needs root.
# Prints figures; asserts nothing about timing. Every repetition counts: one that never declared
# every link verified, one with no ground-truth link-up, and one whose verdict came before a
# link-up of its own repetition (a premature verdict) are printed as failures and the script
# exits 1 (after every lab).
#   bench/coord-overhead.sh [REPS]     (BUILD_DIR defaults to build; REPS defaults to 20)
#   SIZES="4 32 128"   the labs, by hosts: 4 the default lab (the prototype), 32 the 32-host lab
#                      (6 OCS + 2 EPS ports per host, one 192-port switch), 128 the mixnet-1024
#                      preset (16 regions, 16 switches); the default is all three
#   LAB_FLAGS="--insecure-plain-http"   more mixnet-lab up flags; ONLY_DEFAULT=1: SIZES=4
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
reps=${1:-20}
for b in mixnet-lab mixnet-agent mixnet-ocs-emu mixnet-coord; do
  [ -x "$build/bin/$b" ] || cmake --build "$build" --target mixnet-lab mixnet-agent mixnet-ocs-emu mixnet-coord >/dev/null
done
lab="$build/bin/mixnet-lab"
name="co$$"
name=${name:0:9}
work=$(mktemp -d /tmp/mixnet-bench-coord.XXXXXX)
trap '"$lab" down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

bench_one() {   # $1: label, rest: mixnet-lab up flags
  local label=$1
  shift
  "$lab" down --name "$name" >/dev/null 2>&1 || true
  "$lab" up --name "$name" "$@" ${LAB_FLAGS:-} >/dev/null   # LAB_FLAGS: e.g. --insecure-plain-http, to compare
  cp playbooks/topologies/cover.yaml "$work/"
  {
    echo "name: overhead"
    echo "topologies: [cover.yaml]"
    echo "steps:"
    for i in $(seq 1 "$reps"); do
      for t in cover-1 cover-2; do
        echo "  - {name: apply $t rep $i, ocs.apply: {topology: $t}}"
        echo "  - {name: verify $t rep $i, links.verify: {topology: $t, deadline: 60}}"
      done
    done
    echo "always:"
    echo "  - {name: clear, ocs.clear: {}}"
  } >"$work/overhead.yaml"
  rm -rf "$work/out"
  python3 bench/lab-agent-metrics.py "/run/mixnet-lab/$name/inventory.yaml" >"$work/metrics-before.json"
  python3 bench/with-rusage.py "$work/coord-rusage.json" "$build/bin/mixnet-coord" run "$work/overhead.yaml" -i "/run/mixnet-lab/$name/inventory.yaml" \
    --db "$work/results.db" --out "$work/out" >"$work/coord.log" 2>&1 || { tail -20 "$work/coord.log"; exit 1; }
  python3 bench/lab-agent-metrics.py "/run/mixnet-lab/$name/inventory.yaml" >"$work/metrics-after.json"
  python3 - "$label" "$work/out/results.json" "/run/mixnet-lab/$name/inventory.yaml" "$work/metrics-before.json" \
    "$work/metrics-after.json" "$work/curve.txt" "$reps" "$work/coord-rusage.json" <<'PY'
import json, sys, urllib.request, statistics
label, results_path, inventory_path, before_path, after_path, curve_path, reps, rusage_path = sys.argv[1:9]
import re
inv = open(inventory_path).read()
# Every switch's ground truth (a region's switch each, on the multi-region presets).
import os
# One emulator may serve several switches: read each control API once.
truths = list(dict.fromkeys(re.findall(r"ground_truth:\s*\n\s*url:\s*(\S+)\s*\n\s*token_file:\s*(\S+)", inv)))
events = []
for url, token_file in truths:
    token = open(os.path.join(os.path.dirname(inventory_path), token_file)).read().strip()
    after = 0
    while True:
        req = urllib.request.Request(f"{url}/v1/plane/events?after={after}&limit=10000", headers={"Authorization": f"Bearer {token}"})
        page = json.load(urllib.request.urlopen(req, timeout=10))
        events += page["events"]
        if not page["events"]:
            break
        after = page["next_after"]
link_ups = sorted(e["time_ns"] for e in events if e["kind"] == "link_up")
steps = json.load(open(results_path))["steps"]
applies = [s for s in steps if s["module"] == "ocs.apply" and s["section"] != "always"]
verifies = [s for s in steps if s["module"] == "links.verify"]
# A repetition's link-ups are all those from its ocs.apply to the next one (or the end): none is
# left out for coming after "all verified". One that did is a premature verdict, a failure shown.
overheads, own_overheads, verify_ms, apply_ms = [], [], [], [s["duration_s"] * 1e3 for s in applies]
failures = []
for i, v in enumerate(verifies):
    start = max((a["started_ns"] for a in applies if a["started_ns"] <= v["started_ns"]), default=None)
    later = [a["started_ns"] for a in applies if a["started_ns"] > v["started_ns"]]
    end = min(later) if later else float("inf")
    verify_ms.append(v["duration_s"] * 1e3)
    name = v.get("name", f"links.verify #{i + 1}")
    verified = (v.get("result") or {}).get("data", {}).get("all_verified_ns")
    ups = [t for t in link_ups if start is not None and start <= t < end]
    if v.get("status") not in ("ok", "changed"):
        failures.append(f"{name}: step {v.get('status')}")
    if not verified:
        failures.append(f"{name}: never declared every link verified (no all_verified_ns)")
        continue
    if not ups:
        failures.append(f"{name}: no ground-truth link_up between its ocs.apply and the next")
        continue
    late = [t for t in ups if t > verified]
    if late:
        failures.append(f"{name}: premature verdict: {len(late)} link_up(s) after all verified, "
                        f"the last {(max(late) - verified) / 1e6:.2f} ms after")
    overheads.append((verified - max(ups)) / 1e6)
    # The coordinator's own share: all verified minus the last link-up the agents reported (their
    # stamps on the coordinator's clock). What lies between the ground truth's link-up and the
    # agents' is the kernel's: in one kernel holding 1024 veths, its linkwatch announces at most
    # 100 carrier changes a second once a burst exceeds that (docs/scaling.md).
    own = (v.get("result") or {}).get("data", {}).get("control_overhead_ns")
    if own is not None:
        own_overheads.append(own / 1e6)
def q(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]
print(f"{label}: {len(overheads)} of {len(verifies)} repetitions measured")
if overheads:
    print(f"  control overhead (all verified - last ground-truth link up): median {statistics.median(overheads):.2f} ms, "
          f"p90 {q(overheads, 90):.2f} ms, max {max(overheads):.2f} ms, min {min(overheads):.2f} ms")
if own_overheads:
    print(f"  the coordinator's own share (all verified - the agents' last link up): median {statistics.median(own_overheads):.2f} ms, "
          f"p90 {q(own_overheads, 90):.2f} ms, max {max(own_overheads):.2f} ms")
print(f"  ocs.apply step: median {statistics.median(apply_ms):.1f} ms; links.verify step: median {statistics.median(verify_ms):.1f} ms")
# What the run asked of the agents, per reconfiguration (an apply + verify) and per host; the
# run's first verify (catch-up, inventories, clocks) is included. Our own two /metrics reads per
# agent are not counted.
before, after = json.load(open(before_path)), json.load(open(after_path))
hosts = len(after)
reconfigs = 2 * int(reps)
req = sum(after[h]["requests"] - before.get(h, {}).get("requests", 0) for h in after) - hosts
conns = sum(after[h]["connections"] - before.get(h, {}).get("connections", 0) for h in after) - hosts
per_req, per_conn = req / reconfigs / hosts, conns / reconfigs / hosts
print(f"  per reconfiguration per host: {per_req:.2f} requests, {per_conn:.3f} new connections "
      f"({req} requests, {conns} connections to {hosts} agents over {reconfigs} reconfigurations)")
ocs_ports = inv.count("ocs: {switch:")
switches = inv.count("kind: ocs")
# The coordinator's own cost: CPU per reconfiguration, per host and per OCS port (the whole run,
# its first catch-up and the final clear included), and its peak memory.
ru = json.load(open(rusage_path))
cpu_ms = (ru["user_s"] + ru["sys_s"]) * 1e3 / reconfigs
print(f"  coordinator: {cpu_ms:.2f} ms CPU per reconfiguration ({cpu_ms * 1e3 / hosts:.0f} us per host, "
      f"{cpu_ms * 1e3 / max(ocs_ports, 1):.0f} us per OCS port), peak RSS {ru['max_rss_kib'] / 1024:.1f} MiB")
if overheads:
    with open(curve_path, "a") as f:
        own_median = statistics.median(own_overheads) if own_overheads else float("nan")
        own_p90 = q(own_overheads, 90) if own_overheads else float("nan")
        f.write(f"{hosts:>5} {ocs_ports:>9} {switches:>8} {statistics.median(overheads):>9.2f} {q(overheads, 90):>8.2f} "
                f"{own_median:>10.2f} {own_p90:>8.2f} "
                f"{per_req:>12.2f} {per_conn:>11.3f} {cpu_ms:>12.2f} {ru['max_rss_kib'] / 1024:>8.1f}\n")
if failures:
    print(f"  FAIL: {len(failures)} repetition problem(s):")
    for f in failures:
        print(f"    {f}")
    sys.exit(1)
PY
}

rc=0
sizes=${SIZES:-4 32 128}
[ "${ONLY_DEFAULT:-0}" = 1 ] && sizes=4
for size in $sizes; do
  case $size in
    4) bench_one "default lab (4 hosts, 12 OCS ports, 1 switch)" || rc=1 ;;
    32) bench_one "32-host lab (192 OCS ports, 1 switch)" --hosts 32 --ocs-ports 6 --eps-ports 2 || rc=1 ;;
    128) bench_one "mixnet-1024 lab (128 hosts, 768 OCS ports, 16 switches)" --preset mixnet-1024 || rc=1 ;;
    *) echo "coord-overhead: SIZES: $size is not one of 4 32 128" >&2; exit 2 ;;
  esac
done
echo
echo "control overhead by lab size (median and p90 in ms)"
echo "(requests, connections: per reconfiguration per host; coord CPU: ms per reconfiguration; RSS: MiB)"
echo "(median, p90: against the ground truth's last link-up; own: against the agents' last link-up)"
echo "hosts OCS-ports switches    median      p90 own-median  own-p90     requests connections coord-CPU-ms      RSS"
cat "$work/curve.txt" 2>/dev/null || true
exit "$rc"
