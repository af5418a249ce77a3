#!/usr/bin/env bash
# mixnet-lab benchmark: time to bring up and take down the default lab (the MixNet prototype,
# 4 hosts) and the 32-host lab (6 OCS + 2 EPS ports per host), and the memory the running lab's
# processes use (sum of VmRSS of its agents and its emulator). Prints figures; asserts nothing
# about timing. Needs root.
#   bench/lab.sh [RUNS]      (BUILD_DIR defaults to build; RUNS defaults to 3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
runs=${1:-3}
if [ ! -x "$build/bin/mixnet-lab" ] || [ ! -x "$build/bin/mixnet-agent" ] || [ ! -x "$build/bin/mixnet-ocs-emu" ]; then
  cmake --build "$build" --target mixnet-lab mixnet-agent mixnet-ocs-emu >/dev/null
fi
lab="$build/bin/mixnet-lab"
name="bench$$"
name=${name:0:9}
trap '"$lab" down --name "$name" >/dev/null 2>&1 || true' EXIT

now() { date +%s.%N; }

# Sum of VmRSS (KiB) of every process in the lab's namespaces plus its emulator.
lab_rss_kib() {
  local pids ns
  pids=""
  for ns in $(ip netns list | awk '{print $1}' | grep "^mxl-$name-"); do
    pids="$pids $(ip netns pids "$ns")"
  done
  pids="$pids $(grep -o '"pid":[0-9]*,"what":"ocs-emu"' "/run/mixnet-lab/$name/state.jsonl" | grep -o '[0-9]*' | head -1)"
  local total=0 p kib
  for p in $pids; do
    kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kib:-0}))
  done
  echo "$total $(echo $pids | wc -w)"
}

measure() {
  local label=$1; shift
  local ups=() downs=() t0 t1 t2 rss
  for ((i = 0; i < runs; i++)); do
    t0=$(now)
    "$lab" up --name "$name" "$@" >/dev/null
    t1=$(now)
    if [ "$i" -eq 0 ]; then rss=$(lab_rss_kib); fi
    "$lab" down --name "$name" >/dev/null
    t2=$(now)
    ups+=("$(echo "$t1 - $t0" | bc)")
    downs+=("$(echo "$t2 - $t1" | bc)")
  done
  local up_sorted down_sorted
  up_sorted=$(printf '%s\n' "${ups[@]}" | sort -n | xargs printf '%.2f ')
  down_sorted=$(printf '%s\n' "${downs[@]}" | sort -n | xargs printf '%.2f ')
  read -r kib procs <<<"$rss"
  printf '%-34s up   s (sorted, %d runs): %s\n' "$label" "$runs" "$up_sorted"
  printf '%-34s down s (sorted, %d runs): %s\n' "$label" "$runs" "$down_sorted"
  printf '%-34s memory: %d processes, %.1f MiB RSS in all (%.1f MiB each)\n' "$label" "$procs" \
    "$(echo "$kib / 1024" | bc -l)" "$(echo "$kib / 1024 / $procs" | bc -l)"
}

echo "mixnet-lab on $(nproc) cores, $(uname -r)"
measure "default lab (4 hosts, 16 ports)"
measure "32 hosts, 6 OCS + 2 EPS ports" --hosts 32 --ocs-ports 6 --eps-ports 2
