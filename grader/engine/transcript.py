"""Wire transcripts for ``--verbose``: every byte the grader sent and received during a check.

    -- connection 1: the grader connected to your server at 127.0.0.1:40123
    Sent bytes: b'hello, echo\\n'
    Received bytes: b'hello, echo\\n'
    Shut down the sending side
    Received end of file

Why at the socket, and only while recording: the grader's side of a conversation goes through
several libraries (``grader.peers.net.Client``, ``requests`` and ``urllib3`` for the HTTP checks,
``http.server`` in the paginator's API, a ``selectors`` loop in the line-reply server). All of
them end in the methods of ``socket.socket``, so ``recording()`` wraps those methods for the
duration of one check and puts the originals back after it; a probe written tomorrow is
recorded without knowing about this module. Without ``--verbose`` nothing is wrapped, so
grading costs exactly what it did. Learner code runs in other processes (grader/learner/process.py) and
is never touched; the grader talks to those processes over pipes, and only TCP sockets are
recorded, so neither the control channel nor a wake-up socket pair shows up.

Bounded, so a check that moves 8 MiB or replays a Hypothesis example a hundred times stays
readable and cheap: each event keeps at most the first and last bytes of its data
(the middle cut with a note, as in a failure message), and a transcript keeps its first
``HEAD_EVENTS`` and last ``TAIL_EVENTS`` events with a count of what lies between.
"""

import contextlib
import socket
import struct
import threading
import weakref
from collections import deque
from dataclasses import dataclass


HEAD_EVENTS = 40  # events kept from the start of a check
TAIL_EVENTS = 12  # and from its end (a Hypothesis failure's last replay is there)
SHOW_BYTES = 400  # an event's data shown whole up to this size (an HTTP request head fits);
HEAD_BYTES = SHOW_BYTES * 3 // 4  # longer data keeps its first and last bytes, the middle cut
TAIL_BYTES = SHOW_BYTES // 4  # with a note, as grader.failures.show does in a failure message

SENT, RECEIVED = "sent", "received"


@dataclass
class Event:
    connection: int
    kind: str  # connect, accept, sent, received, eof, timeout, shutdown, reset, closed, error
    size: int = 0
    head: bytes = b""
    tail: bytes = b""  # empty unless the data was longer than SHOW_BYTES
    detail: str = ""

    def text(self):
        if self.kind in (SENT, RECEIVED):
            return f"{'Sent' if self.kind == SENT else 'Received'} bytes: {self.shown()}"
        return {
            "eof": "Received end of file (the other side will send nothing more)",
            "timeout": f"Waited {self.detail} s: nothing arrived",
            "shutdown": f"Shut down the {self.detail}",
            "reset": "Reset the connection (TCP RST)",
            "closed": "Closed the connection",
        }.get(self.kind, self.detail)

    def shown(self):
        if not self.tail:
            return repr(self.head)
        return f"{self.head!r} ... {self.tail!r}  ({self.size:,} bytes in all; the middle is not shown)"


def _cut(view, size):
    """(head, tail) of the first ``size`` bytes of a buffer, copying only what is kept."""
    view = memoryview(view).cast("B")
    if size <= SHOW_BYTES:
        return bytes(view[:size]), b""
    return bytes(view[:HEAD_BYTES]), bytes(view[size - TAIL_BYTES:size])


class Transcript:
    """The events of one check, bounded; safe to add to from several threads."""

    def __init__(self, head_events=HEAD_EVENTS, tail_events=TAIL_EVENTS):
        self._lock = threading.Lock()
        self._head_events = head_events
        self.events = []
        self._tail = deque(maxlen=tail_events)
        self.omitted = 0  # events between the head and the tail that are not kept
        self.omitted_bytes = {SENT: 0, RECEIVED: 0}
        self._numbers = weakref.WeakKeyDictionary()  # socket -> connection number
        self._connections = 0
        self._closed = weakref.WeakSet()

    def number(self, sock, kind=None, detail=""):
        """The connection number of ``sock``, given (with an opening event) on first sight."""
        number = self._numbers.get(sock)
        if number is None:
            with self._lock:
                number = self._numbers.get(sock)
                if number is None:
                    self._connections += 1
                    number = self._numbers[sock] = self._connections
            if kind is None:
                kind, detail = "connect", f"-- connection {number}: {_describe(sock)}"
            self.add(Event(number, kind, detail=detail.format(number=number)))
        return number

    def known(self, sock):
        return sock in self._numbers

    def add(self, event):
        with self._lock:
            if len(self.events) < self._head_events:
                self.events.append(event)
                return
            if len(self._tail) == self._tail.maxlen:
                dropped = self._tail.popleft()
                self.omitted += 1
                if dropped.kind in self.omitted_bytes:
                    self.omitted_bytes[dropped.kind] += dropped.size
            self._tail.append(event)

    def lines(self):
        """The transcript as the lines a learner reads."""
        with self._lock:
            events = list(self.events)
            tail = list(self._tail)
        out = []
        current = None

        def emit(event):
            nonlocal current
            prefix = ""
            if event.kind in ("connect", "accept"):
                current = event.connection
            elif event.connection != current:  # several connections take turns: say whose
                prefix = f"[connection {event.connection}] "
            out.append(prefix + event.text())

        for event in events:
            emit(event)
        if self.omitted:
            out.append(f"... {self.omitted:,} more events not shown ({self.omitted_bytes[SENT]:,} bytes sent, "
                       f"{self.omitted_bytes[RECEIVED]:,} received) ...")
            current = None  # the first line after the cut names its connection
        for event in tail:
            emit(event)
        return out


def _describe(sock):
    try:
        peer = sock.getpeername()
        return f"the grader's connection to {peer[0]}:{peer[1]}"
    except OSError:
        return "a connection of the grader"


# -- recording: socket.socket's methods, wrapped while a check runs ------------------------------

_active = None  # the Transcript being recorded, or None
_install_lock = threading.Lock()
_MISSING = object()
_WRAPPED = ("connect", "accept", "send", "sendall", "recv", "recv_into", "shutdown", "close")


def _recorded(sock):
    """The transcript to record ``sock``'s traffic in, or None (not recording, not TCP)."""
    transcript = _active
    if transcript is None:
        return None
    try:
        if sock.type != socket.SOCK_STREAM or sock.family not in (socket.AF_INET, socket.AF_INET6):
            return None
    except OSError:
        return None
    return transcript


def _address(address):
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)


def _wrappers(original):
    def connect(self, address):
        try:
            original["connect"](self, address)
        except OSError as exc:
            transcript = _recorded(self)
            if transcript is not None and not isinstance(exc, BlockingIOError):
                number = transcript.number(self, "connect", f"-- connection {{number}}: the grader connected to "
                                                            f"{_address(address)}")
                transcript.add(Event(number, "error", detail=f"Connecting failed: {exc.strerror or exc}"))
            raise
        transcript = _recorded(self)
        if transcript is not None:
            transcript.number(self, "connect", f"-- connection {{number}}: the grader connected to {_address(address)}")

    def accept(self):
        conn, address = original["accept"](self)
        transcript = _recorded(conn)
        if transcript is not None:
            transcript.number(conn, "accept", f"-- connection {{number}}: your program connected from "
                                              f"{_address(address)} to the grader's server at "
                                              f"{_address(self.getsockname())}")
        return conn, address

    def data_event(self, kind, view, size):
        transcript = _recorded(self)
        if transcript is not None:
            head, tail = _cut(view, size)
            transcript.add(Event(transcript.number(self), kind, size, head, tail))

    def failed(self, doing, exc):
        transcript = _recorded(self)
        if transcript is None or isinstance(exc, BlockingIOError):
            return
        number = transcript.number(self)
        if isinstance(exc, TimeoutError):
            timeout = self.gettimeout()
            transcript.add(Event(number, "timeout", detail=f"{timeout:.3g}" if timeout else "?"))
        else:
            transcript.add(Event(number, "error", detail=f"{doing} failed: {type(exc).__name__}: {exc}"))

    def send(self, data, *args):
        try:
            count = original["send"](self, data, *args)
        except OSError as exc:
            failed(self, "Sending", exc)
            raise
        data_event(self, SENT, data, count)
        return count

    def sendall(self, data, *args):
        try:
            result = original["sendall"](self, data, *args)
        except OSError as exc:
            failed(self, "Sending", exc)
            raise
        data_event(self, SENT, data, memoryview(data).nbytes)
        return result

    def recv(self, size, *args):
        try:
            data = original["recv"](self, size, *args)
        except OSError as exc:
            failed(self, "Receiving", exc)
            raise
        if not (args and args[0] & socket.MSG_PEEK):
            data_event(self, RECEIVED if data else "eof", data, len(data))
        return data

    def recv_into(self, buffer, size=0, *args):
        try:
            count = original["recv_into"](self, buffer, size, *args)
        except OSError as exc:
            failed(self, "Receiving", exc)
            raise
        if not (args and args[0] & socket.MSG_PEEK):
            data_event(self, RECEIVED if count else "eof", buffer, count)
        return count

    def shutdown(self, how):
        transcript = _recorded(self)
        if transcript is not None:
            side = {socket.SHUT_WR: "sending side", socket.SHUT_RD: "receiving side"}.get(how, "both directions")
            transcript.add(Event(transcript.number(self), "shutdown", detail=side))
        return original["shutdown"](self, how)

    def close(self):
        transcript = _recorded(self) if self.fileno() != -1 else None
        if transcript is not None and transcript.known(self) and self not in transcript._closed:
            transcript._closed.add(self)
            try:
                on, seconds = struct.unpack("ii", self.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8))
            except (OSError, struct.error):
                on, seconds = 0, 0
            transcript.add(Event(transcript.number(self), "reset" if on and not seconds else "closed"))
        return original["close"](self)

    return {"connect": connect, "accept": accept, "send": send, "sendall": sendall, "recv": recv,
            "recv_into": recv_into, "shutdown": shutdown, "close": close}


@contextlib.contextmanager
def recording():
    """Record the grader's TCP traffic into a new Transcript until the block ends."""
    global _active
    with _install_lock:
        if _active is not None:
            raise RuntimeError("a transcript is already being recorded")
        saved = {name: socket.socket.__dict__.get(name, _MISSING) for name in _WRAPPED}
        original = {name: getattr(socket.socket, name) for name in _WRAPPED}
        for name, wrapper in _wrappers(original).items():
            setattr(socket.socket, name, wrapper)
        transcript = _active = Transcript()
    try:
        yield transcript
    finally:
        with _install_lock:
            _active = None
            for name, value in saved.items():
                if value is _MISSING:
                    delattr(socket.socket, name)
                else:
                    setattr(socket.socket, name, value)
