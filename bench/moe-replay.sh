#!/usr/bin/env bash
# MoE traffic replayed on shaped labs (docs/topologies.md, "Replaying MoE traffic"): the shipped
# playbook playbooks/moe-replay.yaml, per lab, idle and then beside a CPU load (LOAD busy loops,
# bounded by the run), printing each run's summary: per mode the completion, reconfiguring and
# total seconds over the layers, the speedups of reconfiguring over static and over electrical,
# and the layers' measured completion against the quality model's estimate. Prints figures;
# asserts nothing. Needs root.
#   bench/moe-replay.sh     (BUILD_DIR defaults to build; LABS="default" picks from: default hosts32;
#                            LOAD busy loops beside the second run, default 2, 0: idle only;
#                            PHASES="idle load" the runs, in order; KNOBS_32 more `trace generate`
#                            knobs for hosts32, e.g. "--skew 2 --locality 0.2": hot experts that move)
# default: the prototype lab (4 hosts, 3 OCS + 1 EPS port each), shaped to 100 Mbit/s, the
#          shipped 4-layer trace, heaviest layer 0.5 s electrical only.
# hosts32: 32 hosts, 6 OCS + 2 EPS ports each on one 192x192 OCS, shaped to 10 Mbit/s, a seeded
#          4-layer trace of 64 experts, heaviest layer LAYER_SECONDS_32 (default 6) s electrical
#          only: long enough that each port's ~30 transfers a layer spend their time on the link,
#          not in being started (two requests and a TCP connection each).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
labs=${LABS:-default hosts32}
load=${LOAD:-2}
cmake --build "$build" --target mixnet-lab mixnet-agent mixnet-ocs-emu mixnet-coord >/dev/null
lab="$build/bin/mixnet-lab"
coord="$build/bin/mixnet-coord"
name="rpb$$"
name=${name:0:9}
work=$(mktemp -d)
loaders=()
stop_load() { for p in "${loaders[@]}"; do kill "$p" 2>/dev/null || true; done; loaders=(); }
trap 'stop_load; "$lab" down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

summary() {   # the replay step's data: totals, speedups, measured vs estimated per layer
  python3 - "$1" <<'PY'
import json, sys
steps = json.load(open(sys.argv[1]))["steps"]
d = next(s for s in steps if s["module"] == "measure.replay")["result"]["data"]
for t in d["totals"]:
    print(f"  {t['mode']:<13} completion {t['completion_s']:7.3f} s  reconfiguring {t['reconfig_s']:6.3f} s  total {t['total_s']:7.3f} s  failed layers {t['failed_layers']}")
f = lambda x: "n/a" if x is None else f"{x:.2f}x"
print(f"  speedup of reconfiguring: over static {f(d['speedup_over_static'])}, over electrical {f(d['speedup_over_electrical'])}")
ratios = [l["completion_s"] / l["estimate_s"] for l in d["layers"] if l["estimate_s"] > 0]
print(f"  measured / estimated completion per layer: min {min(ratios):.2f} median {sorted(ratios)[len(ratios)//2]:.2f} max {max(ratios):.2f}")
for l in d["layers"]:
    if not l["ok"]:
        print(f"  FAILED {l['mode']} layer {l['layer']}: {l['message'][:400]}")
flows = [l["flows"] for l in d["layers"]]
print(f"  flows per layer {min(flows)}..{max(flows)}; {d['setup']['scale_reason']}")
PY
}

run_lab() {   # LABEL, mixnet-lab up args, playbook extra args
  "$lab" up --name "$name" $2 >/dev/null
  local inv=/run/mixnet-lab/$name/inventory.yaml
  for phase in ${PHASES:-idle load}; do
    [ "$phase" = load ] && [ "$load" -eq 0 ] && continue
    if [ "$phase" = load ]; then
      for _ in $(seq "$load"); do timeout 600 sh -c 'while :; do :; done' & loaders+=($!); done
    fi
    local out="$work/$1-$phase"
    local t0=$(date +%s.%N)
    "$coord" run playbooks/moe-replay.yaml -i "$inv" --db "$work/results.db" --out "$out" $3 >"$out.log" 2>&1 ||
      { echo "$1 ($phase): the run failed:"; tail -5 "$out.log"; }
    local t1=$(date +%s.%N)
    echo "$1, $phase (load average $(cut -d' ' -f1 /proc/loadavg)), run $(python3 -c "print(f'{$t1-$t0:.1f}')") s:"
    summary "$out/results.json"
    stop_load
  done
  "$lab" down --name "$name" >/dev/null
}

for l in $labs; do
  case "$l" in
    default) run_lab default "--profile fast --line-rate-mbit 100" "" ;;
    hosts32)
      hosts=$(seq -s, -f "h%g" 1 32)
      "$coord" trace generate --hosts "$hosts" --experts 64 --layers 4 --seed 3 ${KNOBS_32:-} -o "$work/trace32.json" >/dev/null
      run_lab hosts32 "--profile fast --hosts 32 --ocs-ports 6 --eps-ports 2 --line-rate-mbit 10" \
        "-e trace=$work/trace32.json -e layer_seconds=${LAYER_SECONDS_32:-6} -e link_deadline_s=60" ;;
    *) echo "unknown lab $l (default, hosts32)" >&2; exit 2 ;;
  esac
done
