"""Checks for exercise 2, http_hello_server (exercises/http_hello_server/README.md: ``serve(host, port)``).

Every check gets a fresh server. The first checks ask with ``requests``, as a learner would
try their server; the rest send exact bytes over a socket and read every response with a strict
HTTP/1.1 reader (``grader/peers/http/wire.py``: h11 plus the byte-level rules h11 is lenient about),
through ``grader/peers/http/conversation.py``. A parse error shows a caret under the offending byte.

The byte-level rules (CRLF, a status line with its reason, Content-Length that counts the
body, nothing after the body) are one check, "sends valid HTTP/1.1, byte for byte". The raw
checks need it: a server with bare LF line endings gets that one failure, not thirteen. Each
check asserts only what it is about, so one bug is one failure. Every check has a broken
server in tests/implementations/http_hello_server/ that it catches.
"""

import time
from contextlib import ExitStack
from dataclasses import dataclass

import requests

from grader.authoring import check
from grader.failures import Failure, Mismatch, Prose, show
from grader.peers.http.conversation import REPLY_TIMEOUT, Conversation, describe, get, run_by_hand
from grader.peers.http.wire import ResponseError, curl_command
from grader.peers.net import LOOPBACK
from grader.peers.reproduce import HAND_PORT
from grader.peers.reproduce import bytes_literal

BODY = b"Hello, World!"
CONTENT_TYPE = "text/plain; charset=utf-8"
CLOSE_TIMEOUT = 1.5  # seconds for the server to close a connection it must close (it takes microseconds)
DEATH_TIMEOUT = 1.0  # seconds to see the server's process end, once a probe suggests it did


# --- requests, for the ordinary cases ----------------------------------------------------------

@dataclass(frozen=True)
class Fetched:
    """What requests got: a copy, so that no response object keeps its connection open."""

    status: int
    reason: str
    headers: dict  # names as sent; lookups below ignore case
    content: bytes | None  # None when only the head was read

    def header(self, name):
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)

    def shown(self):
        """Status line, headers and body, as a learner reads them."""
        lines = [f"{self.status} {self.reason}"] + [f"{name}: {value}" for name, value in self.headers.items()]
        if self.content is not None:
            lines.append(f"body {show(self.content)}")
        return Prose("\n          ".join(lines))


def fetch(server, target="/", *, head_only=False):
    """``requests.get`` of `target` in a session of its own, closed before returning.

    Returns (the call as text, a curl -v command, Fetched); a Failure that says what requests
    could not do. With `head_only` the body is not read, so a body that never ends does not
    stop a check that looks only at headers.
    """
    url = f"http://{LOOPBACK}:{server.port}{target}"
    call = f"requests.get({url!r}, timeout={REPLY_TIMEOUT:g})"
    reproduce = run_by_hand() + curl_command([get(target)], LOOPBACK, HAND_PORT)
    try:
        with session() as s, s.get(url, timeout=REPLY_TIMEOUT, stream=True) as response:
            got = Fetched(response.status_code, response.reason, dict(response.raw.headers.items()), None)
            if head_only:
                return call, reproduce, got
            try:
                content = response.content
            except requests.exceptions.RequestException as exc:
                raise Failure(f"{call} got the status line and headers, then {_body_problem(exc, got)}",
                              received=got.shown(), expected=Prose(f"the body {BODY!r}, with Content-Length: 13"),
                              reproduce=reproduce) from None
            return call, reproduce, Fetched(got.status, got.reason, got.headers, content)
    except requests.exceptions.RequestException as exc:
        what = (f"no response within {REPLY_TIMEOUT:g} s" if isinstance(exc, requests.exceptions.Timeout)
                else _reason(exc))
        raise Failure(f"{call} failed: {what}.",
                      expected=Prose("a response: a status line, headers, an empty line, the body"),
                      reproduce=reproduce) from None


def _body_problem(exc, got):
    """Why requests could not read a body, in the learner's terms."""
    if "timed out" not in str(exc).lower():
        return f"failed reading the body: {_reason(exc)}."
    length = got.header("Content-Length")
    if length is None:
        return (f"waited {REPLY_TIMEOUT:g} s for the body to end. Without Content-Length, a body ends only when "
                "the server closes the connection, and yours kept it open.")
    return (f"waited {REPLY_TIMEOUT:g} s for the rest of the body: Content-Length: {length} announced more bytes "
            "than came.")


def session():
    """A requests session that goes straight to the server (no proxy from the environment)."""
    s = requests.Session()
    s.trust_env = False
    return s


def _reason(exc):
    """The innermost reason in a requests/urllib3 error, without the wrapping classes."""
    while exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
    reason = getattr(exc, "reason", None)
    text = str(reason if isinstance(reason, BaseException) else exc)
    return (text.split(": ", 1)[-1] if "object at 0x" in text else text).rstrip(".")


# --- raw probes ----------------------------------------------------------------------------------

def first_response(conversation, request, doing, *, exact_bytes=False):
    """Send `request` and read its response; a Failure (with the caret) if it is not one."""
    conversation.send(request)
    try:
        return conversation.read_response()
    except ResponseError as error:
        raise conversation.response_failure(error, doing, exact_bytes=exact_bytes) from None


def ordinal(number):
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(number, f"{number}th")


def status_line(response):
    return f"HTTP/{response.http_version} {response.status} {response.reason}".rstrip()


def died_within(server, timeout):
    """Whether the server's process ends within `timeout` seconds (polled; it usually has already)."""
    deadline = time.monotonic() + timeout
    while server.alive():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# --- the checks ------------------------------------------------------------------------------------

@check("starts and listens on the port it is given", points=0.5,
       hint="serve(host, port) must bind exactly that address, listen(), and accept() in a loop.")
def check_starts(server):
    """Starting the server is the dependency of every other check (the fixture does the work)."""


@check("answers GET / with 200 and Hello, World!", points=1,
       hint="Send exactly the 13 bytes Hello, World! after the empty line, with Content-Length: 13, and no HTML.")
def check_get(server):
    call, reproduce, response = fetch(server)
    if response.status != 200:
        raise Failure(f"{call} got status {response.status}, not 200.", received=response.shown(),
                      expected=Prose("200 OK"), reproduce=reproduce)
    if response.content != BODY:
        raise Mismatch(f"{call} got status 200, but the body is not Hello, World!.", expected=BODY,
                       received=response.content, reproduce=reproduce)


@check("labels the body Content-Type: text/plain; charset=utf-8", points=0.5,
       hint="Add the header line Content-Type: text/plain; charset=utf-8\\r\\n: the body is plain text, not HTML.")
def check_content_type(server):
    call, reproduce, response = fetch(server, head_only=True)
    value = response.header("Content-Type")
    if value is None:
        raise Failure(f"{call}: the response has no Content-Type header.", received=response.shown(),
                      expected=Prose(f"a header line Content-Type: {CONTENT_TYPE}"), reproduce=reproduce)
    if ";".join(part.strip() for part in value.lower().split(";")) != CONTENT_TYPE.replace(" ", ""):
        raise Mismatch(f"{call}: the response says Content-Type: {value}.", expected=CONTENT_TYPE,
                       received=value, reproduce=reproduce)


@check("sends valid HTTP/1.1, byte for byte", points=1,
       hint="Every line ends in \\r\\n; the status line is HTTP/1.1 200 OK; Content-Length is len(body) in bytes; "
            "send nothing after the body.")
def check_valid_http(server):
    with Conversation(server.address) as conversation:
        first_response(conversation, get(), "Reading the response to GET /", exact_bytes=True)
        try:
            conversation.expect_nothing_more()
        except ResponseError as error:
            raise conversation.response_failure(error, "After the response to GET /", exact_bytes=True) from None


@check("answers GET of any path, not just /", points=0.5, needs=check_get,
       hint="Every target gets the same answer: do not look at the path.")
def check_any_path(server):
    for target in ("/index.html", "/some/deep/path?name=x", "/favicon.ico"):
        call, reproduce, response = fetch(server, target)
        if response.status != 200 or response.content != BODY:
            raise Failure(f"{call} did not get what GET / gets.", received=response.shown(),
                          expected=Prose(f"200 OK, body {BODY!r}"), reproduce=reproduce)


@check("answers HEAD with GET's headers and no body", points=0.5, needs=check_valid_http,
       hint="Build exactly the GET response and leave off the body; Content-Length stays 13, the size GET would send.")
def check_head(server):
    with Conversation(server.address) as conversation:
        got = first_response(conversation, get(), "Reading the response to GET /")
    with Conversation(server.address) as conversation:
        head = first_response(conversation, get(method="HEAD"), "Reading the response to HEAD /")

        def fields(response):
            return sorted((name.lower(), value) for name, value in response.headers if name.lower() != "date")

        if head.status != got.status or fields(head) != fields(got):
            only_head = [f"{n}: {v}" for n, v in head.headers if (n.lower(), v) not in fields(got)
                         and n.lower() != "date"]
            only_get = [f"{n}: {v}" for n, v in got.headers if (n.lower(), v) not in fields(head)
                        and n.lower() != "date"]
            raise conversation.failure(
                "The response to HEAD / is not the response to GET / without its body: "
                f"{'the status differs' if head.status != got.status else 'the headers differ'}.",
                expected=Prose(f"{status_line(got)}, with the headers of GET (a Date may differ): "
                               + "; ".join(f"{n}: {v}" for n, v in got.headers)),
                note=f"Only in the response to HEAD: {'; '.join(only_head) or 'nothing'}. "
                     f"Only in the response to GET: {'; '.join(only_get) or 'nothing'}.")
        try:
            conversation.expect_nothing_more()
        except ResponseError as error:
            raise conversation.response_failure(error, "After the response to HEAD /") from None


NOT_ALLOWED = ("POST", "PUT", "PATCH", "DELETE", "OPTIONS")
UNKNOWN_METHOD = "BREW"  # RFC 2324's, which no HTTP server implements
FORM = b"name=value&answer=42"


@check("refuses POST, PUT, PATCH, DELETE and OPTIONS with 405 and Allow: GET, HEAD", points=1,
       needs=check_valid_http,
       hint="Any method other than GET and HEAD: 405 Method Not Allowed with Allow: GET, HEAD, and a "
            "Content-Length that counts bytes.")
def check_not_allowed(server):
    for method in NOT_ALLOWED:
        body = FORM if method in ("POST", "PUT", "PATCH") else b""
        request = get(method=method, body=body)
        with Conversation(server.address) as conversation:
            response = first_response(conversation, request, f"Reading the response to {method} /")
            allow = response.header("Allow")
            methods = {m.strip().upper() for m in (allow or "").split(",") if m.strip()}
            if response.status != 405 or methods != {"GET", "HEAD"}:
                what = (f"got {status_line(response)}" if response.status != 405
                        else "got 405 without an Allow header" if allow is None else f"got 405 with Allow: {allow}")
                raise conversation.failure(f"{method} / {what}.",
                                           expected=Prose("HTTP/1.1 405 Method Not Allowed, with Allow: GET, HEAD"))
            try:
                conversation.expect_nothing_more()
            except ResponseError as error:
                raise conversation.response_failure(error, f"After the response to {method} /") from None
    # A method the server cannot know (C7): 405 with Allow, or 501 Not Implemented; never the greeting.
    with Conversation(server.address) as conversation:
        response = first_response(conversation, get(method=UNKNOWN_METHOD), f"Reading the response to {UNKNOWN_METHOD} /")
        allow = response.header("Allow")
        methods = {m.strip().upper() for m in (allow or "").split(",") if m.strip()}
        if not (response.status == 501 or response.status == 405 and methods == {"GET", "HEAD"}):
            what = (f"got {status_line(response)}" if response.status != 405
                    else "got 405 without an Allow header" if allow is None else f"got 405 with Allow: {allow}")
            raise conversation.failure(
                f"{UNKNOWN_METHOD} / (a method your server cannot know) {what}.",
                expected=Prose("HTTP/1.1 405 Method Not Allowed with Allow: GET, HEAD, or 501 Not Implemented"),
                hint="Answer GET and HEAD, and refuse every other method: a method you do not know is no GET.")


@check("keeps the connection open for the next request (keep-alive)", points=1,
       needs=check_valid_http,
       hint="HTTP/1.1 connections stay open: loop back and read the next request until the client closes "
            "or asks to close.")
def check_keep_alive(server):
    with Conversation(server.address) as conversation:
        for number in range(1, 4):
            if number > 1 and not conversation.reader.reusable:
                last = conversation.reader.responses[-1]
                said = (f"said Connection: {last.header('Connection')}" if last.header("Connection")
                        else f"has the status line {status_line(last)}, and HTTP/1.0 closes by default")
                raise conversation.failure(
                    f"The {ordinal(number - 1)} response on the connection {said}, so no further request may "
                    "be sent on it.",
                    expected=Prose("no Connection: close (the request did not ask for it): the connection stays open"))
            conversation.send(get())
            try:
                conversation.read_response()
            except ResponseError as error:
                if number > 1 and conversation.closed and conversation.after_last_response == 0:
                    raise conversation.failure(
                        f"After the {ordinal(number - 1)} response the server closed the connection, so the "
                        f"{ordinal(number)} GET / on it got no answer.",
                        expected=Prose(f"{number} responses on one connection")) from None
                raise conversation.response_failure(
                    error, f"Reading the response to the {ordinal(number)} GET / on one connection") from None


BIG_BODY = b"x" * (256 * 1024)  # more than one recv() returns, and sent in two parts, BODY_PAUSE apart
BODY_PAUSE = 0.05


@check("reads a request's body, so the next request on the connection works", points=0.5,
       needs=check_keep_alive,
       hint="After the head, recv() and drop exactly Content-Length bytes of body (some may already be in "
            "your buffer, the rest still to come) before reading the next request, and keep whatever follows "
            "the body in your buffer: it is the start of the next request.")
def check_body_consumed(server):
    """Three probes: a small body, then a GET once it was answered; the same two requests in one
    piece (the GET arrives with the body, and must not be thrown away with it); a body of 256 KiB
    that arrives in two parts, more than one recv() returns."""
    with Conversation(server.address) as conversation:
        first_response(conversation, get(method="POST", body=FORM), "Reading the response to POST /")
        try:
            response = first_response(conversation, get(), "A POST / with a 20-byte body was answered; then "
                                      "reading the response to GET / on the same connection")
        except Failure as failure:
            failure.hint = ("If you did not read the body, its bytes name=value&answer=42 are still waiting and "
                            "become the start of the next request line.")
            raise
        if response.status != 200:
            raise conversation.failure(
                f"A POST / with a 20-byte body was answered; then GET / on the same connection got "
                f"{status_line(response)}.",
                expected=Prose("200 OK, as for any GET /"),
                note="Most likely the server took the body of the POST, name=value&answer=42, for the start of "
                     "the next request: its request line then reads name=value&answer=42GET / HTTP/1.1.")
    with Conversation(server.address) as conversation:
        what = "A POST / with a 20-byte body and a GET / sent together, in one piece"
        conversation.send_together([get(method="POST", body=FORM), get()])
        _read(conversation, f"{what}: reading the response to the POST")
        try:
            response = conversation.read_response()
        except ResponseError as error:
            if not conversation.after_last_response:
                raise conversation.failure(
                    f"{what}: the POST was answered, the GET / after its body was not (no response within "
                    f"{REPLY_TIMEOUT:g} s).", expected=Prose("two responses: 405 to the POST, then 200 to the GET"),
                    note="The GET / arrived in the same recv() as the body: a server that clears its buffer after "
                         "a request throws the next request away with it.") from None
            raise conversation.response_failure(error, f"{what}: reading the response to the GET") from None
        if response.status != 200:
            raise conversation.failure(f"{what}: the GET / got {status_line(response)}.",
                                       expected=Prose("200 OK, as for any GET /"))
    big = get(method="POST", body=BIG_BODY)
    data = big.to_bytes()
    half = len(data) - len(BIG_BODY) // 2
    what = f"A POST / with a {len(BIG_BODY):,}-byte body sent in two parts, {BODY_PAUSE * 1000:g} ms apart"
    with Conversation(server.address) as conversation:
        conversation.send_parts(big, [data[:half], data[half:]], BODY_PAUSE)
        _read(conversation, f"{what}: reading the response to the POST")
        try:
            response = first_response(conversation, get(), f"{what} was answered; then reading the response to "
                                      "GET / on the same connection")
        except Failure as failure:
            failure.hint = ("Read the whole body: Content-Length bytes, however many recv() calls that takes (one "
                            "recv() returns what has arrived, at most what you ask for). The rest of a body left "
                            "unread becomes the start of the next request.")
            raise
        if response.status != 200:
            raise conversation.failure(f"{what} was answered; then GET / on the same connection got "
                                       f"{status_line(response)}.", expected=Prose("200 OK, as for any GET /"),
                                       note="Most likely the server read only part of the body, and took the rest "
                                            "of it (x's) for the start of the next request.")


def _read(conversation, doing):
    try:
        return conversation.read_response()
    except ResponseError as error:
        raise conversation.response_failure(error, doing) from None


def expect_close(conversation, what, expected):
    """The response to `what` has been read; now the server must close the connection."""
    how = conversation.stays_open(CLOSE_TIMEOUT)
    if how:
        last = conversation.reader.responses[-1]
        raise conversation.failure(f"{what} got {status_line(last)}, but the connection stayed open: {how}.",
                                   expected=Prose(expected))


@check("closes the connection after a request with Connection: close", points=0.5,
       needs=check_valid_http,
       hint="When the request says Connection: close, send the response and then close the socket.")
def check_connection_close(server):
    with Conversation(server.address) as conversation:
        first_response(conversation, get(headers=(("Connection", "close"),)),
                       "Reading the response to GET / with Connection: close")
        expect_close(conversation, "GET / with Connection: close",
                     "the response, then the connection closes (end of file)")


@check("closes the connection after an HTTP/1.0 request", points=0.5, needs=check_valid_http,
       hint="HTTP/1.0 has no keep-alive by default: close after answering an HTTP/1.0 request. "
            "(HTTP/1.0 requests need no Host header.)")
def check_http10(server):
    with Conversation(server.address) as conversation:
        response = first_response(conversation, get(version="HTTP/1.0", host=False),
                                  "Reading the response to GET / HTTP/1.0")
        if response.status != 200:
            raise conversation.failure(f"GET / HTTP/1.0 got {status_line(response)}.",
                                       expected=Prose("200 OK (the status line may say HTTP/1.0 or HTTP/1.1)"))
        expect_close(conversation, "GET / HTTP/1.0", "the response, then the connection closes (end of file)")


def expect_400(server, raw, *, method="GET"):
    """Send a malformed request; the answer must be a 400, then the connection must close."""
    what = describe(raw) if isinstance(raw, bytes) else describe(raw) + " without Host"
    with Conversation(server.address) as conversation:
        conversation.send(raw, method=method, closes=True)
        try:
            response = conversation.read_response()
        except ResponseError as error:
            if conversation.closed and not conversation.reader.data:
                raise conversation.failure(f"After {what}, the server closed the connection without a response.",
                                           expected=Prose("HTTP/1.1 400 Bad Request, then the connection closes"),
                                           note="Did an exception end the handler before it answered?") from None
            raise conversation.response_failure(error, f"Reading the response to {what}") from None
        if response.status != 400:
            raise conversation.failure(f"{what[0].upper()}{what[1:]} got {status_line(response)}.",
                                       expected=Prose("HTTP/1.1 400 Bad Request, then the connection closes"))
        expect_close(conversation, what[0].upper() + what[1:],
                     "the 400 response, then the connection closes: after a malformed request the server "
                     "cannot tell where a next request would start")


BAD_REQUEST_LINES = (
    (b"GET /\r\nHost: 127.0.0.1\r\n\r\n", "GET"),
    (b"GET / HTTP/1.1 extra\r\nHost: 127.0.0.1\r\n\r\n", "GET"),
    (b"GET / FTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "GET"),
    (b"GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", "GET"),  # HTTP/ but not HTTP/1.x
    (b"HELLO\r\n\r\n", "HELLO"),
)


@check("answers 400 to a malformed request line, then closes", points=0.5,
       needs=check_valid_http,
       hint="The request line must split into exactly three parts, the last HTTP/1.0 or HTTP/1.1; otherwise "
            "send 400 Bad Request and close.")
def check_bad_request_line(server):
    for raw, method in BAD_REQUEST_LINES:
        expect_400(server, raw, method=method)


@check("answers 400 to a header line without a colon, then closes", points=0.5,
       needs=check_valid_http,
       hint="Every header line is Name: value; a line without : makes the request malformed: 400, then close.")
def check_bad_header(server):
    expect_400(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nThis line has no colon\r\n\r\n")


@check("answers 400 to an HTTP/1.1 request without Host, then closes", points=0.5,
       needs=check_valid_http,
       hint="HTTP/1.1 requires a Host header (RFC 9112, section 3.2): without one, answer 400 and close.")
def check_missing_host(server):
    expect_400(server, get(headers=(("Accept", "*/*"),), host=False))


RESET = object()  # in MISBEHAVING: send a GET, then reset the connection instead of reading the answer
MISBEHAVING = (
    ("a client that connected and closed without sending anything", b""),
    ("a client that sent the garbage b'\\x00\\xff\\xfe garbage\\r\\n\\r\\n'", b"\x00\xff\xfe garbage\r\n\r\n"),
    ("a client that sent b'GET / HTTP/1.1\\r\\n' and closed the connection", b"GET / HTTP/1.1\r\n"),
    ("a client that sent b'GET' and closed the connection", b"GET"),
    ("a client that sent GET / and reset its connection (a TCP RST) before the answer", RESET),
)


SURVIVE_HINT = ("Catch errors per connection (try/except around the handler) so a bad client ends only its own "
                "connection; recv() returning b'' means the client has gone.")


@check("keeps serving after garbage and after a client that sends nothing", points=1,
       hint="Catch errors per connection (try/except around the handler) so a bad client ends only its own "
            "connection; recv() returning b'' means the client has gone.")
def check_survives_misbehaving_clients(server):
    for what, data in MISBEHAVING:
        with Conversation(server.address) as bad:
            if data is RESET:
                bad.client.send(get().to_bytes())
                bad.client.reset()
            elif data:
                bad.send(data, closes=True)
                if data.endswith(b"\r\n\r\n"):  # a whole (malformed) request: let the server answer it
                    bad.wait_for_answer(REPLY_TIMEOUT)
        probe = get(headers=(("Connection", "close"),))
        try:
            with Conversation(server.address) as conversation:
                conversation.send(probe)
                if not conversation.wait_for_answer(REPLY_TIMEOUT) or not conversation.reader.data:
                    raise conversation.failure(f"After {what}, a GET / on a new connection got no answer.",
                                               expected=Prose("a response"))
        except Failure:
            if died_within(server, DEATH_TIMEOUT):
                died = server.died_message(f"after {what}")
                died.hint = SURVIVE_HINT
                raise died from None
            raise


PADDING = 7000  # bytes of one header value: a head of about 7 KiB, under the 8 KiB the contract accepts
PIECE, PAUSE = 3, 0.004  # bytes per piece and seconds between pieces of a request sent in small pieces


@check("reads big requests and requests sent in small pieces", points=1,
       needs=check_valid_http,
       hint="One recv() is not one request: keep receiving into a buffer until it contains \\r\\n\\r\\n.")
def check_big_and_fragmented(server):
    big = get(headers=(("X-Padding", "a" * PADDING),))
    what = f"GET / with a {len(big.to_bytes()):,}-byte head"
    # Not curl: a curl that finds its connection closed under it opens another one and says nothing,
    # so two responses of 200 would hide the bug. This prints all that came back for the big request:
    # one response, or more when a server answered part of it as a request of its own.
    steps = ["import socket, time", f'c = socket.create_connection(("127.0.0.1", {HAND_PORT}))',
             f'c.sendall(b"GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nX-Padding: " + b"a" * {PADDING} + b"\\r\\n\\r\\n")',
             "time.sleep(0.2)", "print(c.recv(65536))"]
    by_hand = run_by_hand() + "python -c '" + "; ".join(steps) + "'"
    with Conversation(server.address) as conversation:
        try:
            response = first_response(conversation, big, f"Reading the response to {what}")
            if response.status != 200:
                raise conversation.failure(f"{what} got {status_line(response)}.",
                                           expected=Prose("200 OK (heads up to 8192 bytes are accepted)"))
            try:
                follow_up = conversation.expect_nothing_more()
            except ResponseError as error:
                raise conversation.response_failure(error, f"After the response to {what}") from None
            if follow_up is not None and follow_up.status != 200:
                raise conversation.failure(
                    f"{what} got 200 OK; then a plain GET / on the same connection got {status_line(follow_up)}.",
                    expected=Prose("200 OK for both"),
                    note="Your server probably answered the big request before all of it had arrived, then took "
                         "the rest of it for a request of its own, and answered that instead of the GET /.")
        except Failure as failure:
            failure.reproduce = by_hand
            raise
    request = get()
    with Conversation(server.address) as conversation:
        conversation.send_in_pieces(request, PIECE, PAUSE)
        what = f"GET / sent {PIECE} bytes at a time"
        try:
            response = conversation.read_response()
        except ResponseError as error:
            failure = conversation.response_failure(error, f"Reading the response to {what}")
            failure.reproduce = in_pieces_probe(request.to_bytes())
            raise failure from None
        if response.status != 200:
            arrived = len(conversation.client.sent)
            raise conversation.failure(
                f"{what}, {PAUSE * 1000:g} ms apart, got {status_line(response)}.", expected=Prose("200 OK"),
                note=f"The whole request is {request.to_bytes()!r}; your server answered when only the first "
                     f"{arrived} bytes had been sent: a recv() returns whatever has arrived, here a few bytes.",
                reproduce=in_pieces_probe(request.to_bytes()))


def in_pieces_probe(data):
    """A python -c line that sends `data` one byte at a time, for the learner to run by hand."""
    steps = ["import socket, time", f'c = socket.create_connection(("127.0.0.1", {HAND_PORT}))',
             f"[c.sendall(bytes([b])) or time.sleep(0.05) for b in {bytes_literal(data)}]", "print(c.recv(65536))"]
    return run_by_hand() + "python -c '" + "; ".join(steps) + "'"


CROWD = 20
IDLE_CLIENT = ("python -c 'import socket, time; c = socket.create_connection((\"127.0.0.1\", "
               f"{HAND_PORT})); time.sleep(600)'   # an idle client; then, in a third terminal: "
               f"curl -v http://127.0.0.1:{HAND_PORT}/")


@check("serves 20 clients at once; an idle kept-alive client blocks no one", points=1,
       needs=check_valid_http,
       hint="Handle each connection in its own thread (or task), so a client that keeps its connection open "
            "never blocks the others.")
def check_many_clients(server):
    """Clients connect one after another (a small listen() backlog is no bug), each keeping its
    connection open after its answer; then all of them send a request at the same time."""
    with ExitStack() as stack:
        clients = []
        for number in range(1, CROWD + 2):
            conversation = stack.enter_context(Conversation(server.address))
            clients.append(conversation)
            conversation.send(get())
            try:
                conversation.read_response()
            except ResponseError as error:
                if conversation.reader.data or number == 1:
                    raise conversation.response_failure(
                        error, f"Reading the response to GET / of client {number}") from None
                earlier = ("the first client kept its connection open" if number == 2
                           else f"the first {number - 1} clients kept their connections open")
                raise conversation.failure(
                    f"While {earlier} (idle, after its answer), client {number} connected and sent GET /: "
                    f"no answer came within {REPLY_TIMEOUT:g} s.",
                    expected=Prose("a response on every connection, whoever else is connected"),
                    note=("Your server seems to serve one connection at a time" if number == 2 else
                          f"Your server seems to serve at most {number - 1} connections at a time (a pool of "
                          f"{number - 1} threads?)") + ": it waits for an idle client that sends nothing more.",
                    reproduce=run_by_hand() + IDLE_CLIENT) from None
        # Every client at once, on the connections the server kept open.
        open_clients = [(number, c) for number, c in enumerate(clients, 1) if c.reader.reusable and not c.closed]
        for _, conversation in open_clients:
            conversation.send(get())
        deadline = time.monotonic() + REPLY_TIMEOUT
        unanswered = []
        for number, conversation in open_clients:
            try:
                conversation.read_response(max(deadline - time.monotonic(), 0.001))
            except ResponseError as error:
                if conversation.closed and conversation.after_last_response == 0:
                    continue  # closed after its first answer: keep-alive has its own check
                if conversation.after_last_response:
                    raise conversation.response_failure(
                        error, f"{len(open_clients)} clients sent GET / at the same time; reading the response "
                               f"of client {number}") from None
                unanswered.append(number)
        if unanswered:
            raise Failure(
                f"{len(open_clients)} connected clients each sent a second GET / at the same time: "
                f"{len(open_clients) - len(unanswered)} got an answer within {REPLY_TIMEOUT:g} s, "
                f"{len(unanswered)} did not (clients {_ranges(unanswered)}).",
                sent=get().to_bytes(), expected=Prose(f"{len(open_clients)} responses, one on each connection"))


def _ranges(numbers):
    """[1, 2, 3, 7] -> "1-3, 7"."""
    parts, start = [], None
    for index, number in enumerate(numbers):
        if start is None:
            start = number
        if index + 1 == len(numbers) or numbers[index + 1] != number + 1:
            parts.append(f"{start}-{number}" if number != start else f"{number}")
            start = None
    return ", ".join(parts)
