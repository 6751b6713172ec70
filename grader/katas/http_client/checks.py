"""Checks for exercise 8, http_client (exercises/http_client/README.md:
``http_get(url, timeout=5.0) -> (status, headers, body)``).

Every probe is one call of the learner's ``http_get`` in a child process, with a hard bound,
against a scripted HTTP server in this process (``grader/peers/raw_http/``): it records the
request byte for byte and answers with exactly the bytes of the probe's script, cut into the
script's pieces, then closes, resets or keeps the connection open. So a failure shows the
request the client sent (with a caret under the first wrong byte), the response as the server
sent it (with its cut points), what ``http_get`` did with it, and the command that serves the
same response by hand.

Most probes take a few milliseconds. Two calls wait on purpose (a server gone silent, a
response that comes slowly) and run beside the other checks from the first one on
(``WAITING``), so grading a correct client costs about the longer of them.

The checks that judge only the request, the URL refusals and the imports depend on nothing, so
a client that sends a wrong request or imports http.client is told so by name whatever else it
does; the others need the first (a plain Content-Length response) to pass.
"""

import ast
import re
import shlex
from dataclasses import dataclass

from hypothesis import example, given, settings

from grader.authoring import BackgroundCall, background_calls, check
from grader.failures import Failure, Prose, show
from grader.katas.http_client.strategies import Drawn, responses
from grader.peers.http.wire import excerpt
from grader.peers.raw_http.script import CLOSE, OPEN, RESET, RESPONSES, Expected, Script, chunk, chunked, \
    every_byte, head, request_problem, with_length
from grader.peers.raw_http.server import ScriptedServer
from grader.peers.reproduce import HAND_PORT, learner_file

EXERCISE = "http_client"
HOST = "127.0.0.1"
TIMEOUT = 1.0  # http_get's timeout= where nothing stalls: loopback answers take milliseconds
LIMIT = 3.0  # seconds the grader lets one call run where nothing stalls (a client that waits for a
#              close that never comes raises TimeoutError after TIMEOUT, well within it)
WIRE_LIMIT = 2.5  # the bound where only the request is judged
STILL_OPEN = 1.0  # seconds to wait for a close that should have come before http_get returned (the
#                  server thread notices it within milliseconds; a loaded machine may take much longer)
SHOWN = 160  # bytes of a request or response shown in a message (binary ones take 4 characters a byte)
MAX_COMMAND = 400  # characters of a server's options in a "Try it" line; a longer response is not worth pasting


# --- one call of http_get against one scripted server, and what it did -----------------------------

@dataclass
class Trial:
    """One call of the learner's http_get against one scripted server, and everything seen of it."""

    url: str
    script: Script
    server: ScriptedServer
    outcome: object  # grader.learner.process.Outcome
    timeout: float
    limit: float
    closed: bool | None = None  # the client closed every connection (None: not waited for)

    @property
    def connections(self):
        return self.server.connections

    @property
    def raised(self):
        return self.outcome.raised

    def raised_a(self, kind):
        return self.raised is not None and self.raised.is_a(kind)

    def result_text(self):
        text = self.outcome.ending(self.limit, _show_result)
        return f"{text} after {self.outcome.elapsed:.2f} s" if self.outcome.raised is not None else text

    def transcript(self):
        """The response as the server sent it and what the client did, in a few lines."""
        records = self.connections
        if not records:
            return "The server saw no connection."
        lines = []
        if len(records) > 1:
            lines.append(f"http_get opened {len(records)} connections; the first:")
        record = records[0]
        lines.append(f"Your request: {show(record.request, SHOWN) if record.request else 'nothing'}")
        if record.answered:
            lines.append(f"The response: {show(self.script.response, SHOWN)}")
            lines.append(f"  the server {self.script.describe()}")
        if record.client_closed and self.outcome.timed_out:
            lines.append("  then the grader stopped your program, which closed the connection")
        elif self.closed is False:
            lines.append("  your client never closed the connection")
        return "\n".join(lines)

    def reproduce(self):
        if len(self.script.options()) > MAX_COMMAND:
            return None
        url = shlex.quote(self.url.replace(f":{self.server.address[1]}", f":{HAND_PORT}"))
        curl = f"   # or curl -v {url}" if self.url.startswith("http://") else ""
        return (f"python -m grader.peers.raw_http --port {HAND_PORT} {self.script.options()}\n"
                f"{'':10}then, in another terminal: python {learner_file(EXERCISE)} {url}{curl}")

    def failure(self, summary, expected, *, hint=None, note=None, excerpt=None, keyed=True):
        """A Failure showing the call, what came of it, the request and the response, and a command.

        The hint keyed on what came back (``hint_for``) comes first, if ``keyed``; else the check's own."""
        return Failure(
            summary,
            sent=Prose(f"http_get({self.url!r}, timeout={self.timeout:g})"),
            received=Prose(self.result_text()),
            expected=expected if isinstance(expected, Prose) else Prose(_show_result(expected)),
            hint=(hint_for(self) if keyed else None) or hint,
            note="\n".join(part for part in (note, self.transcript()) if part),
            output=self.outcome.output or None,
            line=self.raised.line if self.raised is not None else None,
            excerpt=excerpt,
            reproduce=self.reproduce())


def _show_result(value):
    if isinstance(value, tuple) and len(value) == 3:
        status, headers, body = value
        return f"({status!r}, {headers!r}, {show(body, 60)})"
    return show(value, 200)


CHUNK_SIZE_LINE = re.compile(rb"[0-9A-Fa-f]+(;[^\r\n]*)?\r\n")


def hint_for(trial):
    """A hint keyed on what came back, or None (then the check's own hint is shown)."""
    value, raised = trial.outcome.value, trial.raised
    record = trial.connections[0] if trial.connections else None
    complete = record is not None and record.answered and trial.script.then == OPEN
    if (trial.outcome.timed_out or (raised is not None and raised.is_a("TimeoutError"))) and complete:
        return ("The server had sent the whole response and kept the connection open, as keep-alive servers "
                "do: stop reading when the framing says the body is complete (Content-Length bytes, or the "
                "0-size chunk and the blank line after it), never wait for the close.")
    if not trial.outcome.returned or not isinstance(value, tuple) or len(value) != 3:
        return None
    _status, headers, body = value
    if isinstance(headers, dict) and any(isinstance(k, str) and k != k.lower() for k in headers):
        return "Header names are case-insensitive: return them lower-cased, name.lower()."
    if isinstance(body, bytes) and CHUNK_SIZE_LINE.match(body):
        return ("The body you returned still holds the chunk sizes: with Transfer-Encoding: chunked, read a "
                "size line (hex), that many bytes, a CRLF, and so on up to the 0-size chunk.")
    return None


def run(learner, suffix, script, *, timeout=TIMEOUT, limit=LIMIT, wait_closed=None):
    """Serve ``script``; call http_get once for http://127.0.0.1:PORT + ``suffix``."""
    with ScriptedServer(script) as server:
        url = f"http://{HOST}:{server.address[1]}{suffix}"
        outcome = learner.call(url, limit=limit, timeout=timeout)
        closed = server.wait_closed(wait_closed) if wait_closed is not None else None
    return Trial(url, script, server, outcome, timeout, limit, closed)


# --- what must have happened ---------------------------------------------------------------------

def expect_finished(trial, expected):
    if trial.outcome.timed_out:
        raise trial.failure(f"http_get did not finish within {trial.limit:g} s.", expected)
    if trial.outcome.exit_status is not None:
        raise trial.failure("Your program exited while http_get was running.", expected)


def expect_result(trial, expected, *, hint=None, note=None):
    """Raise unless http_get returned exactly ``expected``: (status, headers, body), those types."""
    expect_finished(trial, expected)
    if trial.raised is not None:
        raise trial.failure(f"http_get raised {trial.raised.type} instead of returning the response.", expected,
                            hint=hint, note=note)
    problem = describe_difference(expected, trial.outcome.value)
    if problem:
        raise trial.failure(problem, expected, hint=hint, note=note)


def describe_difference(expected, returned):
    """One sentence saying how ``returned`` differs from ``expected``, or None."""
    if not isinstance(returned, tuple) or len(returned) != 3:
        kind = getattr(returned, "type", None) or type(returned).__name__
        return f"http_get returned a {kind}, not a tuple (status, headers, body)."
    (status, headers, body), (want_status, want_headers, want_body) = returned, expected
    for name, value, kind in (("status", status, int), ("headers", headers, dict), ("body", body, bytes)):
        if type(value) is not kind:
            return f"The {name} is a {getattr(value, 'type', None) or type(value).__name__}, not {kind.__name__}."
    if status != want_status:
        return f"The status is {status}; the server sent {want_status}."
    if headers != want_headers:
        missing = [name for name in want_headers if name not in headers]
        extra = [name for name in headers if name not in want_headers]
        wrong = [name for name in want_headers if name in headers and headers[name] != want_headers[name]]
        if wrong:
            return (f"headers[{wrong[0]!r}] is {headers[wrong[0]]!r}; expected {want_headers[wrong[0]]!r}.")
        parts = []
        if missing:
            parts.append(f"lack {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"have {', '.join(map(repr, extra))}, which the response's head does not")
        return f"The headers {' and '.join(parts)}."
    if body == want_body:
        return None
    if len(body) != len(want_body):
        whose = " (its first bytes: the rest was not read)" if body and want_body.startswith(body) else ""
        return f"The body is {len(body):,} bytes, {show(body, 40)}; the server sent {len(want_body):,}{whose}."
    at = next(i for i, (a, b) in enumerate(zip(body, want_body)) if a != b)
    return (f"The body differs from the server's at byte {at:,}: {show(body[at:at + 16])}, not "
            f"{show(want_body[at:at + 16])}.")


def expect_raised(trial, kind, expected, *, hint=None, note=None, keyed=True):
    expect_finished(trial, expected)
    if trial.raised is None:
        raise trial.failure(f"http_get returned instead of raising {kind}.", expected, hint=hint, note=note)
    if not trial.raised_a(kind):
        raise trial.failure(f"http_get raised {trial.raised.type}, not {kind}.", expected, hint=hint, note=note,
                            keyed=keyed)


def headers_of(*fields):
    """The headers dict http_get returns for these (name, value) fields."""
    joined = {}
    for name, value in fields:
        name = name.lower()
        joined[name] = f"{joined[name]}, {value}" if name in joined else str(value)
    return joined


# --- the calls that wait, run at the same time ----------------------------------------------------

STALL_TIMEOUT = 0.5  # http_get's timeout= when the server goes silent
STALL_SLACK = 0.35  # seconds past the timeout a client may take to raise on a busy machine
STALL_RESPONSE = with_length(b"half of the body", fields=[("Content-Type", "text/plain")])[:-8]
SLOW_TIMEOUT = 0.9  # http_get's timeout= while the response comes in pieces SLOW_PAUSE apart
SLOW_PAUSE = 0.15  # 9 pieces: 1.2 s in all, a third more than one timeout, while each wait is a sixth
#                    of it: at a load average of 14 on 2 cores a pause stretched to 0.29 s
#                    (scripts/margins.py), and a correct client still had three times that
SLOW_RESPONSE = with_length(b"slow but steady", fields=[("Content-Type", "text/plain")])
SLOW_CUTS = tuple(range(9, len(SLOW_RESPONSE), 9))[:8]

WAITING = {  # the check that reads it: run(learner, suffix, script, ...), the first started first
    "check_timeout": BackgroundCall(run, "/silent", Script(STALL_RESPONSE, then=OPEN), timeout=STALL_TIMEOUT,
                                    limit=3.0),
    "check_slow_response": BackgroundCall(run, "/slow", Script(SLOW_RESPONSE, SLOW_CUTS, SLOW_PAUSE, OPEN),
                                          timeout=SLOW_TIMEOUT, limit=4.0),
}
waiting_calls = background_calls(WAITING)


# --- the checks -----------------------------------------------------------------------------------

LENGTH_FIELDS = [("Content-Type", "text/plain; charset=utf-8"), ("X-Served-By", "netkata")]
HELLO = b"Hello, World!\n"


@check("returns status, headers and body of a response with Content-Length", points=1,
       hint="Send the request, read up to the blank line (b'\\r\\n\\r\\n'), split the status line and the "
            "header lines, then read exactly Content-Length bytes of body. Return (int, dict, bytes).")
def check_content_length(learner, waiting_calls):
    """The dependency of the rest: the learner's file loads here (the ``learner`` fixture)."""
    trial = run(learner, "/hello", Script(with_length(HELLO, fields=LENGTH_FIELDS)))
    expect_result(trial, (200, headers_of(*LENGTH_FIELDS, ("Content-Length", len(HELLO))), HELLO))


REQUEST_HINT = ("Send b'GET ' + target + b' HTTP/1.1\\r\\nHost: ' + host:port + b'\\r\\nConnection: close\\r\\n\\r\\n', "
                "where target is the URL's path (\"/\" when empty) and \"?\" + query, without the #fragment.")
# (what follows http://127.0.0.1:PORT, the request target it must produce)
TARGETS = [("/", "/"), ("", "/"), ("/search/a%20b/?q=1&r=two", "/search/a%20b/?q=1&r=two"), ("?q=only", "/?q=only"),
           ("/page#section", "/page"), ("/p?x=1#frag", "/p?x=1")]


@check("sends GET with the path and query, Host with the port and Connection: close, in CRLF lines", points=1,
       hint=REQUEST_HINT)
def check_request(learner):
    # Only the request counts here: what came back is for the other checks to judge.
    for suffix, target in TARGETS:
        trial = run(learner, suffix, Script(RESPONSES["length"], name="length"), limit=WIRE_LIMIT)
        port = trial.server.address[1]
        wanted = Expected(target, f"{HOST}:{port}")
        good = f"GET {target} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode()
        expected = Prose(f"a request such as {show(good)}")
        if not trial.connections:
            raise trial.failure(f"http_get made no connection for {trial.url!r}.", expected)
        request = trial.connections[0].request
        problem = request_problem(request, wanted)
        if problem is not None:
            raise trial.failure(f"For {trial.url!r}: {problem.text}", expected,
                                hint=REQUEST_HINT, excerpt=excerpt(request, problem.offset))


KEEP_ALIVE_HINT = ("Stop reading when the framing says the body is complete: after Content-Length bytes, or after "
                   "the 0-size chunk and the blank line after it. The server may keep the connection open.")
BIG_BODY = bytes(range(256)) * 256  # 64 KiB
CHUNKED_BODY = b"Hello, chunked World! " * 3  # 66 bytes: chunks of 5, 16 (10 in hex) and 26 (1A), then 19 (13)
CHUNKED_SIZES = [5, 16, 26]
CHUNKED_EXTENSIONS = [";name=value", "", ';q="quoted; string"', "", ";last"]
CHUNKED_TRAILERS = [("Expires", "never"), ("X-Checksum", "none")]


@check("finds the end of a body by its framing while the server keeps the connection open", points=1,
       hint=KEEP_ALIVE_HINT, needs=check_content_length)
def check_keep_alive(learner):
    trial = run(learner, "/kept-open", Script(RESPONSES["length"], then=OPEN, name="length"))
    expect_result(trial, (200, {"content-type": "text/plain", "content-length": "13"}, b"Hello, World!"),
                  hint=KEEP_ALIVE_HINT)
    response = chunked(b"kept open", [4], fields=[("Content-Type", "text/plain")])
    trial = run(learner, "/kept-open", Script(response, then=OPEN))
    expect_result(trial, (200, {"content-type": "text/plain", "transfer-encoding": "chunked"}, b"kept open"),
                  hint=KEEP_ALIVE_HINT)
    # 64 KiB in pieces 2 ms apart take several recv() calls: the body ends at its Content-Length, not at the first short read.
    fields = [("Content-Type", "application/octet-stream")]
    trial = run(learner, "/big", Script(with_length(BIG_BODY, fields=fields), (1000, 20_000, 40_000), 0.002, OPEN))
    expect_result(trial, (200, headers_of(*fields, ("Content-Length", len(BIG_BODY))), BIG_BODY),
                  hint="One recv() returns what has arrived, not the whole body: receive until you have "
                       "Content-Length bytes.")


CHUNKED_HINT = ("Read a size line, cut it at the first \";\" (an extension), int(size, 16); read that many bytes and "
                "the CRLF after them; repeat until size 0, then read trailer lines up to the blank line and drop "
                "them. Transfer-Encoding: chunked wins over Content-Length.")


@check("decodes a chunked body, ignoring chunk extensions and trailer fields", points=1, hint=CHUNKED_HINT,
       needs=check_content_length)
def check_chunked(learner):
    fields = [("Content-Type", "text/plain")]
    response = chunked(CHUNKED_BODY, CHUNKED_SIZES, CHUNKED_EXTENSIONS, CHUNKED_TRAILERS, fields=fields)
    trial = run(learner, "/chunked", Script(response))
    expect_result(trial, (200, headers_of(*fields, ("Transfer-Encoding", "chunked")), CHUNKED_BODY),
                  hint=CHUNKED_HINT)
    # Both framings: chunked wins (RFC 9112 §6.3, rule 3), and the Content-Length is wrong on purpose.
    both = [("Content-Length", "5"), ("Transfer-Encoding", "chunked")]
    response = head(fields=both) + b"".join(chunk(part) for part in (b"chunked ", b"wins")) + b"0\r\n\r\n"
    trial = run(learner, "/both", Script(response, then=OPEN))
    expect_result(trial, (200, headers_of(*both), b"chunked wins"),
                  note="The head has both Transfer-Encoding: chunked and Content-Length: 5: the chunks win.",
                  hint="With both Transfer-Encoding: chunked and Content-Length, the chunks frame the body and "
                       "Content-Length is ignored.")


CLOSE_BODY = bytes(range(256)) * 256  # 64 KiB of every byte value: several recv()s


@check("reads a body without Content-Length or chunks until the server closes", points=0.5,
       hint="With neither Transfer-Encoding nor Content-Length, the body is everything until recv() returns b''.",
       needs=check_content_length)
def check_close_delimited(learner):
    response = head(fields=[("Content-Type", "application/octet-stream")]) + CLOSE_BODY
    trial = run(learner, "/until-close", Script(response, cuts=(40, 20_000, 40_000), pause=0.005))
    expect_result(trial, (200, {"content-type": "application/octet-stream"}, CLOSE_BODY))


INTERIM = head(100, "Continue") + head(103, "Early Hints", [("Link", "</style.css>; rel=preload")])
NO_BODY_HINT = ("A 1xx response is interim: read its head and then the next response's. 204 and 304 have no body, "
                "whatever their headers say: return b'' without reading on.")


@check("skips interim 1xx responses, and reads no body for 204 and 304", points=1, hint=NO_BODY_HINT,
       needs=check_content_length)
def check_no_body(learner):
    final = [("Content-Type", "text/plain")]
    trial = run(learner, "/interim", Script(INTERIM + with_length(b"final", fields=final)))
    expect_result(trial, (200, headers_of(*final, ("Content-Length", 5)), b"final"), hint=NO_BODY_HINT)
    trial = run(learner, "/no-content", Script(head(204, "No Content", [("X-Note", "none")]), then=OPEN))
    expect_result(trial, (204, {"x-note": "none"}, b""), hint=NO_BODY_HINT)
    # A 304's Content-Length is the length the full answer would have: no body follows.
    not_modified = [("ETag", '"v1"'), ("Content-Length", "120")]
    trial = run(learner, "/not-modified", Script(head(304, "Not Modified", not_modified), then=OPEN))
    expect_result(trial, (304, headers_of(*not_modified), b""), hint=NO_BODY_HINT)


FIELDS_HINT = ("Split each header line at its first \":\", lower-case the name, strip spaces and tabs from the "
               "value, and join a repeated name's values with \", \". The reason phrase may be empty.")


@check("lower-cases names, joins repeated fields, trims values; any status, an empty reason", points=1,
       hint=FIELDS_HINT, needs=check_content_length)
def check_head_fields(learner):
    fields = [("content-TYPE", "application/json"), ("Set-Cookie", "a=1"), ("X-Twice", "one"),
              ("x-twice", "two"), ("X-Spaces", " \t padded value\t "), ("X-Empty", ""), ("set-cookie", "b=2")]
    trial = run(learner, "/fields", Script(with_length(b"{}", fields=fields)))
    expect_result(trial, (200, {"content-type": "application/json", "set-cookie": "a=1, b=2", "x-twice": "one, two",
                                "x-spaces": "padded value", "x-empty": "", "content-length": "2"}, b"{}"),
                  hint=FIELDS_HINT)
    # An empty reason phrase, and a redirect: returned as it is, never followed.
    redirect = [("Location", "/elsewhere"), ("Content-Length", "0")]
    trial = run(learner, "/moved", Script(head(302, "", redirect)))
    expect_result(trial, (302, headers_of(*redirect), b""),
                  hint="The reason phrase may be empty (b'HTTP/1.1 302 \\r\\n'): split the status line at most "
                       "twice, line.split(b' ', 2). And return a redirect as it is: do not follow it.")
    if len(trial.connections) != 1:
        raise trial.failure(f"http_get opened {len(trial.connections)} connections: it followed the redirect.",
                            Prose("the 302 returned as it is, on one connection"))
    response = head(404, "Not Found", [("Content-Length", 9)], version="HTTP/1.0") + b"not found"
    trial = run(learner, "/missing", Script(response))
    expect_result(trial, (404, {"content-length": "9"}, b"not found"),
                  hint="Return any status as it is: a 404 is a response, not an error.")


@check("reads a response that arrives one byte at a time", points=0.5,
       hint="One recv() is not one response: it returns whatever has arrived, even 1 byte. Keep receiving into a "
            "buffer until it holds what you need (a line, the blank line, n body bytes).",
       needs=check_content_length)
def check_byte_by_byte(learner):
    # 1 ms between sends lets a client blocked in recv() see each byte alone, every run.
    response = RESPONSES["chunked"]
    trial = run(learner, "/bytes", Script(response, every_byte(response), pause=0.001, name="chunked"))
    expect_result(trial, (200, {"content-type": "text/plain", "transfer-encoding": "chunked"},
                          b"Hello, chunked World!"))


@check("returns the same response however it is framed and cut (Hypothesis)", points=0.5,
       hint="Run your function against the server command below, and print what each recv() returns.",
       needs=check_content_length)
def check_any_response(learner):
    unfinished = []  # a call that waited for its timeout or the bound: reported as it is, never shrunk

    @settings(max_examples=15)
    @given(responses())
    # The usual bug first, cut where a client that reads the head with one recv() meets it, with
    # pauses long enough that it does on a loaded machine too.
    @example(Drawn(Script(with_length(b"0\r\n\r\n", fields=[("X-Note", "a")]), (3, 20), pause=0.05),
                   (200, {"x-note": "a", "content-length": "5"}, b"0\r\n\r\n"), "Content-Length"))
    def any_response(drawn):
        if unfinished:
            return  # shrinking a call that waits would repeat its wait many times
        trial = run(learner, "/any", drawn.script, timeout=0.5, limit=2.0)
        if trial.outcome.timed_out or trial.raised_a("TimeoutError"):
            unfinished.append((trial, drawn))
            return
        expect_result(trial, drawn.expected)

    any_response()
    if unfinished:
        trial, drawn = unfinished[0]
        expect_result(trial, drawn.expected)


EARLY = "ConnectionError (the server closed before the response was complete)"
EARLY_HINT = ("recv() returning b'' means the server closed the connection: if the head, the Content-Length bytes or "
              "the chunks are not complete yet, raise ConnectionError; never return what you have.")
LENGTH = with_length(b"0123456789", fields=[("Content-Type", "text/plain")])
CHUNKS = chunked(b"0123456789", [6], fields=[("Content-Type", "text/plain")])
# (where the server closes, the response cut there, what it does then)
EARLY_CLOSES = [
    ("before the first byte", b"", CLOSE),
    ("inside the status line", LENGTH[:10], CLOSE),
    ("inside the header fields", LENGTH[:LENGTH.index(b"\r\n") + 10], CLOSE),
    ("before the blank line", LENGTH[:LENGTH.index(b"\r\n\r\n") + 2], CLOSE),
    ("after 4 of the 10 Content-Length bytes", LENGTH[:-6], CLOSE),
    ("with a reset after 4 of the 10 Content-Length bytes", LENGTH[:-6], RESET),
    ("inside a chunk", CHUNKS[:CHUNKS.index(b"012345") + 3], CLOSE),
    ("after a chunk, before the last one", CHUNKS[:CHUNKS.index(b"6789") + 6], CLOSE),
    ("after the 0-size chunk, before the blank line", CHUNKS[:-2], CLOSE),
]


@check("raises ConnectionError when the server closes before the response is complete", points=1,
       hint=EARLY_HINT, needs=check_content_length)
def check_early_close(learner):
    for where, response, then in EARLY_CLOSES:
        trial = run(learner, "/cut-short", Script(response, then=then))
        if trial.outcome.returned:
            raise trial.failure(f"http_get returned although the server closed {where}.", Prose(EARLY),
                                hint=EARLY_HINT)
        if trial.outcome.timed_out:
            raise trial.failure(f"http_get was still running after {trial.limit:g} s, although the server had "
                                f"closed the connection {where}.", Prose(EARLY),
                                hint="recv() returned b'' (the server closed) and your loop called it again: b'' "
                                     "comes back for ever. Raise ConnectionError.")
        expect_raised(trial, "ConnectionError", Prose(EARLY), hint=EARLY_HINT,
                      note=f"The server closed the connection {where}.")


MALFORMED_HINT = ("Check what you parse: the status line is HTTP/1.x, a space, 3 digits, a space and a reason; a header "
                  "line has a colon; a chunk size is hex digits; a Content-Length is decimal digits. Otherwise raise "
                  "ValueError.")
BODY = [("Content-Length", "2")]
MALFORMED = [
    ("a status line without a status code", head(0, "", BODY).replace(b"0 ", b"OK", 1) + b"ok"),
    ("a status code of 2 digits", head(20, "OK", BODY) + b"ok"),
    ("a status code that is not a number", head(200, "OK", BODY).replace(b"200", b"2x0") + b"ok"),
    ("a version that is not HTTP/1.x", head(200, "OK", BODY, version="ICY") + b"ok"),
    ("a header line without a colon", head(200, "OK", [("Content-Type", "x")]).replace(b": ", b" ") + b"ok"),
    ("a chunk size that is not hex", head(200, "OK", [("Transfer-Encoding", "chunked")]) + b"zz\r\nok\r\n0\r\n\r\n"),
    ("a Content-Length that is not a number", head(200, "OK", [("Content-Length", "two")]) + b"ok"),
]


@check("raises ValueError for a malformed status line, header line, chunk size or Content-Length", points=1,
       hint=MALFORMED_HINT, needs=check_content_length)
def check_malformed(learner):
    for what, response in MALFORMED:
        trial = run(learner, "/malformed", Script(response))
        expect_raised(trial, "ValueError", Prose(f"ValueError ({what})"), hint=MALFORMED_HINT,
                      note=f"The response has {what}.")


BAD_URLS = ["https://{host}:{port}/", "ftp://{host}:{port}/file", "http:///no-host", "http://:{port}/"]


@check("raises ValueError for another scheme or no host, before connecting", points=0.5,
       hint="Parse the URL first (urllib.parse.urlsplit), and raise ValueError unless its scheme is http and it has "
            "a host: before socket.create_connection.")
def check_bad_url(learner):
    for pattern in BAD_URLS:
        with ScriptedServer(Script(RESPONSES["length"], name="length")) as server:
            url = pattern.format(host=HOST, port=server.address[1])
            outcome = learner.call(url, limit=WIRE_LIMIT, timeout=TIMEOUT)
            connected = server.waiting_connection()
        trial = Trial(url, server.script, server, outcome, TIMEOUT, WIRE_LIMIT)
        expected = Prose("ValueError, before any connection")
        expect_raised(trial, "ValueError", expected)
        if connected:
            raise trial.failure(f"http_get raised ValueError for {url!r}, but only after connecting.", expected)


@check("raises TimeoutError when the server goes silent", points=0.5,
       hint="Without a timeout recv() waits for ever. Pass timeout=timeout to socket.create_connection (not a "
            "number of your own) and let the TimeoutError leave your function.",
       needs=check_content_length)
def check_timeout(waiting_calls):
    trial = waiting_calls.take(check_timeout)
    expected = Prose(f"TimeoutError, about {STALL_TIMEOUT:g} s after the server went silent")
    if trial.outcome.timed_out:
        raise trial.failure(f"http_get was still waiting after {trial.limit:g} s: the server went silent in the "
                            f"middle of the body, and timeout={STALL_TIMEOUT:g} was passed.", expected, keyed=False)
    expect_raised(trial, "TimeoutError", expected, keyed=False)
    silence = waited_in_silence(trial)
    if not STALL_TIMEOUT - 0.05 <= silence <= STALL_TIMEOUT + STALL_SLACK:
        raise trial.failure(f"http_get raised TimeoutError {silence:.2f} s after the server went silent, with "
                            f"timeout={STALL_TIMEOUT:g}.", expected, keyed=False,
                            hint="Use the timeout argument as the socket's timeout, not a number of your own.")


def waited_in_silence(trial):
    """Seconds from the server going silent to the client closing the connection as it raised; the
    call's whole duration if it did not close it (that includes connecting and the head)."""
    record = trial.connections[0] if len(trial.connections) == 1 else None
    if record is not None and record.finished_at is not None and record.closed_at is not None:
        return record.closed_at - record.finished_at
    return trial.outcome.elapsed


@check("keeps waiting while a slow response keeps coming", points=0.5,
       hint="timeout bounds each wait for more bytes, not the whole call: a server that keeps sending within "
            "timeout is never a timeout. Use the timeout argument as the socket timeout.",
       needs=check_content_length)
def check_slow_response(waiting_calls):
    trial = waiting_calls.take(check_slow_response)
    body = b"slow but steady"
    expected = (200, {"content-type": "text/plain", "content-length": str(len(body))}, body)
    if trial.raised_a("TimeoutError"):
        raise trial.failure(f"http_get raised TimeoutError after {trial.outcome.elapsed:.2f} s while the response "
                            f"was still coming: a piece every {SLOW_PAUSE:g} s, and timeout={SLOW_TIMEOUT:g}.",
                            expected, keyed=False)
    expect_result(trial, expected)


CLOSE_HINT = ("Close the socket however the function ends: `with socket.create_connection(...) as sock:` does, "
              "when it returns and when it raises.")


@check("closes the connection before returning or raising", points=0.5, hint=CLOSE_HINT,
       needs=check_content_length)
def check_closes(learner):
    for response, result in ((RESPONSES["length"], "returned"), (MALFORMED[4][1], "raised")):
        trial = run(learner, "/close-me", Script(response, then=OPEN), wait_closed=STILL_OPEN)
        expect_finished(trial, Prose("the connection closed by your client"))
        if not trial.closed:
            raise trial.failure(f"http_get {result}, but the connection was still open {STILL_OPEN:g} s later.",
                                Prose("the connection closed by your client before http_get returns or raises"),
                                hint=CLOSE_HINT)


HTTP_LIBRARIES = ("http.client", "http.server", "urllib.request", "requests", "urllib3", "httpx", "aiohttp", "h11",
                  "httpcore", "httplib2", "pycurl", "xmlrpc.client")


@check("imports no HTTP library: socket alone", points=0.5,
       hint="Write the request and parse the response yourself, on socket: urllib.parse (for the URL) and "
            "http.HTTPStatus are fine, http.client, urllib.request, requests and the like are not.")
def check_imports(exercise):
    """Read from the file, without running it: every import, wherever it is, and the
    ``__import__("...")`` / ``importlib.import_module("...")`` calls with a literal name."""
    source = exercise.path.read_text(encoding="utf-8")
    for line, module in imported_modules(ast.parse(source)):
        library = next((lib for lib in HTTP_LIBRARIES if module == lib or module.startswith(lib + ".")), None)
        if library:
            text = source.splitlines()[line - 1].strip()
            raise Failure(f"Line {line} imports {library}, an HTTP library: {text!r}.",
                          expected=Prose("imports of socket and the standard library's non-HTTP modules only"),
                          line=line)


def imported_modules(tree):
    """(line, dotted module name) of every import in ``tree``; ``from http import client`` is http.client."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            function = node.func
            name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            if name in ("__import__", "import_module"):
                yield node.lineno, node.args[0].value
