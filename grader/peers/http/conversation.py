"""One connection to a learner's HTTP server, as the http_hello_server checks drive it.

`grader.peers.http.wire` judges bytes; `grader.peers.net.Client` moves them. A `Conversation` joins the
two: it sends requests, feeds every received byte to a strict `ResponseReader`, and turns what
the reader finds wrong into a `Failure` a learner can read: the problem, an excerpt with a
caret under the offending byte, the bytes sent and received, and a command to see it by hand.

No fixed waits: a response is awaited until it is complete (or a deadline passes, which only
a broken server reaches), and bytes sent after a response are found when the next response is
read, or when the server closes the connection.
"""

from __future__ import annotations

import time

from grader.failures import Failure
from grader.peers.http.wire import Request, Response, ResponseError, ResponseReader, curl_command, excerpt
from grader.peers.net import LOOPBACK, Client
from grader.peers.reproduce import HAND_PORT, python_probe, server_by_hand

REPLY_TIMEOUT = 2.0  # seconds for a response on loopback (it takes about a millisecond)
# After a response that ends the connection, how long to wait for the close before judging
# what came: a server that said "Connection: close" and did not close pays this, once.
CLOSE_GRACE = 0.3
HOST = (("Host", LOOPBACK),)  # the Host header of the grader's requests; the port is left out on
# purpose, so that the bytes shown (and the commands to reproduce them) are the same on every run


def run_by_hand():
    """The start of a "Try it" line: the learner's file, run on the hand port."""
    return server_by_hand("http_hello_server")


def get(target="/", *, method="GET", headers=(), body=b"", version="HTTP/1.1", host=True):
    """A well-formed request with Host (unless `host` is false) and, with a body, Content-Length."""
    fields = (HOST if host else ()) + tuple(headers)
    if body:
        fields += (("Content-Length", str(len(body))),)
    return Request(method, target, fields, body, version)


def describe(request):
    """A request as a learner would name it: "GET /", "the bytes b'...'"."""
    if isinstance(request, Request):
        version = "" if request.version == "HTTP/1.1" else f" {request.version}"
        return f"{request.method} {request.target}{version}"
    return f"the bytes {request!r}"


class Conversation:
    """One TCP connection: requests sent, responses read strictly, and everything kept for the message."""

    def __init__(self, address, *, timeout=REPLY_TIMEOUT):
        self.client = Client(address, timeout=timeout)
        self.timeout = timeout
        self.reader = ResponseReader()
        self.requests: list[Request | bytes] = []
        self.closed = False  # the server closed (or reset) the connection
        self.followed_up = False  # a GET / was sent to find where the last response ended

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.client.close()

    # -- sending -------------------------------------------------------------------------------

    def send(self, request, *, method="GET", closes=True):
        """Send a Request, or the raw bytes of a malformed one (`method` and `closes` then say
        how to read its response). A server that already closed is not an error here: reading
        the response will say so, with what it sent before closing."""
        if isinstance(request, Request):
            data, method, closes = request.to_bytes(), request.method, request.closes_connection
        else:
            data = request
        self.requests.append(request)
        self.reader.expect(method, close=closes)
        self.client.send(data, tolerate_close=True)  # refused: what came before the close is still read

    def send_together(self, requests):
        """Send several requests in one piece (one send, so one TCP segment on loopback): pipelined."""
        for request in requests:
            self.requests.append(request)
            self.reader.expect(request.method, close=request.closes_connection)
        self.client.send(b"".join(request.to_bytes() for request in requests), tolerate_close=True)

    def send_parts(self, request, parts, pause):
        """Send a request as the given parts of its bytes, `pause` seconds apart."""
        self.requests.append(request)
        self.reader.expect(request.method, close=request.closes_connection)
        for number, part in enumerate(parts):
            if number:
                time.sleep(pause)  # the probe itself: a request that arrives in parts
            if not self.client.send(part, tolerate_close=True):
                return

    def send_in_pieces(self, request, size, pause):
        """Send a request `size` bytes at a time, `pause` seconds apart (each piece its own segment)."""
        data = request.to_bytes()
        self.requests.append(request)
        self.reader.expect(request.method, close=request.closes_connection)
        for start in range(0, len(data), size):
            if start:
                time.sleep(pause)  # the probe itself: a request that arrives slowly, not a wait for anything
            if not self.client.send(data[start : start + size], tolerate_close=True):
                return

    # -- receiving -----------------------------------------------------------------------------

    def _receive(self, timeout):
        """Feed the next bytes to the reader; False if none came in `timeout` seconds.

        End of file and a reset both count as the server closing: a server that closes with
        unread bytes in its buffer resets the connection, and what it sent before is kept.
        """
        if self.closed:
            return False
        data = self.client.recv_some(timeout, tolerate_reset=True)
        if data is None:
            return False
        if not data:
            self.closed = True
            self.reader.feed_eof()
            return True
        self.reader.feed(data)
        return True

    def read_response(self, timeout=None) -> Response:
        """The next complete response; ResponseError if it is not valid, or does not come in time."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            response = self.reader.next_response()
            if response is not None:
                return response
            if self.closed or not self._receive(deadline - time.monotonic()):
                # (once told of the close, the reader raises itself: this is a last guard)
                raise self.reader.stalled()

    def wait_for_answer(self, timeout) -> bool:
        """Whether any byte (or the close) came within `timeout`; the bytes are fed to the reader."""
        deadline = time.monotonic() + timeout
        while not self.reader.data and not self.closed:
            if not self._receive(deadline - time.monotonic()):
                return False
        return True

    def wait_for_close(self, timeout) -> bool:
        """Read (feeding the reader) until the server closes; whether it did within `timeout`."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            if not self._receive(deadline - time.monotonic()):
                return False
        return True

    def stays_open(self, timeout):
        """After a response that must end the connection: None if the server closes it, else how it did not.

        Rather than only waiting for a close that may never come, the grader sends one more
        GET / at once: a server that kept the connection open answers it (found without a
        wait), a server that closed resets it or has already sent its end of file.
        """
        self.client.send(get().to_bytes(), tolerate_close=True)
        end = len(self.reader.data)
        deadline = time.monotonic() + timeout
        while not self.closed:
            if len(self.reader.data) > end:
                return "a second GET / sent on it was answered"
            if not self._receive(deadline - time.monotonic()):
                return f"it was still open {timeout:g} s later"
        return None

    @property
    def after_last_response(self) -> int:
        """How many bytes came after the end of the last complete response."""
        if not self.reader.responses:
            return len(self.reader.data)
        last = self.reader.responses[-1]
        return len(self.reader.data) - (last.offset + len(last.raw))

    def expect_nothing_more(self):
        """Raise ResponseError if bytes came after the last response; return the follow-up's response.

        Found without waiting on a quiet connection: when the connection stays open, a
        follow-up GET / is sent and its response read, and any stray bytes come before it
        (a server that closes instead, or does not answer, sent nothing more either). The
        follow-up's Response is returned (None when there was none), for a check to judge:
        a server that took part of a request for a request of its own answers it twice, and
        the second answer is read as the follow-up's. When the last response ended the
        connection, what came before the close is judged.
        """
        if not self.reader.reusable or self.closed:
            self.wait_for_close(CLOSE_GRACE)
            self.reader.finish()
            return None
        self.send(get())
        self.followed_up = True
        try:
            return self.read_response()
        except ResponseError:
            if self.after_last_response == 0:
                return None  # closed, or silent: either way nothing came after the response
            raise

    # -- telling the learner -------------------------------------------------------------------

    def reproduce(self, *, exact_bytes=False):
        """A command that sends the same requests: curl -v where curl can, else a Python one-liner.

        `exact_bytes` prefers the one-liner, which prints the response with its \\r\\n visible.
        """
        if not exact_bytes and all(isinstance(r, Request) for r in self.requests):
            command = curl_command(self.requests, LOOPBACK, HAND_PORT)
            if command:
                return run_by_hand() + command
        raw = b"".join(r.to_bytes() if isinstance(r, Request) else r for r in self.requests)
        probe = python_probe(raw)
        return run_by_hand() + probe if probe else None

    def failure(self, summary, *, expected=None, hint=None, note=None, exact_bytes=False, reproduce=None,
                excerpt=None):
        """A Failure showing the whole conversation; `reproduce` replaces the command made from the requests."""
        return Failure(summary, sent=bytes(self.client.sent), received=bytes(self.client.received),
                       expected=expected, hint=hint, note=note, excerpt=excerpt,
                       reproduce=reproduce or self.reproduce(exact_bytes=exact_bytes))

    def response_failure(self, error: ResponseError, doing, *, expected=None, hint=None, exact_bytes=False):
        """A Failure for what the reader found: "<doing>: <problem>.", then the excerpt with its caret."""
        summary = f"{doing}: {error.problem}."
        note = ("(After that response the grader sent GET / on the same connection: whatever came before "
                "the response to it was still part of, or left over from, the one before.)"
                if self.followed_up else None)
        return self.failure(summary, expected=expected, hint=hint, note=note, exact_bytes=exact_bytes,
                            excerpt=excerpt(error.data, error.offset) if error.data else None)
