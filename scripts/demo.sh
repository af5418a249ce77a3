#!/usr/bin/env bash
# `make demo`: the MixNet prototype emulated on this machine (mixnet-lab: 4 hosts x 8 GPUs, 3 OCS
# ports + 1 electrical port each, an emulated Polatis switch whose circuits are real kernel
# forwarding, fast link-training profile), proved by the bring-up playbook, then the main job:
# the reconfiguration-latency playbook for a handful of repetitions, checked against the
# emulator's ground truth, then a small MoE trace replayed on ports shaped to 100 Mbit/s.
# Prints the summary tables and the paths of the HTML reports, and takes the lab down on every
# exit path. `make demo` builds only the programs run here (DEMO_BINARIES in the Makefile) and
# shows their build's output only when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DEMO_BIN:-build/bin}
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }

name=demo$(( $$ % 10000 ))
reps=${DEMO_REPS:-10}
out=${DEMO_OUT:-/tmp/mixnet-demo}
cleanup() { "$bin/mixnet-lab" down --name "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "bring up the emulated testbed (mixnet-lab up --name $name --profile fast)"
"$bin/mixnet-lab" up --name "$name" --profile fast
inv=/run/mixnet-lab/$name/inventory.yaml
"$bin/mixnet-lab" status --name "$name"

say "the cabling is shuffled, as in a real rack: only the inventory knows it (first host)"
sed -n '/^  - name: h1$/,/^  - name: h2$/p' "$inv" | sed '$d'

rm -rf "$out"
mkdir -p "$out"
say "bring-up: agents, inventory, electrical ports, every OCS port through a verified circuit"
"$bin/mixnet-coord" run playbooks/bringup.yaml -i "$inv" --db "$out/results.db" --out "$out/bringup"

say "a miswire behind the inventory's back is caught, naming the real peer"
"$bin/mixnet-lab" fault --name "$name" miswire h1:ocs0 h2:ocs1
"$bin/mixnet-coord" run playbooks/apply-verify.yaml -i "$inv" -e topology=mesh -e link_deadline_s=5 \
  --db "$out/results.db" --out "$out/miswire" 2>&1 | grep -E "miswired|PASSED|FAILED" || true
"$bin/mixnet-lab" fault --name "$name" clear

say "the main job: reconfiguration latency, $reps repetitions, checked against the emulator's ground truth"
# The run fails when a measured time strays from the ground truth by more than 1 ms at p99
# (docs/measurement.md); the demo still shows what it measured. The agents', the emulator's and
# the coordinator's stamping threads take real-time priority by themselves (--stamp-priority).
"$bin/mixnet-coord" run playbooks/reconfig-latency.yaml -i "$inv" -e "reps=$reps" --db "$out/results.db" --out "$out/reconfig" ||
  echo "demo: the measurement run did not pass; its report says which check failed"

say "MoE traffic replayed layer by layer: reconfigured per layer vs one static topology vs the electrical switch"
# Every data port shaped to one line rate, so the links, not this machine's two cores, are the
# bottleneck (docs/topologies.md, "Replaying MoE traffic"); the trace is playbooks/examples'.
"$bin/mixnet-lab" shape --name "$name" --mbit 100
"$bin/mixnet-coord" run playbooks/moe-replay.yaml -i "$inv" --db "$out/results.db" --out "$out/replay" ||
  echo "demo: the replay did not pass; its report says which layer failed"

say "results"
echo "HTML report: $out/reconfig/report.html (opens offline in any browser)"
echo "CSV:         $out/reconfig/measurement.csv"
echo "MoE replay:  $out/replay/replay.html, $out/replay/replay.csv"
echo "all runs:    $bin/mixnet-coord results list --db $out/results.db"
