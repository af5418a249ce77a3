#!/usr/bin/env bash
# mixnet-lab shape: the TCP rate one iperf3 flow reaches through a shaped lab, over an OCS circuit
# and over the electrical switch, at each line rate (how close the tbf's bucket lets TCP get to
# the rate). A 2-host lab, one OCS and one EPS port each; 3 s per flow, the receiver's figure.
# Prints figures; asserts nothing. Needs root and iperf3.
#   bench/lab-shape.sh            (BUILD_DIR defaults to build; RATES="50 200" the Mbit/s tried)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
rates=${RATES:-50 200}
lab="$build/bin/mixnet-lab"
name="shb$$"
name=${name:0:9}
trap '"$lab" down --name "$name" >/dev/null 2>&1 || true' EXIT
"$lab" up --name "$name" --hosts 2 --ocs-ports 1 --eps-ports 1 >/dev/null
inv=/run/mixnet-lab/$name/inventory.yaml
uri=$(sed -n 's/^    uri: //p' "$inv" | head -1)
fibre() { grep -o "ocs: {switch: ocs1, tx: [0-9]*, rx: [0-9]*}" "$inv" | sed -n "${1}p" | grep -o "$2: [0-9]*" | cut -d' ' -f2; }
# The two-way circuit h1:ocs0 <-> h2:ocs0.
"$build/bin/mixnet-ocs" --switch "$uri" connect "$(fibre 1 tx)" "$(fibre 2 rx)" "$(fibre 2 tx)" "$(fibre 1 rx)" >/dev/null
sleep 1   # past the fast profile's link training

# Mbit/s received by one flow from h1 to h2 between the two addresses.
flow() {
  ip netns exec "mxl-$name-h2" iperf3 -s -1 -B "$2" >/dev/null 2>&1 &
  local server=$!
  sleep 0.3
  ip netns exec "mxl-$name-h1" timeout 30 iperf3 -c "$2" -B "$1" -t 3 -J |
    python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6, 1))'
  wait "$server" || true
}
for rate in $rates; do
  "$lab" shape --name "$name" --mbit "$rate" >/dev/null
  echo "line rate $rate Mbit/s: OCS circuit $(flow 198.18.1.1 198.18.1.2) Mbit/s, EPS $(flow 198.19.0.1 198.19.0.2) Mbit/s"
done
