#!/usr/bin/env python3
"""Link-event latency of mixnet-agent: helper for bench/agent-link-events.sh.

A client thread in the agent's namespace long-polls GET /v1/events; the main thread, in the far
end's namespace, flips the far veth end down and up with one netlink message each (no program
started per flip). Latency = the time the client holds the event (the last byte of its reply
received) minus the time just before the far end's state was changed; both are CLOCK_REALTIME on
this machine. Also reported: the agent's own stamp (event time_ns) minus the flip time, i.e. the
kernel-to-agent part, and beside it the kernel's floor (--floor-file: bench/netlink_floor.c's
delays, the same flip read by a C program waiting in recv() in the agent's namespace). The script
runs it in rounds (flips appended to --samples-file) and then once with --report.
The client speaks HTTP/1.1 on a plain socket (keep-alive, Content-Length) so that what it adds
after the agent's answer is one recv(), not http.client's header parsing. Python stdlib only.
"""
import argparse
import ctypes
import json
import os
import queue
import socket
import statistics
import struct
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
RTM_NEWLINK = 16
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLMSG_ERROR = 2
IFF_UP = 0x1

libc = ctypes.CDLL("libc.so.6", use_errno=True)


def enter_netns(name):
    """Moves the calling thread into a named network namespace."""
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns " + name + ": " + os.strerror(err))
    finally:
        os.close(fd)


class LinkFlipper:
    """Sets a link admin up/down with one RTM_NEWLINK message on a socket opened in the far namespace."""

    def __init__(self, ifname):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.sock.bind((0, 0))
        self.sock.settimeout(2.0)
        self.ifindex = socket.if_nametoindex(ifname)
        self.seq = 0

    def set_up(self, up):
        self.seq += 1
        ifinfo = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, self.ifindex, IFF_UP if up else 0, IFF_UP)
        hdr = struct.pack("=IHHII", 16 + len(ifinfo), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, self.seq, 0)
        t0 = time.time_ns()
        self.sock.send(hdr + ifinfo)
        reply = self.sock.recv(65536)
        _, mtype, _, _, _ = struct.unpack("=IHHII", reply[:16])
        if mtype == NLMSG_ERROR:
            (err,) = struct.unpack("=i", reply[16:20])
            if err != 0:
                raise OSError(-err, "RTM_NEWLINK: " + os.strerror(-err))
        return t0


class LeanHttpClient:
    """Keep-alive HTTP/1.1 GETs on a plain socket: send, then recv until the whole answer is in."""

    def __init__(self, port, token):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=40)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.token = token
        self.buf = b""

    def get(self, target):
        """Returns (body, CLOCK_REALTIME when its last byte was received)."""
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n"
                           % (target, self.token)).encode())
        held = time.time_ns()  # one request at a time: the buffer never holds an answer already
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end].decode("latin-1").split("\r\n")
                length = None
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    raise RuntimeError("agent answer without Content-Length: " + head[0])
                if len(self.buf) >= end + 4 + length:
                    break
            chunk = self.sock.recv(65536)
            held = time.time_ns()
            if not chunk:
                raise RuntimeError("agent closed the connection")
            self.buf += chunk
        if not head[0].startswith("HTTP/1.1 200"):
            raise RuntimeError("agent answered " + head[0])
        body = self.buf[end + 4:end + 4 + length]
        self.buf = self.buf[end + 4 + length:]
        return body, held


def client(ns, port, token, events, stop, ready):
    """Long-polls the journal forever, putting (event, time held) on the queue."""
    enter_netns(ns)
    http = LeanHttpClient(port, token)
    body, _ = http.get("/v1/events?after=0")
    after = json.loads(body)["next_after"]
    ready.set()
    while not stop.is_set():
        body, held = http.get("/v1/events?after=%d&wait_ms=2000" % after)
        page = json.loads(body)
        for ev in page["events"]:
            events.put((ev, held))
        after = page["next_after"]


def pct(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def busy_api(args):
    """Keeps the agent's API thread busy: GET /v1/inventory back to back for --busy-api seconds."""
    enter_netns(args.agent_ns)
    http = LeanHttpClient(args.port, open(args.token_file).read().strip())
    end = time.monotonic() + args.busy_api
    n = 0
    while time.monotonic() < end and n < 1000000:
        http.get("/v1/inventory")
        n += 1
    return 0


def report(args):
    """Prints the figures of one condition from the files the rounds filled."""
    floor = [int(line) / 1e6 for line in open(args.floor_file) if line.strip()]
    rows = [line.split() for line in open(args.samples_file) if line.strip()]
    missing = sum(1 for r in rows if r[0] == "missing")
    stamp = [int(r[0]) / 1e6 for r in rows if r[0] != "missing"]
    e2e = [int(r[1]) / 1e6 for r in rows if r[0] != "missing"]
    n = len(e2e)
    label = " (%s)" % args.label if args.label else ""
    print("link-event latency%s over %d flips (%d events not seen within 5 s)" % (label, n, missing))
    if floor:
        print("  kernel floor (C reader in recv):        median %.3f ms  p90 %.3f ms  p99 %.3f ms  (%d flips)"
              % (statistics.median(floor), pct(floor, 90), pct(floor, 99), len(floor)))
    if n:
        print("  far end changed -> agent stamps event:  median %.3f ms  p90 %.3f ms  p99 %.3f ms"
              % (statistics.median(stamp), pct(stamp, 90), pct(stamp, 99)))
        print("  far end changed -> client holds event:  median %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms"
              % (statistics.median(e2e), pct(e2e, 90), pct(e2e, 99), max(e2e)))
        if floor:
            print("  agent stamp minus kernel floor:         median %+.3f ms  p90 %+.3f ms  p99 %+.3f ms"
                  % (statistics.median(stamp) - statistics.median(floor), pct(stamp, 90) - pct(floor, 90),
                     pct(stamp, 99) - pct(floor, 99)))
    return 0 if n > 0 else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent-ns")
    ap.add_argument("--far-ns")
    ap.add_argument("--near-if")
    ap.add_argument("--far-if")
    ap.add_argument("--port", type=int, default=7070)
    ap.add_argument("--token-file")
    ap.add_argument("--flips", type=int, default=200)
    ap.add_argument("--samples-file",
                    help="flips append 'STAMP_NS HELD_NS' (or 'missing') per flip; --report reads it")
    ap.add_argument("--report", action="store_true", help="print the figures from --samples-file and --floor-file")
    ap.add_argument("--busy-api", type=float, metavar="SECONDS",
                    help="instead of flipping: request GET /v1/inventory back to back for SECONDS")
    ap.add_argument("--floor-file", help="bench/netlink_floor.c's output: one delay in ns per line")
    ap.add_argument("--label", default="", help="the conditions, printed in the heading (idle, under load)")
    args = ap.parse_args()
    if args.busy_api is not None:
        if args.agent_ns is None or args.token_file is None:
            sys.exit("--busy-api needs --agent-ns and --token-file")
        return busy_api(args)
    if args.samples_file is None:
        sys.exit("--samples-file is required")
    if args.report:
        if not args.floor_file:
            sys.exit("--report needs --floor-file")
        return report(args)
    for name in ("agent_ns", "far_ns", "near_if", "far_if", "token_file"):
        if getattr(args, name) is None:
            sys.exit("--" + name.replace("_", "-") + " is required to flip")
    token = open(args.token_file).read().strip()

    events = queue.Queue()
    stop = threading.Event()
    ready = threading.Event()
    t = threading.Thread(target=client, args=(args.agent_ns, args.port, token, events, stop, ready), daemon=True)
    t.start()
    if not ready.wait(10):
        sys.exit("client did not connect to the agent")

    enter_netns(args.far_ns)  # the main thread flips the far end
    flipper = LinkFlipper(args.far_if)

    rows = []
    for i in range(args.flips):
        up = i % 2 == 1
        want = "link_up" if up else "link_down"
        time.sleep(0.02)  # let the client park its next long-poll
        t0 = flipper.set_up(up)
        deadline = time.monotonic() + 5
        got = None
        while time.monotonic() < deadline:
            try:
                ev, held = events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if ev["kind"] == want and ev["port"] == args.near_if:
                got = (ev, held)
                break
        if got is None:
            rows.append("missing\n")
            continue
        ev, held = got
        rows.append("%d %d\n" % (ev["time_ns"] - t0, held - t0))
    flipper.set_up(True)
    stop.set()
    with open(args.samples_file, "a") as f:
        f.writelines(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
