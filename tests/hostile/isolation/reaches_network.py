"""Looks for a way off the machine: interfaces other than the loopback, routes, default gateways
(by the kernel's tables only: no packet is sent)."""
import os, socket

CANARY = "@CANARY@"
seen = []
for index, name in socket.if_nameindex():
    if name != "lo":
        seen.append(f"interface {name}")
for table in ("/proc/net/route", "/proc/net/ipv6_route"):
    try:
        with open(table) as f:
            rows = f.read().splitlines()
    except OSError:
        continue
    rows = rows[1:] if table.endswith("/route") else rows
    seen += [f"route {r.split()[0]}" for r in rows if r.split() and not r.split()[0] == "lo" and r.split()[-1] != "lo"]
if seen:
    with open(CANARY, "a") as f:
        f.write("\n".join(seen) + "\n")
    print("REACHABLE:", seen)


def is_valid_url(url):
    raise ValueError("this program implements no rule")
