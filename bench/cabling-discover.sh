#!/usr/bin/env bash
# Cabling discovery on whole labs (docs/cabling.md): for the default lab (4 hosts, one 16x16 OCS),
# the 32-host lab with one OCS (6 OCS ports per host: 192 NIC ports on a 192x192 switch) and the
# mixnet-256 preset (32 hosts, 4 regions, 4 OCS 48x48), each with the cabling map removed from its
# inventory: `mixnet-coord cabling discover`, then, per switch, the light-pattern rounds, loopback
# rounds, switch operations, power reads and seconds, and whether the found map equals the lab's
# own (read from the lab plane, which the coordinator never reads). Prints figures; asserts
# nothing about time. Needs root.
#   bench/cabling-discover.sh          (BUILD_DIR defaults to build; LABS="default mixnet-256"
#                                       picks labs from: default hosts32 mixnet-256;
#                                       PROFILE=fast|fixed:MS the link-training model, default fast;
#                                       LINK_TIMEOUT seconds, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
labs=${LABS:-default hosts32 mixnet-256}
profile=${PROFILE:-fast}
link_timeout=${LINK_TIMEOUT:-2}
cmake --build "$build" --target mixnet-lab mixnet-agent mixnet-ocs-emu mixnet-coord >/dev/null
lab="$build/bin/mixnet-lab"
coord="$build/bin/mixnet-coord"
name="cab$$"
name=${name:0:9}
work=$(mktemp -d)
trap '"$lab" down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The found map against the lab plane's own (python3, standard library only): the found
# inventory read by mixnet-coord itself (`inventory show --json`), the plane over its control API.
python_compare() {
  "$coord" inventory show --json -i "$1" >"$work/found.json"
  python3 - "$work/found.json" "$2" "$3" <<'PY'
import json, os, sys, urllib.request
found_path, lab_dir, results_path = sys.argv[1:4]
found = json.load(open(found_path))
fm = {}
for h in found["hosts"]:
    for p in h["ports"]:
        o = p.get("ocs")
        if o and "tx" in o:
            fm[h["name"] + ":" + p["name"]] = (str(o["tx"]), str(o["rx"]))
truth = {}
for s in found["switches"]:
    gt = s.get("ground_truth")
    if not gt:
        continue
    tf = gt["token_file"]
    token = open(tf if os.path.isabs(tf) else os.path.join(lab_dir, tf)).read().strip()
    req = urllib.request.Request(gt["url"] + "/v1/plane", headers={"Authorization": "Bearer " + token})
    plane = json.load(urllib.request.urlopen(req, timeout=10))
    for e in plane["ends"]:
        truth[e["id"]] = (str(e["tx"]), str(e["rx"]))
res = json.load(open(results_path))
data = res["steps"][0]["result"].get("data", {})
print(f"  found {len(fm)} of {len(truth)} ports; equal to the lab's own map: {'yes' if fm == truth else 'NO'}")
for name, s in sorted(data.get("switches", {}).items()):
    print(f"  {name:>6} {s.get('size','?'):>8}  nic ports {s['nic_ports']:>3}  light rounds {s.get('input_rounds',0):>2}  "
          f"loopback rounds {s.get('output_rounds',0):>3}  switch ops {s.get('switch_operations',0):>3}  "
          f"power reads {s.get('power_reads',0):>2}  {s.get('seconds',0):6.1f} s")
PY
}

run_lab() {
  local label=$1; shift
  echo "== $label"
  "$lab" up --name "$name" --replace --profile "$profile" "$@" >/dev/null
  local dir=/run/mixnet-lab/$name
  # The map removed: `ocs: {switch: S, tx: T, rx: R}` -> `ocs: {switch: S}`. Kept in the lab's
  # folder: the inventory's relative token paths resolve against it.
  sed -E 's/ocs: \{switch: ([a-z0-9]+), tx: [0-9]+, rx: [0-9]+\}/ocs: {switch: \1}/' "$dir/inventory.yaml" >"$dir/unmapped.yaml"
  local t0 t1
  t0=$(date +%s.%N)
  "$coord" cabling discover -i "$dir/unmapped.yaml" --out "$dir/found.yaml" --run-dir "$work/run" --db "$work/results.db" \
    --link-timeout "$link_timeout" >"$work/out.txt" 2>&1 || { tail -20 "$work/out.txt"; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "  mixnet-coord cabling discover: %.1f s in all\n", b - a }'
  python_compare "$dir/found.yaml" "$dir" "$work/run/results.json"
  "$lab" down --name "$name" >/dev/null
}

echo "training profile $profile, link timeout ${link_timeout}s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for l in $labs; do
  case $l in
    default) run_lab "default lab (4 hosts, 12 NIC ports, one 16x16 OCS)" ;;
    hosts32) run_lab "32 hosts, 6 OCS + 2 EPS ports, one OCS (192 NIC ports)" --hosts 32 --ocs-ports 6 --eps-ports 2 ;;
    mixnet-256) run_lab "mixnet-256 (32 hosts, 4 regions, 4 OCS 48x48)" --preset mixnet-256 ;;
    *) echo "unknown lab $l (default, hosts32, mixnet-256)" >&2; exit 2 ;;
  esac
done
