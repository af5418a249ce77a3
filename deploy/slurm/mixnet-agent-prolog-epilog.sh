#!/bin/bash
# Slurm Prolog and Epilog for clusters that run mixnet-agent only while jobs hold a node: the
# prolog starts the packaged unit (mixnet-agent.service, configured as on any host by
# /etc/default/mixnet-agent), the epilog of the last job that needed it stops it again.
# docs/deploy.md ("Slurm"), deploy/slurm/slurm.conf.example. Install it once, name it twice:
#
#   install -m 0755 mixnet-agent-prolog-epilog.sh /etc/slurm/mixnet-agent-prolog-epilog.sh
#   slurm.conf: Prolog=/etc/slurm/mixnet-agent-prolog-epilog.sh
#               Epilog=/etc/slurm/mixnet-agent-prolog-epilog.sh
#               PrologFlags=Alloc
#
# slurmd runs it as root and says which it is in SLURM_SCRIPT_CONTEXT (prolog_slurmd,
# epilog_slurmd); by hand, pass prolog or epilog. Rules:
# - An agent enabled in systemd runs all the time: never started or stopped here.
# - An agent running before the first job (started by hand) is not ours: never stopped here.
# - Several jobs on one node: the agent stops when the last job that started or used it ends.
# - Never fail the job or the node for the agent: a non-zero exit would drain the node and requeue
#   the job, for a problem (an unset MIXNET_AGENT_LISTEN, say) the coordinator reports anyway
#   (the agent does not answer). Failures go to syslog (journalctl -t mixnet-agent-slurm).
set -u

unit=mixnet-agent.service
# Per-node bookkeeping in /run (gone at reboot, like the agent): a file per job that wants the
# agent, and `started` while the agent runs because a prolog started it.
state_dir="${MIXNET_SLURM_STATE_DIR:-/run/mixnet-agent-slurm}"
# Jobs of only these partitions (space-separated) get the agent; empty: every job. From
# /etc/default/mixnet-agent-slurm, which may set MIXNET_SLURM_PARTITIONS="testbed".
defaults_file="${MIXNET_SLURM_DEFAULTS:-/etc/default/mixnet-agent-slurm}"
MIXNET_SLURM_PARTITIONS=""
if [ -r "$defaults_file" ]; then
  # shellcheck source=/dev/null
  . "$defaults_file"
fi

say() {
  logger -t mixnet-agent-slurm -p "daemon.$1" -- "$2" 2>/dev/null || printf 'mixnet-agent-slurm: %s\n' "$2" >&2
}

# Every systemctl call is bounded: a hung systemd must not hold the job's start.
systemctl_bounded() {
  timeout 20 systemctl "$@"
}

job="${SLURM_JOB_ID:-}"
case "$job" in
  '' | *[!0-9]*)
    say err "no usable SLURM_JOB_ID ('$job'): nothing done"
    exit 0
    ;;
esac

case "${1:-${SLURM_SCRIPT_CONTEXT:-}}" in
  prolog | prolog_slurmd) action=prolog ;;
  epilog | epilog_slurmd) action=epilog ;;
  *)
    say err "run as '${1:-${SLURM_SCRIPT_CONTEXT:-}}': expected prolog or epilog (SLURM_SCRIPT_CONTEXT); nothing done"
    exit 0
    ;;
esac

if [ -n "$MIXNET_SLURM_PARTITIONS" ]; then
  case " $MIXNET_SLURM_PARTITIONS " in
    *" ${SLURM_JOB_PARTITION:-} "*) ;;
    *) exit 0 ;;
  esac
fi

if systemctl_bounded --quiet is-enabled "$unit"; then
  exit 0   # a permanent agent: systemd's, not ours
fi

if ! { [ -d "$state_dir" ] || mkdir -m 0700 "$state_dir"; }; then
  say err "cannot make $state_dir: nothing done for job $job"
  exit 0
fi

# Prologs and epilogs of different jobs run at once on one node: one at a time past this point.
exec 9>"$state_dir/lock"
if ! flock -w 30 9; then
  say err "$state_dir/lock held for 30 s: nothing done for job $job"
  exit 0
fi

if [ "$action" = prolog ]; then
  : >"$state_dir/job.$job"
  if systemctl_bounded --quiet is-active "$unit"; then
    exit 0   # running already: a job before this one started it, or someone did by hand
  fi
  if systemctl_bounded start "$unit"; then
    : >"$state_dir/started"
    say info "started $unit for job $job"
  else
    say err "job $job: systemctl start $unit failed (systemctl status $unit says why)"
  fi
  exit 0
fi

# Epilog.
[ -e "$state_dir/job.$job" ] || exit 0   # this job's prolog did nothing
rm -f "$state_dir/job.$job"
for other in "$state_dir"/job.*; do
  [ -e "$other" ] && exit 0   # another job on this node still holds the agent
done
if [ -e "$state_dir/started" ]; then
  rm -f "$state_dir/started"
  if systemctl_bounded stop "$unit"; then
    say info "stopped $unit after job $job, the last that used it"
  else
    say err "job $job: systemctl stop $unit failed"
  fi
fi
exit 0
