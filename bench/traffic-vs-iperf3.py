#!/usr/bin/env python3
"""Drives bench/traffic-vs-iperf3.sh: the agent's TCP engine against iperf3 on one veth path, on
equal work, then the agent with and without timeline mode. Prints figures; asserts nothing.

Equal work: iperf3's receiver copies every byte into user space (128 KiB reads), so ours runs with
"sink": "copy" (the same reads) for the ratio; our default, "discard" (MSG_TRUNC: the kernel drops
the payload), is printed for reference only. iperf3 3.12 (Debian 12) runs every -P stream on one
thread, so for N streams it runs both as `-P N` and as N single-stream processes at once (one
thread each), and the ratio is given against each. CPU is what the processes used (utime + stime:
/proc/PID/stat for the agents, wait4() rusage for iperf3), per GB delivered, sender and receiver.
"""
import argparse
import atexit
import json
import os
import statistics
import subprocess
import tempfile
import time

HZ = os.sysconf("SC_CLK_TCK")
IPERF_PORT = 5299


def in_ns(ns, argv, **kw):
    return subprocess.run(["ip", "netns", "exec", ns] + argv, check=True, capture_output=True, text=True, **kw)


def write_auth_header(token_file):
    """The Authorization header in a mode-600 temporary file, for `curl -H @FILE`: the token never
    appears on a command line (argv is readable by every user through /proc)."""
    with open(token_file) as f:
        token = f.read().strip()
    fd, path = tempfile.mkstemp(prefix="mixnet-auth-")  # created mode 600
    with os.fdopen(fd, "w") as f:
        f.write("Authorization: Bearer " + token + "\n")
    atexit.register(os.unlink, path)
    return path


def api(ns, auth_file, method, target, body=None):
    """One call to the agent in namespace ns (curl inside the namespace: the API is on its loopback)."""
    argv = ["curl", "-s", "-m", "20", "-X", method, "-H", "@" + auth_file,
            "http://127.0.0.1:7070" + target]
    if body is not None:
        argv += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
    return json.loads(in_ns(ns, argv).stdout)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ  # utime + stime


def wait_done(ns, auth_file, run_id, limit_s):
    deadline = time.time() + limit_s
    while True:
        r = api(ns, auth_file, "GET", f"/v1/traffic/runs/{run_id}?bins=0")
        if r["state"] in ("done", "failed", "cancelled") or time.time() > deadline:
            return r
        time.sleep(0.1)


def per_gb(cpu_s, nbytes):
    return cpu_s / (nbytes / 1e9) if nbytes > 0 else float("nan")


def run_ours(a, duration, streams, sink, timeline=False):
    tl = {"timeline": True} if timeline else {}
    srv = api(a.ns_b, a.auth_file, "POST", "/v1/traffic/servers",
              {"port": a.port_b, "duration_ms": duration * 1000 + 30000, "sink": sink, **tl})
    c0, w0 = (cpu_seconds(a.pid_a), cpu_seconds(a.pid_b)), time.time()
    cli = api(a.ns_a, a.auth_file, "POST", "/v1/traffic/runs",
              {"port": a.port_a, "peer": a.addr_b, "peer_tcp_port": srv["tcp_port"], "secret": srv["secret"],
               "streams": streams,
               "duration_ms": duration * 1000, **tl})
    c = wait_done(a.ns_a, a.auth_file, cli["id"], duration + 30)
    s = wait_done(a.ns_b, a.auth_file, srv["id"], 30)
    c1 = (cpu_seconds(a.pid_a), cpu_seconds(a.pid_b))
    if c["state"] != "done" or s["state"] != "done":
        raise SystemExit(f"our run failed: client {c['state']} {c['errors']}, server {s['state']} {s['errors']}")
    if s.get("sink") != sink:
        raise SystemExit(f"the server ran with sink {s.get('sink')!r}, not {sink!r}")
    send_s, recv_s = c1[0] - c0[0], c1[1] - c0[1]
    return {"gbps": s["gbps"], "bytes": s["bytes"], "send_s_gb": per_gb(send_s, s["bytes"]),
            "recv_s_gb": per_gb(recv_s, s["bytes"]), "cpu_send": send_s / s["seconds"] * 100,
            "cpu_recv": recv_s / s["seconds"] * 100, "gaps": len((s.get("timeline") or {}).get("gaps", [])),
            "wall": time.time() - w0}


def reap(proc):
    """Waits for proc (every iperf3 runs under `timeout`, so this ends); returns (stdout, CPU seconds
    it and its waited-for descendants used: the rusage of `timeout` includes its iperf3's)."""
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return out, usage.ru_utime + usage.ru_stime


def iperf3(ns, limit_s, args, **kw):
    return subprocess.Popen(["timeout", "-k", "5", str(limit_s), "ip", "netns", "exec", ns, "iperf3"] + args, **kw)


def run_iperf(a, duration, processes, streams_each):
    """`processes` iperf3 pairs at once, each with -P streams_each; totals over all of them."""
    ports = [IPERF_PORT + i for i in range(processes)]
    servers = [iperf3(a.ns_b, duration + 40, ["-s", "-1", "-B", a.addr_b, "-p", str(p), "--bind-dev", a.port_b],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    time.sleep(0.3)
    clients = [iperf3(a.ns_a, duration + 30, ["-c", a.addr_b, "-B", a.addr_a, "--bind-dev", a.port_a, "-p", str(p),
                                              "-t", str(duration), "-P", str(streams_each), "-J"],
                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for p in ports]
    results = [reap(c) for c in clients]
    server_cpu = [reap(s)[1] for s in servers]
    nbytes, gbps, send_s = 0, 0.0, 0.0
    for (out, cpu), c in zip(results, clients):
        if c.returncode != 0:
            raise SystemExit(f"iperf3 client failed ({c.returncode}): {out[-500:]}")
        end = json.loads(out)["end"]
        nbytes += end["sum_received"]["bytes"]
        gbps += end["sum_received"]["bits_per_second"] / 1e9
        send_s += cpu
    return {"gbps": gbps, "bytes": nbytes, "send_s_gb": per_gb(send_s, nbytes),
            "recv_s_gb": per_gb(sum(server_cpu), nbytes)}


def contenders(streams):
    """(label, function(args, duration)) for one stream count; ours (copy) first, the reference."""
    out = [("ours copy", lambda a, d: run_ours(a, d, streams, "copy")),
           ("ours discard", lambda a, d: run_ours(a, d, streams, "discard")),
           (f"iperf3 -P {streams}", lambda a, d: run_iperf(a, d, 1, streams))]
    if streams > 1:
        out.append((f"{streams} x iperf3 -P 1", lambda a, d: run_iperf(a, d, streams, 1)))
    return out


def main():
    p = argparse.ArgumentParser()
    for k in ("ns-a", "ns-b", "port-a", "port-b", "addr-a", "addr-b", "token-file"):
        p.add_argument("--" + k, required=True)
    p.add_argument("--pid-a", type=int, required=True)
    p.add_argument("--pid-b", type=int, required=True)
    p.add_argument("--duration", type=int, default=5)
    p.add_argument("--streams", type=int, nargs="+", default=[1, 4])
    p.add_argument("--rounds", type=int, default=2)
    a = p.parse_args()
    a.auth_file = write_auth_header(a.token_file)

    version = subprocess.run(["iperf3", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    print(f"TCP over one veth pair, {a.duration} s per run, {a.rounds} round(s), receiver-side decimal Gb/s; "
          f"{os.cpu_count()} CPU(s), load {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {version}")
    print("CPU s/GB: CPU seconds (user + system) per 10^9 bytes delivered; send = the sending side's process(es),")
    print("recv = the receiving side's. ours: the whole agent process on each side. Equal work: ours copy vs iperf3.")
    print()
    print(f"{'streams':>7} {'round':>5}  {'contender':<18} {'Gb/s':>7} {'send s/GB':>10} {'recv s/GB':>10}")
    summary = []
    for streams in a.streams:
        runs = contenders(streams)
        figures = {label: [] for label, _ in runs}
        for rnd in range(a.rounds):
            # Rotate who goes first, so a drift in background load hits every contender alike.
            k = rnd % len(runs)
            for label, fn in runs[k:] + runs[:k]:
                r = fn(a, a.duration)
                figures[label].append(r)
                print(f"{streams:>7} {rnd + 1:>5}  {label:<18} {r['gbps']:>7.2f} {r['send_s_gb']:>10.3f} "
                      f"{r['recv_s_gb']:>10.3f}", flush=True)
        for label, _ in runs:
            rs = figures[label]
            summary.append((streams, label, statistics.mean(r["gbps"] for r in rs),
                            statistics.mean(r["send_s_gb"] for r in rs), statistics.mean(r["recv_s_gb"] for r in rs)))

    print()
    print(f"mean of {a.rounds} round(s); ratios: ours copy / this row (Gb/s: >= 1.0 is the target; "
          f"CPU: send + recv s/GB, < 1.0 is cheaper)")
    print(f"{'streams':>7}  {'contender':<18} {'Gb/s':>7} {'send s/GB':>10} {'recv s/GB':>10} {'Gb/s ratio':>11} "
          f"{'CPU ratio':>10}")
    for streams, label, gbps, snd, rcv in summary:
        ours = next(s for s in summary if s[0] == streams and s[1] == "ours copy")
        ratio, cpu_ratio = "", ""
        if label.startswith("iperf3") or "x iperf3" in label:
            ratio = f"{ours[2] / gbps:.2f}"
            cpu_ratio = f"{(ours[3] + ours[4]) / (snd + rcv):.2f}"
        print(f"{streams:>7}  {label:<18} {gbps:>7.2f} {snd:>10.3f} {rcv:>10.3f} {ratio:>11} {cpu_ratio:>10}")

    print()
    print("timeline mode (1 ms bins on both sides), 1 stream, default sink (discard): throughput and agent CPU "
          "(% of one core)")
    print(f"{'mode':>9} {'round':>5} {'Gb/s':>8} {'cpu send':>9} {'cpu recv':>9} {'gaps':>5}")
    plain_all, tl_all = [], []
    for rnd in range(a.rounds):
        plain = run_ours(a, a.duration, 1, "discard")
        tl = run_ours(a, a.duration, 1, "discard", timeline=True)
        plain_all.append(plain["gbps"])
        tl_all.append(tl["gbps"])
        for name, r in (("plain", plain), ("timeline", tl)):
            print(f"{name:>9} {rnd + 1:>5} {r['gbps']:>8.2f} {r['cpu_send']:>8.1f}% {r['cpu_recv']:>8.1f}% "
                  f"{r['gaps'] if name == 'timeline' else '-':>5}")
    print(f"timeline / plain throughput: {statistics.mean(tl_all) / statistics.mean(plain_all):.3f}")
    print(f"load at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
