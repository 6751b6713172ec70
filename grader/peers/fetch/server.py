"""The counting server of async_fetcher: real HTTP/1.1 on 127.0.0.1, in threads of the grader.

The learner's ``fetch_all`` runs in a child process and fetches URLs of this server over
loopback. The server logs every request with the moment it started and ended
(grader/peers/fetch/timeline.py says exactly which moments), so the checks read from the
server's side how many requests were in flight at each moment, how soon a freed slot was
filled, how many TCP connections carried them and when each was closed. What a path answers is
decided in ``answers.py``; this module only moves bytes and keeps the log.

Built on the standard library's http.server, not on aiohttp: the grader's peer must not share
the bugs or the habits of the library the learner uses. Design choices, each for a check:

* HTTP/1.1 with keep-alive and a Content-Length on every answer, so one ClientSession is seen
  reusing its connections, and a session per request is seen opening one each time.
* A listen backlog of 512: a hundred connections opened at once must not wait for SYN retries.
* A stall or a delay waits in ``select`` on the connection itself, so the moment the client gives
  up (closes or resets) is the moment logged, and closing the server ends the wait at once.
* ``close()`` stops accepting, shuts down every connection, wakes every paced request and joins
  every thread with a bound, and says so if one is left: nothing outlives the ``with`` block.
"""

import select
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from grader.peers.fetch.answers import HOLD, WINDOW, Answer, Pacer, answer_for, pieces_of
from grader.peers.fetch.timeline import GIVEN_UP, Request
from grader.peers.net import chosen_port

IDLE_TIMEOUT = 30.0  # seconds a kept-alive connection may sit idle, and the longest stall
JOIN_TIMEOUT = 2.0  # seconds close() waits for each thread


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be counted
    disable_nagle_algorithm = True  # an answer leaves at once, no 40 ms delayed-ACK stall

    def setup(self):
        self.timeout = IDLE_TIMEOUT
        super().setup()
        self.counting = self.server.counting
        self.connection_id = self.counting._opened(self.connection)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass  # reset by us or by the client
        self.counting._closed(self.connection_id)

    def do_GET(self):
        server = self.counting
        number = server._arrived(self.path, self.connection_id)
        try:
            answer = answer_for(self.path)
        except ValueError as problem:
            answer = Answer("status", 404, f"{problem}\n".encode())
        if answer.kind == "reset":
            server._ended(number, "reset")
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()  # with SO_LINGER 0: a TCP RST, not a FIN
            return
        if answer.kind == "stall" or answer.delay:
            if self._gone_within(None if answer.kind == "stall" else answer.delay):
                server._ended(number, GIVEN_UP if not server.closing else "stalled until the grader closed")
                self.close_connection = True
                return
        if answer.kind == "paced" and not server._wait_turn(number):
            self.close_connection = True
            return
        head = (f"HTTP/1.1 {answer.status} {'OK' if answer.status == 200 else 'Error'}\r\n"
                f"Content-Type: application/octet-stream\r\nContent-Length: {len(answer.body)}\r\n\r\n").encode()
        pieces = pieces_of(answer.body, answer.pieces)
        try:
            if len(pieces) > 1:
                self.wfile.write(head)
                head = b""
                for piece in pieces[:-1]:
                    self.wfile.write(piece)
                    if self._gone_within(answer.every):
                        server._ended(number, GIVEN_UP)
                        self.close_connection = True
                        return
            server._ended(number, str(answer.status))  # before the last byte: see timeline.py
            self.wfile.write(head + pieces[-1])
        except OSError:
            server._ended(number, GIVEN_UP)
            self.close_connection = True

    def _gone_within(self, seconds):
        """Wait ``seconds`` (None: until the client goes); True if the client closed or reset first."""
        deadline = time.monotonic() + (IDLE_TIMEOUT if seconds is None else seconds)
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], left)
            if not readable:
                break
            try:
                if self.connection.recv(1, socket.MSG_PEEK) == b"":
                    return True
            except OSError:
                return True
            if self.counting._closing.wait(left):  # a pipelined request waits its turn
                return True
        return seconds is None

    def log_message(self, format, *args):
        """Quiet: the grader reports from the request log, not from stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # close() joins the threads itself, with a bound
    request_queue_size = 512

    def __init__(self, counting, port):
        self.counting = counting
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request, client_address):
        """Like ThreadingMixIn's, but keeps the thread so close() can end it."""
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                  daemon=True, name=f"counting-server-connection-{client_address[1]}")
        self.counting._track(thread)
        thread.start()

    def handle_error(self, request, client_address):
        """A client that resets its connection is normal here; anything else is a grader bug."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class CountingServer:
    """The server of one trial; use it as a context manager.

    ``limit`` and ``total`` set the pacer of ``/paced/`` paths (answers.Pacer): answer while
    ``limit`` are in flight, knowing that ``total`` will come (``rearm``: a pacer that ran out of
    patience holds again once nothing is in flight, for bursts by hand). ``on_event(text)`` is called with a
    line for each request that starts or ends (run by hand)."""

    def __init__(self, *, limit=1, total=None, port=0, on_event=None, rearm=False, window=WINDOW, hold=HOLD):
        self.port = port
        self.on_event = on_event
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._pacer = Pacer(limit, total, hold=hold, rearm=rearm, window=window)
        self._log = {}  # number -> Request
        self._paced = set()
        self._connections = {}  # id -> [socket, opened, closed or None]
        self._threads = []
        self._server = None

    def __enter__(self):
        self._server = _Server(self, self.port)
        host, port = self._server.server_address[:2]
        chosen_port(port)
        self.origin = f"http://{host}:{port}"
        self._accepting = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                           name="counting-server", daemon=True)
        self._accepting.start()
        return self

    def __exit__(self, *exc_info):
        self.close()

    def url(self, path):
        return self.origin + path

    @property
    def closing(self):
        return self._closing.is_set()

    @property
    def requests(self):
        """Every request so far, in order of arrival."""
        with self._cond:
            return [self._log[n] for n in sorted(self._log)]

    @property
    def connections(self):
        """TCP connections accepted so far."""
        with self._cond:
            return len(self._connections)

    def connection_closes(self):
        """For each connection: when its client closed it (None: still open)."""
        with self._cond:
            return [closed for _, _, closed in self._connections.values()]

    def wait_until_closed(self, timeout):
        """Wait (up to ``timeout`` s) until every connection is closed and nothing is in flight."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while any(c[2] is None for c in self._connections.values()) or any(
                    r.end is None for r in self._log.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self):
        """Stop serving; end stalls, paced waits, kept-alive connections and threads, each bounded."""
        self._closing.set()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._accepting.join(JOIN_TIMEOUT)
        with self._cond:
            sockets, threads = [c[0] for c in self._connections.values()], list(self._threads)
            self._cond.notify_all()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a handler reading, stalled or in select
            except OSError:
                pass  # already closed
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        left = [t.name for t in [self._accepting, *threads] if t.is_alive()]
        if left:
            raise RuntimeError(f"counting server threads still running after close: {left}")

    # --- called from the server's threads ---

    def _track(self, thread):
        with self._cond:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]

    def _opened(self, sock):
        with self._cond:
            number = len(self._connections) + 1
            self._connections[number] = [sock, time.monotonic(), None]
            return number

    def _closed(self, number):
        with self._cond:
            self._connections[number][2] = time.monotonic()
            self._cond.notify_all()

    def _arrived(self, target, connection):
        now = time.monotonic()
        with self._cond:
            number = len(self._log) + 1
            self._log[number] = Request(number, target, connection, now, None, "")
            if target.startswith("/paced/"):
                self._paced.add(number)
                self._pacer.arrived(number, now)
            in_flight = self._in_flight()
        self._tell(f"#{number:<3} connection {connection:<3} GET {target}  ({in_flight} in flight)")
        return number

    def _ended(self, number, ending):
        now = time.monotonic()
        with self._cond:
            request = self._log[number]
            self._log[number] = Request(request.number, request.target, request.connection, request.start,
                                        now, ending)
            if number in self._paced:
                self._pacer.ended(number, now)
            in_flight = self._in_flight()
            self._cond.notify_all()
        self._tell(f"#{number:<3} {'':14} -> {ending} after {now - request.start:.3f} s  ({in_flight} in flight)")

    def _wait_turn(self, number):
        """Wait until the pacer picks this paced request (True), or the server closes (False)."""
        with self._cond:
            while not self._closing.is_set():
                if self._pacer.answering == number:
                    return True
                chosen, wait = self._pacer.choose(time.monotonic())
                if chosen is not None:
                    self._cond.notify_all()
                    continue
                self._cond.wait(wait if wait is not None else JOIN_TIMEOUT)
        return False

    def _in_flight(self):
        return sum(1 for r in self._log.values() if r.end is None)

    def _tell(self, line):
        if self.on_event is not None:
            self.on_event(line)


class ClosedPort:
    """A loopback port that refuses connections: bound, so nothing else takes it, never listening."""

    def __enter__(self):
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        return self

    def __exit__(self, *exc_info):
        self._socket.close()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"
