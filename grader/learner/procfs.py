"""What the learner's processes are doing, read from Linux's /proc (and netlink).

Used for explanations ("your server is listening on port 8080 instead" is a far better message
than a timeout), for readiness (is the server listening yet), and to find, count and stop every
process of a learner's program. On systems without /proc every function here answers "don't
know" (an empty result), and stopping falls back to process groups.
"""

import os
import select
import signal
import socket
import struct
import time
from pathlib import Path

PROC = Path("/proc")
TCP_LISTEN = "0A"


def available():
    """True where /proc describes processes and TCP sockets (Linux)."""
    return (PROC / "net" / "tcp").exists()


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


def open_sockets(pids):
    """How many distinct sockets these processes hold open (None where /proc cannot tell)."""
    if not available():
        return None
    inodes = set()
    for pid in pids:
        inodes |= _socket_inodes(pid)
    return len(inodes)


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


def _listening_sockets_netlink():
    """{port: connections waiting in its accept queue} for every listening TCP socket."""
    queues = {}
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
                    port = struct.unpack_from(">H", data, offset + 20)[0]  # idiag_sport
                    waiting = struct.unpack_from("=I", data, offset + 72)[0]  # idiag_rqueue
                    queues[port] = queues.get(port, 0) + waiting
                    offset += (length + 3) & ~3
    return queues


def listening_addresses(port, pids):
    """The local addresses (as ipaddress strings: "127.0.0.1", "0.0.0.0", "::") of the sockets
    that these processes have listening on TCP ``port``, sorted (None where we cannot tell)."""
    import ipaddress

    inodes = set()
    for pid in pids:
        inodes |= {int(inode) for inode in _socket_inodes(pid)}
    found = set()
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_SOCK_DIAG) as nl:
            nl.settimeout(1.0)
            for family, size in ((socket.AF_INET, 4), (socket.AF_INET6, 16)):
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
                        sport = struct.unpack_from(">H", data, offset + 20)[0]  # idiag_sport
                        inode = struct.unpack_from("=I", data, offset + 84)[0]  # idiag_inode
                        if sport == port and inode in inodes:
                            found.add(str(ipaddress.ip_address(data[offset + 24:offset + 24 + size])))  # idiag_src
                        offset += (length + 3) & ~3
    except (OSError, AttributeError, struct.error, ValueError):
        return None
    return sorted(found)


def accept_queue(port):
    """Connections waiting to be accepted on TCP ``port`` (None where we cannot tell)."""
    try:
        return _listening_sockets_netlink().get(port)
    except (OSError, AttributeError, struct.error):
        return None


def listening_now(port):
    """True if some socket on this machine listens on TCP ``port`` (None where we cannot tell)."""
    try:
        return port in _listening_sockets_netlink()
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


# -- process trees -------------------------------------------------------------------------------
# A learner's processes are the tree under the child the grader started: learner_child.py makes
# that child (and each fork for a server) a "child subreaper", so even a daemon that left its
# session by double-forking stays in the tree. Walking the tree reads only the tree's own entries.


def children(pid):
    """The pids of the direct children of ``pid`` (all its threads' children); [] if gone."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", "rb") as file:
                found.extend(int(p) for p in file.read().split())
        except OSError:
            continue
    return found


def session_of(pid):
    """The session id of ``pid``, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            stat = file.read()
        return int(stat[stat.rfind(b")") + 2:].split()[3])
    except (OSError, IndexError, ValueError):
        return None


def left_session(pid):
    """The descendants of ``pid`` running in a session other than its own: daemons (``setsid``)."""
    own = session_of(pid)
    return [p for p in descendants(pid) if session_of(p) not in (None, own)]


def descendants(pid, prune=()):
    """Every process below ``pid`` (not ``pid`` itself), leaving out the subtrees rooted at ``prune``."""
    found, pending = [], [pid]
    while pending:
        for child in children(pending.pop()):
            if child not in prune and child not in found:
                found.append(child)
                pending.append(child)
    return found


def outer_pid(root, inner, among=None):
    """The pid (as this process sees it) of the process under ``root`` whose pid in its own, inner
    PID namespace is ``inner`` (the sandbox's, grader/learner/sandbox.py); None if none is.

    ``among``: the candidates to look at (default: ``root``'s descendants)."""
    for pid in (descendants(root) if among is None else among):
        try:
            with open(f"/proc/{pid}/status", "rb") as file:
                for line in file:
                    if line.startswith(b"NSpid:"):
                        if int(line.split()[-1]) == inner:
                            return pid
                        break
        except (OSError, ValueError):
            continue
    return None


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def usage(pids):
    """(processes still running, bytes of memory they hold) for these pids; zombies do not count."""
    running = memory = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as file:
                resident = int(file.read().split()[1])
            with open(f"/proc/{pid}/stat", "rb") as file:
                stat = file.read()
        except (OSError, IndexError, ValueError):
            continue
        if stat[stat.rfind(b")") + 2:][:1] in (b"Z", b"X"):
            continue
        running += 1
        memory += resident * PAGE_SIZE
    return running, memory


DEATH_WAIT = 1.0  # seconds stop_tree waits for killed processes to be gone


def stop_tree(pid, include_root=True, prune=()):
    """Kill ``pid``'s descendants (and ``pid``), leaving none: freeze them all first, then kill,
    then wait until they are gone, so that their sockets and files are closed when this returns.

    Freezing (SIGSTOP) before killing is what makes this safe against a program that forks as
    fast as it can: a stopped process cannot start another one, and one that was being started
    shows up in the next walk of the tree. Killing a parent first would hand its children to a
    subreaper or init, out of reach of the walk. Where Linux offers pidfds, each process is
    signalled and waited for through one, which always means that process and no later one with
    the same pid.
    """
    if os.name != "posix":
        return
    frozen = {}  # pid -> its pidfd, or None
    for _ in range(1000):  # each round freezes everything it found; the tree is finite
        found = ([pid] if include_root and pid not in frozen else []) + [
            p for p in descendants(pid, prune) if p not in frozen]
        if not found:
            break
        for target in found:
            frozen[target] = _pidfd(target)
            _signal(target, frozen[target], signal.SIGSTOP)
    for target, fd in frozen.items():
        _signal(target, fd, signal.SIGKILL)
    _wait_gone([fd for fd in frozen.values() if fd is not None])


def _pidfd(pid):
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _signal(pid, fd, signum):
    try:
        if fd is not None:
            signal.pidfd_send_signal(fd, signum)
        else:
            os.kill(pid, signum)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _wait_gone(fds):
    """Wait until the processes behind these pidfds have ended (a pidfd turns readable), bounded."""
    try:
        if fds:
            poller = select.poll()
            for fd in fds:
                poller.register(fd, select.POLLIN)
            pending, deadline = set(fds), time.monotonic() + DEATH_WAIT
            while pending and (left := deadline - time.monotonic()) > 0:
                for fd, _ in poller.poll(left * 1000):
                    pending.discard(fd)
                    poller.unregister(fd)
    finally:
        for fd in fds:
            os.close(fd)


def marked_processes(marker):
    """Pids of the processes whose environment holds ``marker`` (b"NAME=value"): strays of a run."""
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as file:
                if marker in file.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found
