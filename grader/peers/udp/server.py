"""The UDP ping server the udp_pinger checks talk to: it follows a script, and remembers
every datagram it received and sent, and when.

It runs on 127.0.0.1 (a port the OS picks) in one background thread of the grader while the
learner's ``ping`` runs in a child process. What to send, and when, is the ``Responder``'s
decision (``script.py``); this module keeps the clock (``time.monotonic``, the clock the
learner's child reads too, so the two sides' times compare) and the sockets: the server's own,
and a second one on another port, from which a stray datagram comes.

It is event-driven: one selector loop wakes for a datagram, for the next datagram due (a held
reply, a decoy) or for the wake-up pair that ``stop()`` writes to. On stop it reads what is
still queued, so a ping sent just before the learner's function returned is in the record, then
closes both sockets and joins the thread, with a deadline.

``python -m grader.peers.udp --port 9000 --loss 0.3`` runs it by hand (see ``__main__.py``).
"""

import heapq
import itertools
import selectors
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass

from grader.peers.net import LOOPBACK, chosen_port
from grader.peers.udp.script import OTHER, Fate, Ping, Responder, Send

RECV_SIZE = 65536
MAX_DATAGRAMS = 10_000  # kept in the record; a runaway client cannot fill memory
STOP_TIMEOUT = 5.0  # seconds for the thread to finish after stop()
# The kernel's own time of arrival of each datagram (Linux: SO_TIMESTAMPNS, a struct timespec of the
# wall clock), so that a grader thread that a busy machine wakes late still knows when a ping came
# (one was seen woken 160 ms late). The socket module does not name the option: 35 is its number in
# Linux's asm-generic/socket.h (x86, arm, riscv); elsewhere setting it fails and the time read is used.
TIMESTAMPS = getattr(socket, "SO_TIMESTAMPNS", 35 if sys.platform == "linux" else None)
TIMESPEC = struct.Struct("@ll")


def wall_minus_monotonic(samples=3):
    """The wall clock's lead over the monotonic one, now. Read between two wall-clock readings, so
    that a thread preempted in the middle cannot skew it: the narrowest of a few tries counts."""
    best = None
    for _ in range(samples):
        before, monotonic, after = time.time(), time.monotonic(), time.time()
        if best is None or after - before < best[0]:
            best = (after - before, (before + after) / 2 - monotonic)
    return best[1]


@dataclass
class Received:
    at: float
    data: bytes
    source: tuple
    ping: Ping | None  # None: not a well-formed ping


@dataclass
class Sent:
    at: float  # when it left, by the server's clock
    send: Send
    to: tuple


class PingServer:
    """A scripted ping server; a context manager (``with PingServer(fates) as server:``)."""

    def __init__(self, fates=(), *, default=Fate(), port=0, log=None, responder=None):
        self.responder = responder or Responder(fates, default)
        self.received = []
        self.sent = []
        self.planned = []  # every Send the script asked for, sent or not (the call may end first)
        self.log = log
        self._bind = (LOOPBACK, port)
        self._pending = []  # heap of (at, seq, Send, destination)
        self._order = itertools.count()
        self._stopping = False
        self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def address(self):
        return self._sock.getsockname()[:2]

    def start(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # where strays come from
        try:
            self._sock.bind(self._bind)
            self._other.bind((LOOPBACK, 0))
        except OSError:
            self._sock.close()
            self._other.close()
            raise
        chosen_port(self.address[1])
        chosen_port(self._other.getsockname()[1])
        for sock in (self._sock, self._other):
            sock.setblocking(False)
        if TIMESTAMPS is not None:
            try:
                self._sock.setsockopt(socket.SOL_SOCKET, TIMESTAMPS, 1)
            except OSError:
                pass  # no kernel stamps: arrivals are dated when read
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="udp-ping-server", daemon=True)
        self._thread.start()

    def stop(self):
        if self._thread is None:
            return
        self._stopping = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        self._thread.join(STOP_TIMEOUT)
        for sock in (self._sock, self._other, self._wake_r, self._wake_w):
            sock.close()
        self._thread = None

    # -- what the checks read --------------------------------------------------------------

    @property
    def pings(self):
        """The well-formed pings received, in order."""
        return [r.ping for r in self.received if r.ping is not None]

    def sent_for(self, index, what="reply"):
        """The Sent records of ping ``index`` of kind ``what``."""
        return [s for s in self.sent if s.send.ping == index and s.send.what == what]

    def reply_due(self, index):
        """When the true reply to ping ``index`` left, or was due to leave had the client waited
        for it (its Send's time); None if the script never answers it."""
        sent = self.sent_for(index)
        if sent:
            return sent[0].at
        planned = [s for s in self.planned if s.ping == index and s.what == "reply"]
        return planned[0].at if planned else None

    # -- the loop ------------------------------------------------------------------------------

    def _loop(self):
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping:
                now = time.monotonic()
                self._send_due(now)
                wait = max(0.0, self._pending[0][0] - now) if self._pending else None
                selector.select(wait)
                self._read()
        self._read()  # what was queued when stop() came is in the record too

    def _read(self):
        while True:
            try:
                data, ancillary, _, source = self._sock.recvmsg(RECV_SIZE, socket.CMSG_SPACE(TIMESPEC.size))
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # an ICMP error for an earlier send (a client that went away)
                continue
            now = self._arrival(ancillary, time.monotonic())
            if len(self.received) >= MAX_DATAGRAMS:
                continue
            ping, sends = self.responder.on_datagram(data, source, now)
            self.received.append(Received(now, data, source, ping))
            self._say(f"received {data!r}" + ("" if ping else "  (not a ping: no reply)"))
            if ping is not None:
                self._cancel_decoys_before(ping.index)
            self.planned.extend(sends)
            for send in sends:
                heapq.heappush(self._pending, (send.at, next(self._order), send, source))
            self._send_due(time.monotonic())

    def _arrival(self, ancillary, woke):
        """When the datagram arrived, by the monotonic clock: the kernel's stamp when there is one
        (never later than ``woke``, just after this thread read it), else ``woke``."""
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == TIMESTAMPS and len(data) >= TIMESPEC.size:
                seconds, nanoseconds = TIMESPEC.unpack(data[:TIMESPEC.size])
                return min(woke, seconds + nanoseconds / 1e9 - wall_minus_monotonic())
        return woke

    def _cancel_decoys_before(self, index):
        """A new ping ends the wait of the earlier ones: their decoys still due are not sent."""
        kept = [entry for entry in self._pending if not (entry[2].decoy and entry[2].ping < index)]
        if len(kept) != len(self._pending):
            self._pending = kept
            heapq.heapify(self._pending)

    def _send_due(self, now):
        while self._pending and self._pending[0][0] <= now:
            _, _, send, destination = heapq.heappop(self._pending)
            sock = self._other if send.via == OTHER else self._sock
            at = time.monotonic()  # before sendto: a reply can never reach the client earlier
            try:
                sock.sendto(send.payload, destination)
            except OSError:
                continue
            self.sent.append(Sent(at, send, destination))
            source = "another socket sent" if send.via == OTHER else "sent"
            self._say(f"{source} {send.payload!r}  ({send.what} for ping {send.ping})")

    def _say(self, text):
        if self.log is not None:
            self.log(f"{time.monotonic() - self.started_at:7.3f} s  {text}")
