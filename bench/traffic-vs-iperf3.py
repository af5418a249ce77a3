#!/usr/bin/env python3
"""Drives bench/traffic-vs-iperf3.sh: iperf3 and the agent's TCP engine, alternately, on one veth
path; then the agent with and without timeline mode. Prints figures; asserts nothing."""
import argparse
import json
import os
import statistics
import subprocess
import time
import urllib.request

HZ = os.sysconf("SC_CLK_TCK")


def in_ns(ns, argv, **kw):
    return subprocess.run(["ip", "netns", "exec", ns] + argv, check=True, capture_output=True, text=True, **kw)


def api(ns, token, method, target, body=None):
    """One call to the agent in namespace ns (curl inside the namespace: the API is on its loopback)."""
    argv = ["curl", "-s", "-m", "20", "-X", method, "-H", "Authorization: Bearer " + token,
            "http://127.0.0.1:7070" + target]
    if body is not None:
        argv += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
    return json.loads(in_ns(ns, argv).stdout)


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def wait_done(ns, token, run_id, limit_s):
    deadline = time.time() + limit_s
    while True:
        r = api(ns, token, "GET", f"/v1/traffic/runs/{run_id}?bins=0")
        if r["state"] in ("done", "failed", "cancelled") or time.time() > deadline:
            return r
        time.sleep(0.1)


def run_ours(a, duration, streams, timeline=False):
    tl = {"timeline": True} if timeline else {}
    srv = api(a.ns_b, a.token, "POST", "/v1/traffic/servers",
              {"port": a.port_b, "duration_ms": duration * 1000 + 30000, **tl})
    t0 = (cpu_ticks(a.pid_a), cpu_ticks(a.pid_b))
    w0 = time.time()
    cli = api(a.ns_a, a.token, "POST", "/v1/traffic/runs",
              {"port": a.port_a, "peer": a.addr_b, "peer_tcp_port": srv["tcp_port"], "streams": streams,
               "duration_ms": duration * 1000, **tl})
    c = wait_done(a.ns_a, a.token, cli["id"], duration + 30)
    s = wait_done(a.ns_b, a.token, srv["id"], 30)
    wall = time.time() - w0
    t1 = (cpu_ticks(a.pid_a), cpu_ticks(a.pid_b))
    if c["state"] != "done" or s["state"] != "done":
        raise SystemExit(f"our run failed: client {c['state']} {c['errors']}, server {s['state']} {s['errors']}")
    cpu = [(t1[i] - t0[i]) / HZ for i in range(2)]
    return {"gbps": s["gbps"], "sender_gbps": c["gbps"], "bytes": s["bytes"],
            "cpu_send": cpu[0] / s["seconds"] * 100, "cpu_recv": cpu[1] / s["seconds"] * 100,
            "gaps": len((s.get("timeline") or {}).get("gaps", [])), "wall": wall}


def run_iperf(a, duration, streams):
    server = subprocess.Popen(["ip", "netns", "exec", a.ns_b, "iperf3", "-s", "-1", "-B", a.addr_b, "-p", "5299",
                               "--bind-dev", a.port_b], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        out = in_ns(a.ns_a, ["iperf3", "-c", a.addr_b, "-B", a.addr_a, "--bind-dev", a.port_a, "-p", "5299",
                             "-t", str(duration), "-P", str(streams), "-J"], timeout=duration + 30).stdout
    finally:
        server.wait(timeout=30)
    end = json.loads(out)["end"]
    return {"gbps": end["sum_received"]["bits_per_second"] / 1e9,
            "sender_gbps": end["sum_sent"]["bits_per_second"] / 1e9,
            "cpu_send": end["cpu_utilization_percent"]["host_total"],
            "cpu_recv": end["cpu_utilization_percent"]["remote_total"]}


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
    a.token = open(a.token_file).read().strip()

    print(f"TCP over one veth pair, {a.duration} s per run, {a.rounds} round(s), receiver-side decimal Gb/s; "
          f"{os.cpu_count()} CPU(s), load {os.getloadavg()[0]:.2f}")
    print(f"{'streams':>7} {'round':>5} {'iperf3':>8} {'agent':>8} {'ratio':>6}")
    for streams in a.streams:
        ratios, ip_all, ours_all = [], [], []
        for rnd in range(a.rounds):
            # Alternate who goes first, so a drift in background load hits both alike.
            if rnd % 2 == 0:
                ip = run_iperf(a, a.duration, streams)
                ours = run_ours(a, a.duration, streams)
            else:
                ours = run_ours(a, a.duration, streams)
                ip = run_iperf(a, a.duration, streams)
            ratios.append(ours["gbps"] / ip["gbps"])
            ip_all.append(ip["gbps"])
            ours_all.append(ours["gbps"])
            print(f"{streams:>7} {rnd + 1:>5} {ip['gbps']:>8.2f} {ours['gbps']:>8.2f} {ratios[-1]:>6.2f}")
        print(f"{streams:>7} {'mean':>5} {statistics.mean(ip_all):>8.2f} {statistics.mean(ours_all):>8.2f} "
              f"{statistics.mean(ours_all) / statistics.mean(ip_all):>6.2f}   (target >= 1.0)")

    print()
    print("timeline mode (1 ms bins on both sides), 1 stream: throughput and agent CPU (% of one core)")
    print(f"{'mode':>9} {'round':>5} {'Gb/s':>8} {'cpu send':>9} {'cpu recv':>9} {'gaps':>5}")
    plain_all, tl_all = [], []
    for rnd in range(a.rounds):
        plain = run_ours(a, a.duration, 1)
        tl = run_ours(a, a.duration, 1, timeline=True)
        plain_all.append(plain["gbps"])
        tl_all.append(tl["gbps"])
        for name, r in (("plain", plain), ("timeline", tl)):
            print(f"{name:>9} {rnd + 1:>5} {r['gbps']:>8.2f} {r['cpu_send']:>8.1f}% {r['cpu_recv']:>8.1f}% "
                  f"{r['gaps'] if name == 'timeline' else '-':>5}")
    print(f"timeline / plain throughput: {statistics.mean(tl_all) / statistics.mean(plain_all):.3f}")


if __name__ == "__main__":
    main()
