#!/usr/bin/env bash
# mixnet-lab benchmark: for the default lab (the MixNet prototype, 4 hosts), the 32-host lab (6 OCS
# + 2 EPS ports per host, one OCS) and each preset (prototype, mixnet-256, mixnet-1024): the time
# to bring it up and take it down, the memory of the whole running lab (sum of VmRSS of every
# agent and every emulator), and the CPU the lab uses while idle (10 s, no measurement running).
# Prints figures; asserts nothing about timing. Needs root.
#   bench/lab.sh [RUNS]      (BUILD_DIR defaults to build; RUNS defaults to 3; mixnet-1024 runs
#                             BIG_RUNS times, default 1; PRESETS="prototype mixnet-256" picks presets;
#                             SKIP_OLD=1 leaves out the first two labs)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
runs=${1:-3}
big_runs=${BIG_RUNS:-1}
presets=${PRESETS:-prototype mixnet-256 mixnet-1024}
idle_s=10
if [ ! -x "$build/bin/mixnet-lab" ] || [ ! -x "$build/bin/mixnet-agent" ] || [ ! -x "$build/bin/mixnet-ocs-emu" ]; then
  cmake --build "$build" --target mixnet-lab mixnet-agent mixnet-ocs-emu >/dev/null
fi
lab="$build/bin/mixnet-lab"
name="bench$$"
name=${name:0:9}
trap '"$lab" down --name "$name" >/dev/null 2>&1 || true' EXIT
ticks_per_s=$(getconf CLK_TCK)

now() { date +%s.%N; }

# Every process of the running lab: the pids `up` recorded (agents, emulators) that are alive,
# and anything else in the lab's namespaces.
lab_pids() {
  local ns
  {
    for ns in $(ip netns list | awk '{print $1}' | grep "^mxl-$name-"); do ip netns pids "$ns"; done
    grep -o '"pid":[0-9]*' "/run/mixnet-lab/$name/state.jsonl" | grep -o '[0-9]*'
  } | sort -un | while read -r p; do [ -d "/proc/$p" ] && echo "$p"; done
}

# Sum of VmRSS (KiB) of the given pids, and how many.
rss_kib() {
  local total=0 p kib n=0
  for p in "$@"; do
    kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kib:-0}))
    n=$((n + 1))
  done
  echo "$total $n"
}

# utime + stime (clock ticks) of the given pids, every thread included.
cpu_ticks() {
  local total=0 p t
  for p in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

measure() {
  local label=$1 n=$2; shift 2
  local ups=() downs=() t0 t1 t1b t2 rss="0 0" idle_pct=0 pids c0 c1
  for ((i = 0; i < n; i++)); do
    t0=$(now)
    "$lab" up --name "$name" "$@" >/dev/null
    t1=$(now)
    if [ "$i" -eq 0 ]; then
      mapfile -t pids < <(lab_pids)
      rss=$(rss_kib "${pids[@]}")
      # Idle: nothing armed, no measurement; 2 s for the start-up's last work to finish first.
      sleep 2
      c0=$(cpu_ticks "${pids[@]}")
      sleep "$idle_s"
      c1=$(cpu_ticks "${pids[@]}")
      idle_pct=$(echo "($c1 - $c0) * 100 / $ticks_per_s / $idle_s" | bc -l)
    fi
    t1b=$(now)
    "$lab" down --name "$name" >/dev/null
    t2=$(now)
    ups+=("$(echo "$t1 - $t0" | bc)")
    downs+=("$(echo "$t2 - $t1b" | bc)")
  done
  local up_sorted down_sorted kib procs
  up_sorted=$(printf '%s\n' "${ups[@]}" | sort -n | xargs printf '%.2f ')
  down_sorted=$(printf '%s\n' "${downs[@]}" | sort -n | xargs printf '%.2f ')
  read -r kib procs <<<"$rss"
  printf '%-40s up   s (sorted, %d runs): %s\n' "$label" "$n" "$up_sorted"
  printf '%-40s down s (sorted, %d runs): %s\n' "$label" "$n" "$down_sorted"
  printf '%-40s memory: %d processes, %.1f MiB RSS in all (%.1f MiB each)\n' "$label" "$procs" \
    "$(echo "$kib / 1024" | bc -l)" "$(echo "$kib / 1024 / $procs" | bc -l)"
  printf '%-40s idle CPU over %d s: %.2f%% of one core\n' "$label" "$idle_s" "$idle_pct"
}

echo "mixnet-lab on $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "${SKIP_OLD:-}" ]; then
  measure "default lab (4 hosts, 16 ports)" "$runs"
  measure "32 hosts, 6 OCS + 2 EPS ports, one OCS" "$runs" --hosts 32 --ocs-ports 6 --eps-ports 2
fi
for p in $presets; do
  n=$runs
  [ "$p" = mixnet-1024 ] && n=$big_runs
  measure "preset $p" "$n" --preset "$p"
done
