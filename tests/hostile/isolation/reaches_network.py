"""Looks for a way off the machine: interfaces other than the loopback, routes, default gateways
(by the kernel's tables only: no packet is sent)."""
import os, socket

CANARY = "@CANARY@"
EVIDENCE = []


def evidence(text):
    """What succeeded: in the report (the error below), and in a file outside the sandbox."""
    EVIDENCE.append(text)
    try:
        with open(CANARY, "a") as f:
            f.write(text)
    except OSError:
        pass


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
    evidence("\n".join(seen) + "\n")
    print("REACHABLE:", seen)


def is_valid_url(url):
    if EVIDENCE:
        raise ValueError("EVIDENCE: " + " | ".join(EVIDENCE)[:1000])
    raise ValueError("this program implements no rule")
