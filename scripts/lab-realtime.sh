#!/usr/bin/env bash
# Raises every process of lab NAME (its agents and emulator: command lines under
# /run/mixnet-lab/NAME/), every thread of each, to SCHED_FIFO priority PRIO (default 10).
# Measurements on a shared machine want it: a carrier reading or a clock sample taken by a
# descheduled thread is late by however long it waited (docs/measurement.md, "A busy machine").
# The agents' traffic threads drop back to normal priority by themselves. Needs root.
set -euo pipefail
name=${1:?usage: lab-realtime.sh NAME [PRIO]}
prio=${2:-10}
raised=0
for p in /proc/[0-9]*; do
  if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q "/run/mixnet-lab/$name/"; then
    chrt -f -a -p "$prio" "${p#/proc/}" >/dev/null 2>&1 && raised=$((raised + 1))
  fi
done
echo "$raised"
