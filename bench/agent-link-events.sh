#!/usr/bin/env bash
# Link-event latency of mixnet-agent, and its footprint when idle. Two network namespaces joined by
# a veth pair, the agent in one; a long-polling client flips the far end down/up (FLIPS times,
# default 200) and measures from the change to the agent's stamp and to holding the event. Two
# clients, one after the other on the same agent (which goes first alternates by round):
# bench/agent-link-events.py (Python, as before) and bench/link_event_client.c (compiled, as a
# coordinator is: the Python client's own cost, 0.05-0.10 ms in alternated rounds, is not the
# agent's). Beside it the kernel's floor: bench/netlink_floor.c flips the same way and reads the
# near end's RTM_NEWLINK waiting in recv() in the agent's namespace, at the agent's stamping
# priority (STAMP_PRIORITY, default 10 as the agent's --stamp-priority). The C programs are built
# here with cc, warnings as errors. Everything is measured in ROUNDS alternating rounds (default 4):
# idle, with the agent's API kept busy by a client, and under load (one bounded busy loop per core,
# LOAD_S seconds at most, default 90). Then the agent's RSS and CPU over IDLE_S seconds (default 10)
# with no clients. Prints figures; asserts nothing about timing. Needs root. Uses BUILD_DIR (default
# build) for the agent binary.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
agent=$build/bin/mixnet-agent
flips=${FLIPS:-200}
idle=${IDLE_S:-10}
load_s=${LOAD_S:-90}
prio=${STAMP_PRIORITY:-10}
[ -x "$agent" ] || { echo "agent-link-events: $agent not built (make build)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "agent-link-events: needs root (network namespaces)" >&2; exit 1; }

ns_a=mxbench-$$-a
ns_b=mxbench-$$-b
tmp=$(mktemp -d /tmp/mixnet-bench-XXXXXX)
pid=
load_pids=()
stop_load() {
  for p in "${load_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  load_pids=()
}
# One busy loop per core, each ending by itself after LOAD_S seconds whatever happens to us.
start_load() {
  for _ in $(seq "$(nproc)"); do
    timeout "$load_s" sh -c 'while :; do :; done' &
    load_pids+=($!)
  done
  sleep 0.5
}
cleanup() {
  stop_load
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ip netns add "$ns_a"
ip netns add "$ns_b"
ip -n "$ns_a" link set lo up
# linkwatch treats a veth's carrier change as urgent (no 1 s rate limit) only when its ifindex
# differs from its peer's; fresh namespaces would number both ends 2, so pad the far one.
ip -n "$ns_b" link add mxbpad0 type veth peer name mxbpad1
ip -n "$ns_a" link add mxbnear type veth peer name mxbfar netns "$ns_b"
ip -n "$ns_a" link set mxbnear up
ip -n "$ns_b" link set mxbfar up
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/token"
chmod 600 "$tmp/token"
cc -O2 -Wall -Wextra -Werror -o "$tmp/netlink_floor" bench/netlink_floor.c -lpthread
cc -O2 -Wall -Wextra -Werror -o "$tmp/link_event_client" bench/link_event_client.c

start_agent() {
  ip netns exec "$ns_a" "$agent" --listen 127.0.0.1:7070 --token-file "$tmp/token" --ports mxbnear \
    --host-id bench --stamp-priority "$prio" --log-level warn 2>>"$tmp/agent.log" &
  pid=$!
  for _ in $(seq 100); do
    ip netns exec "$ns_a" python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(("127.0.0.1",7070)))' \
      2>/dev/null && break
    sleep 0.05
  done
}
stop_agent() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }

# In ROUNDS rounds (default 4) of FLIPS/ROUNDS flips, first the kernel's floor with no agent in the
# namespace (so nothing shares the cores with the C reader), then the agent: a machine whose other
# load comes and goes then shows both the same conditions.
rounds=${ROUNDS:-4}
per_round=$(( (flips + rounds - 1) / rounds ))
measure() {  # condition file suffix
  : >"$tmp/floor-$1"
  : >"$tmp/samples-$1"
  : >"$tmp/samples-c-$1"
  for round in $(seq "$rounds"); do
    "$tmp/netlink_floor" "$ns_a" "$ns_b" mxbnear mxbfar "$per_round" "$prio" >>"$tmp/floor-$1"
    start_agent
    local api=
    if [ "$1" = api ]; then   # a client keeps the agent's API thread answering while both clients flip
      timeout 120 python3 bench/agent-link-events.py --agent-ns "$ns_a" --token-file "$tmp/token" --busy-api 100 &
      api=$!
    fi
    # The two clients take turns at going first, so neither always meets a fresher agent.
    local clients="python c"
    if [ $((round % 2)) -eq 0 ]; then clients="c python"; fi
    for client in $clients; do
      if [ "$client" = python ]; then
        timeout 300 python3 bench/agent-link-events.py --agent-ns "$ns_a" --far-ns "$ns_b" --near-if mxbnear \
          --far-if mxbfar --token-file "$tmp/token" --flips "$per_round" --samples-file "$tmp/samples-$1"
      else
        timeout 300 "$tmp/link_event_client" "$ns_a" "$ns_b" mxbnear mxbfar 7070 "$tmp/token" "$per_round" \
          >>"$tmp/samples-c-$1"
      fi
    done
    if [ -n "$api" ]; then kill "$api" 2>/dev/null || true; wait "$api" 2>/dev/null || true; fi
    stop_agent
  done
}
report() {  # condition label: the Python client's figures, then the C client's (same rounds)
  python3 bench/agent-link-events.py --report --samples-file "$tmp/samples-$1" --floor-file "$tmp/floor-$1" --label "$2, Python client"
  python3 bench/agent-link-events.py --report --samples-file "$tmp/samples-c-$1" --floor-file "$tmp/floor-$1" --label "$2, C client"
}
measure idle
measure api
start_load
measure load
stop_load
report idle idle
report api "API busy: a client requesting GET /v1/inventory back to back"
report load "under load: $(nproc) busy loops"

start_agent
# Idle: no client, no link changes. CPU from utime+stime in /proc/<pid>/stat.
sleep 1
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks)
sleep "$idle"
t1=$(ticks)
rss=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/{print $2}' "/proc/$pid/status")
awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$idle" -v rss="$rss" -v hwm="$hwm" 'BEGIN {
  printf "agent idle for %d s: CPU %d ticks = %.3f%% of one core\n", s, d, 100.0 * d / hz / s
  printf "agent memory: RSS %.1f MB (peak %.1f MB)\n", rss / 1024.0, hwm / 1024.0
}'
