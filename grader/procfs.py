"""What the learner's processes are doing, read from Linux's /proc.

Used for explanations, never for verdicts: when nothing listens on the port the grader passed,
"your server is listening on port 8080 instead" is a far better message than a timeout. On
systems without /proc every function here answers "don't know" (an empty result).
"""

import os
from pathlib import Path

PROC = Path("/proc")
TCP_LISTEN = "0A"


def available():
    """True where /proc describes processes and TCP sockets (Linux)."""
    return (PROC / "net" / "tcp").exists()


def group_pids(group_id):
    """The pids of every live process in the given process group (a learner's server leads one)."""
    pids = []
    try:
        entries = list(PROC.iterdir())
    except OSError:
        return pids
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state ppid pgrp session ...
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 2 and int(fields[2]) == group_id:
            pids.append(int(entry.name))
    return pids


def _socket_inodes(pid):
    inodes = set()
    try:
        for fd in (PROC / str(pid) / "fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def listening_ports(pids):
    """TCP ports on which any of these processes has a listening socket, sorted."""
    inodes = set()
    for pid in pids:
        inodes |= _socket_inodes(pid)
    ports = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == TCP_LISTEN and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(ports)
