#!/usr/bin/env bash
# The agent's TCP traffic engine against iperf3 on the same path, on equal work: two network
# namespaces joined by a veth pair, an agent in each, and in turn (same duration and streams, the
# order rotated each round): our engine with the receiver copying every byte to user space ("sink":
# "copy", 128 KiB reads as iperf3's receiver does), our default "discard" sink for reference,
# iperf3 -P N, and (N > 1) N single-stream iperf3 processes at once (iperf3 3.12 runs all -P streams
# on one thread). Prints receiver-side Gb/s and CPU seconds per GB on the sending and the receiving
# side for each, the ratios ours(copy)/iperf3 (target >= 1.0), then the cost of timeline mode
# (1 ms bins): throughput and agent CPU with and without it.
# Knobs: DURATION_S (default 5), STREAMS (default "1 4"), ROUNDS (default 2), BUILD_DIR (default build).
# Needs root. Asserts nothing about timing: it prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
agent=$build/bin/mixnet-agent
[ -x "$agent" ] || { echo "traffic-vs-iperf3: $agent not built (make build)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "traffic-vs-iperf3: needs root (network namespaces)" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "traffic-vs-iperf3: iperf3 missing (scripts/install-deps.sh)" >&2; exit 1; }

ns_a=mxtbench-$$-a
ns_b=mxtbench-$$-b
tmp=$(mktemp -d /tmp/mixnet-bench-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ip netns add "$ns_a"
ip netns add "$ns_b"
ip -n "$ns_a" link set lo up
ip -n "$ns_b" link set lo up
ip -n "$ns_b" link add mxtpad0 type veth peer name mxtpad1  # distinct ifindexes: urgent carrier changes
ip -n "$ns_a" link add mxtnear type veth peer name mxtfar netns "$ns_b"
ip -n "$ns_a" addr add 198.18.40.1/24 dev mxtnear
ip -n "$ns_b" addr add 198.18.40.2/24 dev mxtfar
ip -n "$ns_a" link set mxtnear up
ip -n "$ns_b" link set mxtfar up
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/token"
chmod 600 "$tmp/token"

for side in a b; do
  ns_var=ns_$side
  port=$([ $side = a ] && echo mxtnear || echo mxtfar)
  ip netns exec "${!ns_var}" "$agent" --listen 127.0.0.1:7070 --token-file "$tmp/token" --ports "$port" \
    --host-id "bench-$side" --log-level warn 2>"$tmp/agent-$side.log" &
  pids+=($!)
  echo $! > "$tmp/pid-$side"
done
for ns in "$ns_a" "$ns_b"; do
  for _ in $(seq 100); do
    ip netns exec "$ns" python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(("127.0.0.1",7070)))' \
      2>/dev/null && break
    sleep 0.05
  done
done

timeout 900 python3 bench/traffic-vs-iperf3.py --ns-a "$ns_a" --ns-b "$ns_b" --port-a mxtnear --port-b mxtfar \
  --addr-a 198.18.40.1 --addr-b 198.18.40.2 --token-file "$tmp/token" \
  --pid-a "$(cat "$tmp/pid-a")" --pid-b "$(cat "$tmp/pid-b")" \
  --duration "${DURATION_S:-5}" --streams ${STREAMS:-1 4} --rounds "${ROUNDS:-2}"
