#!/usr/bin/env python3
"""Reads every agent's /metrics on a lab and prints, per host, the HTTP requests it has served
(every route but /metrics itself, whose reads are ours) and the HTTP connections it has accepted,
as JSON: {"h1": {"requests": N, "connections": M}, ...}. Used by bench/coord-overhead.sh to count
what the coordinator asks of the agents. Reads the lab's inventory (its agents' URLs, tokens and
TLS files) with plain text matching, like the other bench scripts: the lab writes it in one
shape.
  bench/lab-agent-metrics.py /run/mixnet-lab/NAME/inventory.yaml
"""
import concurrent.futures
import json
import os
import re
import ssl
import sys
import urllib.request


def read_inventory(path):
    text = open(path).read()
    base = os.path.dirname(path)
    hosts = re.findall(r"- name: (\S+)\s*\n\s*gpus: \d+\s*\n\s*agent:\s*\n\s*url: (\S+)\s*\n\s*token_file: (\S+)", text)
    if not hosts:
        hosts = re.findall(r"- name: (\S+)\s*\n\s*agent:\s*\n\s*url: (\S+)\s*\n\s*token_file: (\S+)", text)
    tls = {k: os.path.join(base, v) for k, v in re.findall(r"^  (agent_ca_file|client_cert_file|client_key_file): (\S+)", text, re.M)}
    return [(h, url, os.path.join(base, tf)) for h, url, tf in hosts], tls


def tls_context(tls):
    if "agent_ca_file" not in tls:
        return None
    ctx = ssl.create_default_context(cafile=tls["agent_ca_file"])
    if "client_cert_file" in tls:
        ctx.load_cert_chain(tls["client_cert_file"], tls["client_key_file"])
    return ctx


def scrape(host, url, token_file, ctx):
    token = open(token_file).read().strip()
    req = urllib.request.Request(url + "/metrics", headers={"Authorization": f"Bearer {token}"})
    text = urllib.request.urlopen(req, timeout=10, context=ctx if url.startswith("https") else None).read().decode()
    requests = connections = 0
    for line in text.splitlines():
        if line.startswith("mixnet_agent_http_requests_total{") and 'route="/metrics"' not in line:
            requests += int(float(line.rsplit(" ", 1)[1]))
        elif line.startswith("mixnet_agent_http_connections_accepted_total"):
            connections += int(float(line.rsplit(" ", 1)[1]))
    return host, {"requests": requests, "connections": connections}


def main():
    hosts, tls = read_inventory(sys.argv[1])
    if not hosts:
        sys.exit(f"lab-agent-metrics: no hosts with agents found in {sys.argv[1]}")
    ctx = tls_context(tls)
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        out = dict(pool.map(lambda h: scrape(*h, ctx), hosts))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
