#!/usr/bin/env bash
# `make demo`: two hosts (network namespaces) joined by a veth "cable", a mixnet-agent in each;
# shows the inventory, a live link event, an identity probe across the cable; then an emulated
# Polatis switch driven over TL1 and RESTCONF with mixnet-ocs. Cleans up on every exit path.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }

tag=mxdemo-$$
nsa=$tag-a; nsb=$tag-b
work=$(mktemp -d /tmp/mixnet-demo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$nsa" 2>/dev/null || true
  ip netns del "$nsb" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pretty() { python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), indent=2))'; }
api() {  # api NS METHOD PATH [BODY]
  local ns=$1 method=$2 path=$3 body=${4:-}
  ip netns exec "$ns" curl -sS --max-time 40 -X "$method" -H "Authorization: Bearer $(cat "$work/token")" \
    ${body:+-H 'Content-Type: application/json' --data "$body"} "http://127.0.0.1:7470$path"
}

say "two hosts joined by a cable: $nsa/eth0 <-> $nsb/eth0"
ip netns add "$nsa"; ip netns add "$nsb"
# A spare link made first on the far side gives its eth0 another ifindex than the near end's, so
# the kernel announces carrier changes at once (equal ifindexes on a veth pair are rate-limited).
ip -n "$nsb" link add spare0 type veth peer name spare1
ip link add eth0 netns "$nsa" type veth peer name eth0 netns "$nsb"
for ns in "$nsa" "$nsb"; do ip -n "$ns" link set lo up; ip -n "$ns" link set eth0 up; done
ip -n "$nsa" addr add 198.18.0.1/24 dev eth0
ip -n "$nsb" addr add 198.18.0.2/24 dev eth0
(umask 077; head -c 24 /dev/urandom | base64 > "$work/token")

for pair in "$nsa:gpu-node-1" "$nsb:gpu-node-2"; do
  ns=${pair%%:*}; host=${pair#*:}
  ip netns exec "$ns" "$bin/mixnet-agent" --listen 127.0.0.1:7470 --token-file "$work/token" \
    --ports 'eth*' --host-id "$host" --log-level warn &
  pids+=($!)
done
for ns in "$nsa" "$nsb"; do
  for _ in $(seq 100); do
    ip netns exec "$ns" curl -sf --max-time 1 http://127.0.0.1:7470/v1/health >/dev/null && break
    sleep 0.05
  done
done

say "inventory of gpu-node-1 (GET /v1/inventory)"
api "$nsa" GET /v1/inventory | pretty

say "a live link event: the far end goes down, then up (GET /v1/events long-poll)"
after=$(api "$nsa" GET "/v1/events?after=0&wait_ms=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_after"])')
api "$nsa" GET "/v1/events?after=$after&wait_ms=5000" > "$work/down.json" &
poll=$!
sleep 0.2
t_down=$(date +%s%N); ip -n "$nsb" link set eth0 down
wait $poll
python3 - "$work/down.json" "$t_down" <<'PY'
import json, sys
page = json.load(open(sys.argv[1])); t = int(sys.argv[2])
for e in page["events"]:
    print(f'  seq {e["seq"]}: {e["port"]} {e["kind"]:<12} at {e["time_ns"]} ns '
          f'({(e["time_ns"] - t) / 1e6:.3f} ms after the far end was set down)')
PY
ip -n "$nsb" link set eth0 up

say "who is at the far end of gpu-node-1:eth0? (POST /v1/probes, then GET /v1/neighbors on gpu-node-2)"
api "$nsa" POST /v1/probes '{"ports":["eth0"],"count":3,"nonce":4242}' | pretty
sleep 0.3
api "$nsb" GET "/v1/neighbors?nonce=4242" | pretty

say "an emulated 16x16 Polatis switch: TL1 on 127.0.0.1:13082, RESTCONF on 127.0.0.1:18008"
"$bin/mixnet-ocs-emu" --bind 127.0.0.1 --tl1-port 13082 --rest-port 18008 --control-port 18099 --log-level warn &
pids+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/13082) 2>/dev/null && break; sleep 0.05; done
tl1=polatis-tl1://admin:root@127.0.0.1:13082
rest=polatis-rest://admin:root@127.0.0.1:18008
"$bin/mixnet-ocs" --switch "$tl1" info
say "connect 1->17 and 2->18 over TL1, list over RESTCONF, power over TL1"
"$bin/mixnet-ocs" --switch "$tl1" connect 1 17 2 18
"$bin/mixnet-ocs" --switch "$rest" list
"$bin/mixnet-ocs" --switch "$tl1" power 1-2 17-18
say "ground truth from the emulator (received / settled ns of every change)"
curl -s --max-time 5 http://127.0.0.1:18099/v1/changes | pretty | head -40

say "done; cleaning up"
