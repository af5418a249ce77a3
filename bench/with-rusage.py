#!/usr/bin/env python3
"""Runs a command and writes the CPU time and peak memory it used (its own and its children's,
from getrusage) as JSON: {"user_s": .., "sys_s": .., "max_rss_kib": ..}. Output and exit code
pass through. Used by the bench scripts to say what a program cost, beside how long it took.
  bench/with-rusage.py OUT.json COMMAND [ARGS...]
"""
import json
import resource
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit("usage: with-rusage.py OUT.json COMMAND [ARGS...]")
rc = subprocess.call(sys.argv[2:])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    json.dump({"user_s": r.ru_utime, "sys_s": r.ru_stime, "max_rss_kib": r.ru_maxrss}, f)
sys.exit(rc)
