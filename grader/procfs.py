"""What the learner's processes are doing, read from Linux's /proc.

Used for explanations, never for verdicts: when nothing listens on the port the grader passed,
"your server is listening on port 8080 instead" is a far better message than a timeout. On
systems without /proc every function here answers "don't know" (an empty result).
"""

import os
import socket
import struct
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


# Linux sock_diag (netlink): the kernel lists only the listening sockets, however many others
# there are. Reading /proc/net/tcp costs ~10 ms once checks have left hundreds of sockets in
# TIME_WAIT, and readiness is polled at every server start.
_NETLINK_SOCK_DIAG, _SOCK_DIAG_BY_FAMILY, _NLMSG_DONE, _NLMSG_ERROR = 4, 20, 3, 2
_NLM_F_REQUEST_DUMP = 0x1 | 0x300
_TCP_LISTEN = 10


def _listening_ports_netlink():
    ports = set()
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG) as nl:
        nl.settimeout(1.0)
        for family in (socket.AF_INET, socket.AF_INET6):
            request = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, 1 << _TCP_LISTEN) + bytes(48)
            nl.send(struct.pack("=IHHII", 16 + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST_DUMP, 1, 0)
                    + request)
            done = False
            while not done:
                data = nl.recv(65536)
                offset = 0
                while offset + 16 <= len(data):
                    length, kind = struct.unpack_from("=IH", data, offset)
                    if kind in (_NLMSG_DONE, _NLMSG_ERROR) or length < 16:
                        done = True
                        break
                    ports.add(struct.unpack_from(">H", data, offset + 20)[0])  # idiag_sport
                    offset += (length + 3) & ~3
    return ports


def listening_now(port):
    """True if some socket on this machine listens on TCP ``port`` (None where we cannot tell)."""
    try:
        return port in _listening_ports_netlink()
    except (OSError, AttributeError, struct.error):
        pass
    if not available():
        return None
    target = f":{port:04X} ".encode()
    for table in ("tcp", "tcp6"):
        try:
            for line in (PROC / "net" / table).read_bytes().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 3 and fields[1].endswith(target.strip()) and fields[3] == b"0A":
                    return True
        except OSError:
            return None
    return False
