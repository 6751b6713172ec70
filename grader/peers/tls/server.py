"""The TLS server the tls_client checks talk to: it presents a chosen certificate, offers chosen
TLS versions, answers as its ``Behaviour`` says, and remembers what happened.

It runs on 127.0.0.1 (a port the OS picks) in one background thread of the grader, while the
learner's ``tls_request`` runs in a child process. TLS is done with the standard library's
``ssl.SSLObject`` over memory buffers (``ssl.MemoryBIO``): the TLS state machine never touches
the socket, so one selector loop moves the bytes for every connection without blocking, wakes
for timers (the pauses between records) and for ``stop()``, and the server sees exactly what
came in when: the ClientHello's server name (``sni_callback``), the version negotiated, how
the handshake failed (the client's alert: "unknown ca", "bad certificate"...), every byte of
application data, and the client's close_notify and TCP close.

The fact the checks need most: whether any application byte arrived. A client that refuses a
certificate aborts the handshake, so the server never completes it and never decrypts a byte;
a client that sends first and checks later shows up as a completed handshake and a request.

``python -m grader.peers.tls`` serves it by hand (``grader/peers/tls/__main__.py``).
"""

import selectors
import socket
import ssl
import threading
import time
import warnings
from collections import deque
from dataclasses import dataclass, field

from grader.peers.net import chosen_port
from grader.peers.tls.behaviour import NOT_TLS_ANSWER, VERSIONS, Behaviour, request_complete
from grader.peers.tls.certificates import for_this_run

LOOPBACK = "127.0.0.1"
RECV_SIZE = 65536
MAX_BYTES = 32 * 1024 * 1024  # per connection; the checks send 4 MiB at most
MAX_OPEN = 16
STOP_TIMEOUT = 5.0


@dataclass
class ConnectionRecord:
    """What happened on one connection. Times are ``time.monotonic()`` values; read it after
    ``sync()`` or ``stop()``, or inside ``wait_until``."""

    number: int
    opened_at: float
    first_bytes_at: float | None = None  # when the ClientHello (or anything) arrived
    sni: str | None = None  # the server name the client sent, if any
    version: str | None = None  # once the handshake completed on the server's side
    handshake_error: str | None = None  # how the handshake failed, as OpenSSL says it
    received: bytearray = field(default_factory=bytearray)  # application data (decrypted)
    plain_received: bytearray = field(default_factory=bytearray)  # the not-TLS server's bytes
    request_at: float | None = None  # when the request's blank line arrived
    answered_at: float | None = None  # when the last byte of the answer was handed to TCP
    server_closed_at: float | None = None  # when it sent close_notify or closed TCP
    close_notify_received: bool = False
    closed_at: float | None = None  # when the client's end of TCP closed (end of file or reset)
    reset: bool = False

    @property
    def handshaken(self):
        return self.version is not None

    @property
    def client_closed(self):
        return self.closed_at is not None


def server_context(behaviour, certificates):
    """The server's SSLContext for a behaviour: its certificate, its versions, SNI recorded."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificates.files(behaviour.certificate))
    low, high = VERSIONS[behaviour.versions]
    if behaviour.versions == "1.0-1.1":
        # OpenSSL 3 allows TLS 1.0 and 1.1 only at security level 0: what a client at the default
        # level refuses, as it should.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():  # TLSv1 and TLSv1_1 are deprecated: that is the point of this server
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = getattr(ssl.TLSVersion, low)
        if high:
            context.maximum_version = getattr(ssl.TLSVersion, high)
    return context


class TLSServer:
    """A TLS server in a background thread, behaving as told; use it as a context manager."""

    def __init__(self, behaviour=Behaviour(), certificates=None, *, host=LOOPBACK, port=0, log=None):
        self.behaviour = behaviour
        self.certificates = certificates or for_this_run()
        self.context = None if behaviour.plain else server_context(behaviour, self.certificates)
        if self.context is not None:
            self.context.sni_callback = self._on_sni
        self.log = log
        self._bind = (host, port)
        self._records = []
        self._open = []
        self._cond = threading.Condition(threading.RLock())
        self._stopping = False
        self._sync_requested = self._synced = 0
        self._done = False
        self._error = None
        self._thread = None

    @property
    def cafile(self):
        return str(self.certificates.cafile)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self._listener = socket.create_server(self._bind, backlog=16)
        self._listener.setblocking(False)
        self.address = self._listener.getsockname()[:2]
        chosen_port(self.address[1])
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread = threading.Thread(target=self._run, name="tls-server", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Close every socket and end the thread; raise if the server itself failed."""
        if self._thread is None:
            return
        with self._cond:
            self._stopping = True
        self._wake()
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():
            raise RuntimeError(f"the TLS server thread did not stop within {STOP_TIMEOUT:g} s")
        self._thread = None
        self._wake_r.close()
        self._wake_w.close()
        if self._error is not None:
            raise RuntimeError("the TLS server failed") from self._error

    # -- reading the record (from the check's thread) --------------------------------------------

    @property
    def connections(self):
        with self._cond:
            return list(self._records)

    def wait_until(self, predicate, timeout):
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self._records), timeout)

    def sync(self, timeout=2.0):
        """Return once the server has handled everything that had reached it when called (a round
        of the loop whose select() began after this call; as the line-reply server's sync())."""
        with self._cond:
            self._sync_requested += 1
            target = self._sync_requested
        self._wake()
        with self._cond:
            return self._cond.wait_for(lambda: self._synced >= target or self._done, timeout)

    def wait_closed(self, timeout):
        """True once the client has closed TCP on every connection."""
        self.sync(timeout)
        return self.wait_until(lambda records: all(r.client_closed for r in records), timeout)

    # -- the loop (server thread) --------------------------------------------------------------

    def _on_sni(self, sslobject, server_name, context):
        sslobject.netkata_record.sni = server_name

    def _wake(self):
        try:
            self._wake_w.send(b"!")
        except BlockingIOError:
            pass

    def _say(self, conn, text):
        if self.log is not None:
            self.log(f"connection {conn.record.number}: {text}")

    def _run(self):
        selector = selectors.DefaultSelector()
        try:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                with self._cond:
                    requested = self._sync_requested
                    timeout = 0 if requested > self._synced else self._next_timer(time.monotonic())
                events = selector.select(timeout)
                with self._cond:
                    now = time.monotonic()
                    for key, mask in events:
                        if key.fileobj is self._listener:
                            self._accept(selector, now)
                        elif key.fileobj is self._wake_r:
                            try:
                                while self._wake_r.recv(4096):
                                    pass
                            except BlockingIOError:
                                pass
                        else:
                            key.data.on_ready(mask, now)
                    for conn in list(self._open):
                        conn.advance(time.monotonic())
                        if conn.finished:
                            if conn.registered:
                                selector.unregister(conn.sock)
                            conn.sock.close()
                            self._open.remove(conn)
                        else:
                            conn.register(selector)
                    if self._stopping:
                        return
                    self._synced = requested
                    self._cond.notify_all()
        except BaseException as exc:  # kept for stop() to raise in the check's thread
            self._error = exc
        finally:
            with self._cond:
                for conn in self._open:
                    conn.sock.close()
                self._open.clear()
                self._listener.close()
                selector.close()
                self._done = True
                self._cond.notify_all()

    def _next_timer(self, now):
        wakes = [conn.next_send_at for conn in self._open if conn.waiting_for_timer()]
        return max(0.0, min(wakes) - now) if wakes else None

    def _accept(self, selector, now):
        while True:
            try:
                sock, _ = self._listener.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            record = ConnectionRecord(number=len(self._records) + 1, opened_at=now)
            self._records.append(record)
            if len(self._open) >= MAX_OPEN:
                sock.close()
                record.server_closed_at = now
                continue
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(self, sock, record)
            self._open.append(conn)
            selector.register(sock, conn.events(), conn)
            conn.registered = conn.events()
            self._say(conn, "connection opened")


class _Connection:
    """One accepted socket: raw bytes in and out, TLS in memory, the behaviour's schedule."""

    def __init__(self, server, sock, record):
        self.server = server
        self.behaviour = server.behaviour
        self.sock = sock
        self.record = record
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = None
        if server.context is not None:
            self.tls = server.context.wrap_bio(self.incoming, self.outgoing, server_side=True)
            self.tls.netkata_record = record  # for the SNI callback
        self.pending = bytearray()  # raw bytes to send
        self.planned = deque()  # the answer's record payloads, not yet written
        self.next_send_at = 0.0
        self.reading = True  # until the client closes: its close is what the checks time
        self.failed = False  # the handshake failed: what still comes is read and dropped
        self.answering = False
        self.shut = False  # the server has ended its side (close_notify sent or TCP shut)
        self.finished = False
        self.registered = 0

    # -- events

    def on_ready(self, mask, now):
        if mask & selectors.EVENT_READ:
            self.read(now)

    def read(self, now):
        while self.reading:
            try:
                data = self.sock.recv(RECV_SIZE)
            except BlockingIOError:
                return
            except OSError:
                return self.client_gone(now, reset=True)
            if not data:
                self.client_gone(now, reset=False)
                if self.tls is not None and not self.failed and self.behaviour.stall != "handshake":
                    self.incoming.write_eof()
                    self.progress(now)
                return
            if self.record.first_bytes_at is None:
                self.record.first_bytes_at = now
            if self.tls is None:
                self.plain(data, now)
            elif self.failed or self.behaviour.stall == "handshake":
                pass  # silent: the ClientHello is never answered (or the handshake is over)
            else:
                self.incoming.write(data)
                self.progress(now)
            if len(self.record.received) + len(self.record.plain_received) >= MAX_BYTES:
                self.reading = False

    def client_gone(self, now, reset):
        self.reading = False
        if self.record.closed_at is None:
            self.record.closed_at = now
            self.record.reset = reset
            self.server._say(self, "the client reset TCP" if reset else "the client closed TCP")
        self.finished = self.finished or reset or self.shut or self.failed or self.tls is None

    def plain(self, data, now):
        """The not-TLS server: anything that arrives gets the plain-text 400 once, then a close."""
        self.record.plain_received += data
        if not self.shut:
            self.pending += NOT_TLS_ANSWER
            self.record.answered_at = now
            self.shut_tcp(now)

    def progress(self, now):
        """Run the TLS state machine on what has come in."""
        record = self.record
        try:
            if not record.handshaken:
                self.tls.do_handshake()
                record.version = self.tls.version()
                self.server._say(self, f"handshake done: {record.version}, SNI {record.sni!r}")
            while True:
                data = self.tls.read(RECV_SIZE)
                if not data:
                    break
                record.received += data
                if request_complete(record.received) and record.request_at is None:
                    record.request_at = now
                    self.server._say(self, f"received a request of {len(record.received):,} bytes")
                if record.request_at is not None and not self.answering and self.behaviour.stall is None:
                    self.answering = True
                    self.planned.extend(self.behaviour.records())
                    self.next_send_at = now
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLZeroReturnError:
            if not record.close_notify_received:
                self.server._say(self, "the client sent close_notify")
            record.close_notify_received = True
        except ssl.SSLError as exc:
            if not record.handshaken and record.handshake_error is None:
                record.handshake_error = exc.reason or exc.strerror or str(exc)
                self.server._say(self, f"handshake failed: {record.handshake_error}")
            self.failed = not record.handshaken
        self.flush_tls()

    # -- the sending schedule

    def waiting_for_timer(self):
        return bool(self.planned) and not self.pending and not self.finished

    def advance(self, now):
        """Write the next record when its time has come; end the session after the last."""
        if self.record.client_closed and self.planned:
            self.planned.clear()  # nobody to read the rest; TLS refuses to write after the peer's end
            self.shut = True
        while self.planned and not self.pending and now >= self.next_send_at and not self.finished:
            try:
                self.tls.write(self.planned.popleft())
            except ssl.SSLError:  # the client's close_notify or an alert came in between
                self.planned.clear()
                self.shut = True
                break
            self.flush_tls()
            self.send_pending(now)
            small = self.planned and len(self.planned[0]) == 1
            self.next_send_at = now + (self.behaviour.pause if small else 0.0)
        self.send_pending(now)
        if self.answering and not self.planned and not self.shut and not self.pending:
            self.record.answered_at = now
            if self.behaviour.ending == "close_notify":
                try:
                    self.tls.unwrap()
                except (ssl.SSLWantReadError, ssl.SSLError):
                    pass  # close_notify is in the outgoing buffer; the client's own is not awaited
                self.flush_tls()
                self.shut = True
                self.record.server_closed_at = now
                self.server._say(self, "sent close_notify")
            else:
                self.shut_tcp(now)
            self.send_pending(now)
        if (self.shut or self.failed) and self.record.client_closed and not self.pending:
            self.finished = True

    def shut_tcp(self, now):
        """End the server's side of TCP once what is pending has gone (no close_notify)."""
        self.shut = True
        self.record.server_closed_at = now
        self.shut_when_sent = True

    shut_when_sent = False

    def flush_tls(self):
        if self.tls is not None:
            self.pending += self.outgoing.read()

    def send_pending(self, now):
        while self.pending:
            try:
                count = self.sock.send(self.pending)
            except BlockingIOError:
                return
            except OSError:
                self.pending.clear()
                self.client_gone(now, reset=True)
                return
            del self.pending[:count]
        if self.shut_when_sent:
            self.shut_when_sent = False
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self.server._say(self, "closed TCP (its sending side) without close_notify")

    def events(self):
        return (selectors.EVENT_READ if self.reading else 0) | (selectors.EVENT_WRITE if self.pending else 0)

    def register(self, selector):
        events = self.events()
        if events == self.registered:
            return
        if self.registered and events:
            selector.modify(self.sock, events, self)
        elif events:
            selector.register(self.sock, events, self)
        else:
            selector.unregister(self.sock)
        self.registered = events
