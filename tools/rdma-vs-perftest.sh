#!/usr/bin/env bash
# rdma-vs-perftest.sh: run perftest's ib_<verb>_bw and the mixnet agents' RDMA engine between the
# same two hosts, ports and flags, and print both figures and their ratio (docs/hardware.md).
#
#   tools/rdma-vs-perftest.sh --server-agent http://10.0.0.12:7470 --server-port ens1f0np0 \
#       --client-agent http://10.0.0.11:7470 --client-port ens1f0np0 --token-file agent.token \
#       --server-run "ssh root@gpu-node-02" --client-run "ssh root@gpu-node-01" \
#       [--verb write|read|send] [--size 65536] [--iterations 5000 | --duration 10] [--qps 1]
#       [--tx-depth 128] [--cq-mod 100] [--gid-index N] [--tcp-port 18515]
#
# --server-run / --client-run are command prefixes that run a shell command on each host (an ssh
# command line; "sh -c" when the host is this one). The device and port perftest gets (-d, -i)
# are the ones the agent's inventory maps the netdev to, and the GID index (-x) is the one the
# agent's runs chose on each side (or --gid-index), so both tools use the same path.
# Needs curl and jq here, and perftest on both hosts.
#
# The token never reaches a command line: curl reads the Authorization header from a mktemp file
# (mode 600). What the agents report (device, port, GID index, address, run ids, figures) is
# checked against a strict pattern before it is used, and only checked values go into the
# command line the hosts' shells run.
set -euo pipefail

verb=write size=65536 iterations=5000 duration="" qps=1 tx_depth=128 cq_mod=100 gid_index="" tcp_port=18515
server_agent="" client_agent="" server_port="" client_port="" token_file="" server_run="" client_run=""

usage() { sed -n '2,20p' "$0" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --server-agent) server_agent=$2; shift 2 ;;
    --client-agent) client_agent=$2; shift 2 ;;
    --server-port) server_port=$2; shift 2 ;;
    --client-port) client_port=$2; shift 2 ;;
    --token-file) token_file=$2; shift 2 ;;
    --server-run) server_run=$2; shift 2 ;;
    --client-run) client_run=$2; shift 2 ;;
    --verb) verb=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --iterations) iterations=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --qps) qps=$2; shift 2 ;;
    --tx-depth) tx_depth=$2; shift 2 ;;
    --cq-mod) cq_mod=$2; shift 2 ;;
    --gid-index) gid_index=$2; shift 2 ;;
    --tcp-port) tcp_port=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
done
for v in server_agent client_agent server_port client_port token_file server_run client_run; do
  [[ -n ${!v} ]] || { echo "missing --${v//_/-}" >&2; usage; }
done
case "$verb" in write|read|send) ;; *) echo "--verb must be write, read or send" >&2; exit 2 ;; esac
for n in size iterations qps tx_depth cq_mod tcp_port; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { echo "--${n//_/-} must be a number" >&2; exit 2; }
done
[[ -z $gid_index || $gid_index =~ ^[0-9]+$ ]] || { echo "--gid-index must be a number" >&2; exit 2; }
[[ -z $duration || $duration =~ ^[0-9]+$ ]] || { echo "--duration must be a number" >&2; exit 2; }
# The rule every reader of a token file follows (common/token_file.hpp): owner-only modes.
token_mode=$(stat -L -c '%a' -- "$token_file")
(( (8#$token_mode & 8#077) == 0 )) ||
  { echo "$token_file: mode 0$token_mode lets group/others read it; chmod 600" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is required" >&2; exit 2; }
# The run prefixes are the caller's own command lines ("ssh root@host"), split into words here.
read -ra server_run_argv <<<"$server_run"
read -ra client_run_argv <<<"$client_run"

workdir=$(mktemp -d)
trap 'rm -rf -- "$workdir"' EXIT
header_file="$workdir/authorization"   # mktemp -d made the folder 700; the file is 600 too
(umask 077; printf 'Authorization: Bearer %s\n' "$(<"$token_file")" >"$header_file")  # printf is a builtin: no argv

# check NAME PATTERN VALUE: VALUE (reported by an agent) must match PATTERN in full, else stop.
check() {
  [[ $3 =~ ^$2$ ]] || { echo "unexpected $1 from the agent: '$3'" >&2; exit 1; }
  printf '%s' "$3"
}
readonly name_re='[A-Za-z0-9_.-]{1,64}' number_re='[0-9]{1,9}' ip_re='[0-9A-Fa-f.:]{2,45}'
readonly figure_re='[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?'

api() {  # api METHOD URL [BODY] -> body; fails loudly on an HTTP error
  local method=$1 url=$2 body=${3:-}
  local out code
  out=$(curl -sS --max-time 30 -X "$method" -H @"$header_file" -H 'Content-Type: application/json' \
        ${body:+--data "$body"} -w '\n%{http_code}' "$url")
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ $code != 2* ]]; then echo "$method $url: HTTP $code: $out" >&2; return 1; fi
  printf '%s' "$out"
}

# ---- where: the agent's own mapping netdev -> RDMA device/port ----
rdma_of() {  # rdma_of AGENT NETDEV -> "device port"
  api GET "$1/v1/inventory" | jq -er --arg p "$2" \
    '.ports[] | select(.name == $p) | .rdma[0] | "\(.device) \(.port)"' \
    || { echo "$2 on $1 has no RDMA device in the agent's inventory" >&2; return 1; }
}
read -r server_dev server_ib_port < <(rdma_of "$server_agent" "$server_port")
read -r client_dev client_ib_port < <(rdma_of "$client_agent" "$client_port")
server_dev=$(check "RDMA device" "$name_re" "$server_dev")
client_dev=$(check "RDMA device" "$name_re" "$client_dev")
server_ib_port=$(check "RDMA port" "$number_re" "$server_ib_port")
client_ib_port=$(check "RDMA port" "$number_re" "$client_ib_port")
server_ip=$(api GET "$server_agent/v1/inventory" | jq -er --arg p "$server_port" \
  '.ports[] | select(.name == $p) | .ipv4[0] // .ipv6[0] | split("/")[0]')
server_ip=$(check "address" "$ip_re" "$server_ip")

# ---- the agents ----
rdma_opts=$(jq -n --arg verb "$verb" --argjson size "$size" --argjson qps "$qps" --argjson tx "$tx_depth" \
  --arg gid "$gid_index" '{verb:$verb, size:$size, qps:$qps, tx_depth:$tx} + (if $gid == "" then {} else {gid_index: ($gid|tonumber)} end)')
server=$(api POST "$server_agent/v1/traffic/servers" \
  "$(jq -n --arg port "$server_port" --argjson rdma "$rdma_opts" '{port:$port, transport:"rdma", duration_ms:600000, rdma:$rdma}')")
server_id=$(check "run id" "$name_re" "$(jq -r .id <<<"$server")")
server_gid_index=$(check "GID index" "$number_re" "$(jq -r .rdma.gid_index <<<"$server")")
client_body=$(jq -n --arg port "$client_port" --arg peer "$server_ip" --argjson rdma "$rdma_opts" \
  --argjson ep "$(jq .rdma.endpoint <<<"$server")" --argjson cqmod "$cq_mod" \
  --arg iters "$iterations" --arg dur "$duration" \
  '{port:$port, transport:"rdma", peer:$peer,
    rdma: ($rdma + {cq_mod:$cqmod, peer:$ep} + (if $dur == "" then {iterations: ($iters|tonumber)} else {} end))}
   + (if $dur == "" then {} else {duration_ms: (($dur|tonumber) * 1000)} end)')
client=$(api POST "$client_agent/v1/traffic/runs" "$client_body")
client_id=$(check "run id" "$name_re" "$(jq -r .id <<<"$client")")
client_gid_index=$(check "GID index" "$number_re" "$(jq -r .rdma.gid_index <<<"$client")")
api POST "$server_agent/v1/traffic/runs/$server_id/peer" "$(jq -n --argjson ep "$(jq .rdma.endpoint <<<"$client")" '{endpoint:$ep}')" >/dev/null
for _ in $(seq 1 1200); do  # at most 10 minutes
  report=$(api GET "$client_agent/v1/traffic/runs/$client_id?bins=0")
  state=$(jq -r .state <<<"$report")
  [[ $state == "done" || $state == "failed" || $state == "cancelled" ]] && break
  sleep 0.5
done
[[ $state == "done" ]] || { echo "agent run $client_id ended $state: $(jq -c .errors <<<"$report")" >&2; exit 1; }
agent_avg=$(check "average" "$figure_re" "$(jq -r .rdma.bandwidth.average_gbps <<<"$report")")
agent_peak=$(jq -r '.rdma.bandwidth.peak_gbps // "n/a"' <<<"$report")
[[ $agent_peak == "n/a" ]] || agent_peak=$(check "peak" "$figure_re" "$agent_peak")

# ---- perftest, same flags ----
# The hosts' shells parse these command lines (ssh joins its arguments into one), so every word
# in them is either ours or an agent-reported value checked above.
tool="ib_${verb}_bw"
flags="-s $size -t $tx_depth -q $qps -Q $cq_mod -p $tcp_port -F --report_gbits"
if [[ -n $duration ]]; then flags+=" -D $duration"; else flags+=" -n $iterations"; fi
"${server_run_argv[@]}" "$tool -d $server_dev -i $server_ib_port -x $server_gid_index $flags" >"$workdir/server.out" 2>&1 &
server_pid=$!
sleep 2
perf_out=$("${client_run_argv[@]}" "$tool -d $client_dev -i $client_ib_port -x $client_gid_index $flags $server_ip" 2>&1) || {
  echo "$perf_out" >&2; kill "$server_pid" 2>/dev/null; exit 1; }
wait "$server_pid" || true
# " #bytes #iterations BW peak[Gb/sec] BW average[Gb/sec] MsgRate[Mpps]" then the figures line.
read -r perf_peak perf_avg < <(awk -v s="$size" '$1 == s && NF >= 5 {print $3, $4; exit}' <<<"$perf_out")
[[ -n ${perf_avg:-} ]] || { echo "no figures in $tool output:"; echo "$perf_out"; exit 1; } >&2

echo "flags: $tool $flags (server -d $server_dev -i $server_ib_port -x $server_gid_index," \
     "client -d $client_dev -i $client_ib_port -x $client_gid_index)"
printf '%-12s %14s %14s\n' "" "average Gb/s" "peak Gb/s"
printf '%-12s %14s %14s\n' "perftest" "$perf_avg" "$perf_peak"
printf '%-12s %14.2f %14s\n' "mixnet" "$agent_avg" "$agent_peak"
awk -v a="$agent_avg" -v p="$perf_avg" 'BEGIN { if (p > 0) printf "ratio mixnet/perftest (average): %.3f\n", a / p }'
