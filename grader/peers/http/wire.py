"""HTTP/1.1 as the grader sees it on the wire: the requests it sends, the responses it reads.

The http_hello_server checks send requests over a real socket and must judge the bytes that
come back the way a strict HTTP/1.1 client would. This module is that judgement, without any
socket (sans-I/O, like h11): the checks feed it bytes and it answers with parsed responses or
with a `ResponseError` that names the problem and points at the offending byte, so a learner
sees *where* their bytes went wrong, not just that they did.

Framing (Content-Length, chunked, HEAD and 204/304 without a body, keep-alive) is h11's job,
in the client role. h11 is deliberately lenient where real servers are sloppy, but a learner
must learn the rule, so the head of every response is first checked byte by byte here:

- every line ends in CRLF; h11 also accepts a bare LF (RFC 9112 §2.2 lets a recipient do that);
- the status line is ``HTTP-version SP status-code SP [reason-phrase]`` (RFC 9112 §4); h11
  also accepts ``HTTP/1.1 200`` without the second space. An empty reason after the space is
  valid and accepted: reason phrases are not graded;
- a response carries Content-Length or Transfer-Encoding, not both (RFC 9112 §6.3 calls that
  a smuggling risk), and Content-Length at most once; h11 lets Transfer-Encoding win;
- no header line starts with whitespace (obsolete line folding, RFC 9112 §5.2);
- nothing follows the end of a response except the next response (h11 leaves such bytes in
  its buffer and moves on); and a response without Content-Length, whose body runs until the
  connection closes, is accepted only where the request closes the connection anyway.
"""

from __future__ import annotations

import re
import shlex
from collections import deque
from dataclasses import dataclass

import h11

_CR, _LF = 0x0D, 0x0A
_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_WHITESPACE = frozenset(b" \t")
# RFC 9110 §5.5: field values are visible ASCII, obs-text (0x80-0xFF), spaces and tabs.
_FIELD_VALUE = frozenset(range(0x21, 0x7F)) | frozenset(range(0x80, 0x100)) | _WHITESPACE
_DIGITS = frozenset(b"0123456789")
# Excerpts show at most this many bytes on each side of the offending one.
_EXCERPT_WIDTH = 40
_EXCERPT_CHARACTERS = 80  # characters those bytes' escapes take at most, on each side


def show_bytes(data: bytes) -> str:
    """Bytes as a double-quoted literal: printable ASCII as is, everything else escaped.

    One escape per byte (unlike repr, whose quoting depends on the content), so that the
    caret of an excerpt can be placed under the byte it means.
    """
    return '"' + "".join(_escape(byte) for byte in data) + '"'


def _escape(byte: int) -> str:
    special = {_CR: "\\r", _LF: "\\n", 0x09: "\\t", 0x22: '\\"', 0x5C: "\\\\"}
    if byte in special:
        return special[byte]
    return chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}"


def excerpt(data: bytes, offset: int) -> str:
    """Two lines: the line of `data` around `offset`, and a caret under the byte at `offset`.

    An offset at the start of a line shows the line before too, for context. An offset equal
    to len(data) points just past the last byte (where more was awaited). At most
    _EXCERPT_WIDTH bytes are shown on each side, and fewer where their escapes are long (binary
    bytes take four characters each), so that the first line stays under 200 characters.
    """
    line_start = data.rfind(b"\n", 0, offset) + 1
    if line_start == offset:
        line_start = data.rfind(b"\n", 0, max(offset - 1, 0)) + 1
    start = _widest(data, offset, max(line_start, offset - _EXCERPT_WIDTH), -1)
    line_end = data.find(b"\n", offset)
    end = _widest(data, offset, min(len(data) if line_end < 0 else line_end + 1, offset + _EXCERPT_WIDTH), 1)
    before = "".join(_escape(byte) for byte in data[start:offset])
    shown = ("..." if start > 0 else "") + show_bytes(data[start:end]) + ("..." if end < len(data) else "")
    label = f"at byte {offset}: "
    caret = len(label) + (3 if start > 0 else 0) + 1 + len(before)
    return f"{label}{shown}\n{' ' * caret}^"


def _widest(data: bytes, offset: int, bound: int, step: int) -> int:
    """How far from `offset` towards `bound` (step -1: back, 1: on) bytes can be shown in
    _EXCERPT_CHARACTERS characters of escapes."""
    used, position = 0, offset
    while position != bound:
        byte = data[position - 1] if step < 0 else data[position]
        used += len(_escape(byte))
        if used > _EXCERPT_CHARACTERS:
            break
        position += step
    return position


class ResponseError(Exception):
    """What the server sent is not a valid HTTP/1.1 response to what was asked.

    `problem` is a sentence for the learner; `data` is every byte received on the connection
    and `offset` the byte the problem is at (len(data) when bytes are missing).
    """

    def __init__(self, problem: str, data: bytes, offset: int):
        super().__init__(problem)
        self.problem = problem
        self.data = bytes(data)
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.problem}\n{excerpt(self.data, self.offset)}"


@dataclass(frozen=True)
class Response:
    """One complete response, as parsed and as it was on the wire."""

    method: str  # of the request it answers
    http_version: str  # "1.1"
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]  # names and values as sent, in order
    body: bytes
    raw: bytes  # the exact bytes of this response, head and body
    offset: int  # where `raw` starts in the bytes received on the connection

    def header(self, name: str) -> str | None:
        """The value of header `name` (any case), values of repeated headers joined by ", "."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None


@dataclass(frozen=True)
class _Awaited:
    """A request that was sent and whose response is still to be read."""

    method: str
    closes: bool


class ResponseReader:
    """Reads the responses that come back on one connection.

    Tell it about each request sent (`expect`), give it every byte received (`feed`, and
    `feed_eof` when the server closed), then ask for responses in order (`next_response`).
    When a response does not come in time, `stalled()` says what is missing; once every
    response is read, `finish()` says whether anything else came.
    """

    def __init__(self) -> None:
        self._h11 = h11.Connection(h11.CLIENT)
        self._data = bytearray()
        self._eof = False
        self._awaited: deque[_Awaited] = deque()
        self._current: _Awaited | None = None  # the request whose response is being read
        self._ended = False  # whether the connection had ended before that request
        self._start = 0  # where that response starts; else where the next one will
        self._head_checked = False  # whether that response's head passed the raw checks
        self._h11_head: h11.Response | None = None
        self._body = bytearray()
        self.responses: list[Response] = []

    @property
    def data(self) -> bytes:
        """Every byte received so far."""
        return bytes(self._data)

    @property
    def reusable(self) -> bool:
        """Whether another request may follow on this connection, by what was sent and received."""
        return self._h11.our_state in (h11.IDLE, h11.DONE) and self._h11.their_state in (h11.IDLE, h11.DONE)

    def expect(self, method: str, *, close: bool = False) -> None:
        """A request with `method` was sent; `close` if it ends the connection (see Request)."""
        self._awaited.append(_Awaited(method, close))

    def feed(self, data: bytes) -> None:
        self._data += data
        self._h11.receive_data(data)

    def feed_eof(self) -> None:
        """The server closed its side of the connection."""
        self._eof = True

    def next_response(self) -> Response | None:
        """The next complete response, or None while more bytes are needed.

        Raises ResponseError as soon as the bytes cannot be a valid response, or when the
        connection closed before the response was complete.
        """
        if self._current is None:
            if not self._awaited:
                raise RuntimeError("next_response() without a request awaiting its response")
            self._begin(self._awaited.popleft())
        if not self._head_checked:
            self._head_checked = self._check_head()
            if not self._head_checked:
                if self._eof:
                    raise self._incomplete("the connection closed")
                return None
        return self._read_with_h11()

    def stalled(self) -> ResponseError:
        """What is missing, for when no more bytes came while a response was awaited."""
        return self._incomplete("no more bytes came")

    def finish(self) -> None:
        """Raise ResponseError if a response is still incomplete or bytes came after the last one."""
        if self._current is not None or self._awaited:
            raise self.stalled()
        if len(self._data) > self._start:
            raise self._extra_bytes(ended=not self.reusable)

    def _begin(self, request: _Awaited) -> None:
        """Start reading the response to `request`; tell h11 a request was sent, if one could be."""
        self._ended = not self.reusable  # the previous response closed the connection
        if not self._ended:
            if self._h11.our_state is h11.DONE:
                self._h11.start_next_cycle()
            headers = [("Host", "grader")] + ([("Connection", "close")] if request.closes else [])
            self._h11.send(h11.Request(method=request.method, target="/", headers=headers))
            self._h11.send(h11.EndOfMessage())
        self._current = request

    # -- the raw checks of a response head ------------------------------------------------

    def _check_head(self) -> bool:
        """Check the head at self._start line by line; return whether it is complete.

        Only complete lines are checked, except that the
        first bytes must begin a status line: a server that sends no head at all, and keeps
        the connection open, is caught at once instead of after a timeout.
        """
        data, pos = self._data, self._start
        if len(data) > pos and self._ended:
            raise self._extra_bytes(ended=True)
        if data[pos : pos + 5] != b"HTTP/"[: len(data) - pos]:
            if self.responses:
                raise self._extra_bytes(ended=False)
            raise self._error("the response does not start with a status line such as HTTP/1.1 200 OK", pos)
        fields: list[tuple[str, int, int, int]] = []
        while True:
            newline = data.find(b"\n", pos)
            if newline < 0:
                return False
            if newline == pos or data[newline - 1] != _CR:
                raise self._error(
                    "this line ends in a bare \\n (LF); every line of an HTTP/1.1 head ends in \\r\\n (CRLF)",
                    newline,
                )
            end = newline - 1
            stray_cr = data.find(b"\r", pos, end)
            if stray_cr >= 0:
                raise self._error(
                    "a \\r (CR) inside a line: CR may only come right before the \\n that ends a line", stray_cr
                )
            if pos == self._start:
                status = self._check_status_line(pos, end)
            elif pos == end:
                self._check_framing(fields, status, end)
                return True
            else:
                fields.append(self._check_field_line(pos, end))
            pos = newline + 1

    def _check_status_line(self, pos: int, end: int) -> int:
        """Check ``HTTP/1.x SP 3DIGIT SP reason``; return the status code."""
        data = self._data
        # pos..pos+4 is "HTTP/", checked by _check_head.
        if data[pos + 5 : pos + 6] != b"1" or data[pos + 6 : pos + 7] != b"." or data[pos + 7] not in _DIGITS:
            raise self._error("the HTTP version must be HTTP/1.1 (or HTTP/1.0)", pos + 5)
        self._expect_space(pos + 8, end, "after the HTTP version comes one space, then the status code")
        code = pos + 9
        if end < code + 3 or any(byte not in _DIGITS for byte in data[code : code + 3]):
            offset = next((i for i in range(code, min(code + 3, end)) if data[i] not in _DIGITS), min(code + 3, end))
            raise self._error("the status code must be three digits, such as 200", offset)
        if code + 3 == end:
            raise self._error(
                "the status line has no reason phrase: it is version, space, code, space, reason,"
                " such as HTTP/1.1 200 OK",
                end,
            )
        self._expect_space(code + 3, end, "after the status code comes one space, then the reason phrase")
        self._check_value_bytes(code + 4, end, "the reason phrase")
        return int(data[code : code + 3])

    def _expect_space(self, offset: int, end: int, problem: str) -> None:
        if offset >= end or self._data[offset] != 0x20:
            raise self._error(problem, offset)

    def _check_field_line(self, pos: int, end: int) -> tuple[str, int, int, int]:
        """Check ``name ":" OWS value OWS``; return (lowercased name, pos, value offset, end)."""
        data = self._data
        if data[pos] in _WHITESPACE:
            raise self._error(
                "a header line starts with whitespace (obsolete line folding): every header is"
                " one line, Name: value",
                pos,
            )
        colon = pos
        while colon < end and data[colon] in _TOKEN:
            colon += 1
        if colon == end or b":" not in data[colon:end]:
            raise self._error("this header line has no colon: a header line is Name: value", colon)
        if data[colon] in _WHITESPACE:
            raise self._error("no whitespace is allowed between a header name and its colon", colon)
        if data[colon] != ord(":") or colon == pos:
            raise self._error("a header name is a word of letters, digits and -, followed by a colon", colon)
        self._check_value_bytes(colon + 1, end, "a header value")
        value = colon + 1
        while value < end and data[value] in _WHITESPACE:
            value += 1
        return data[pos:colon].decode("ascii").lower(), pos, value, end

    def _check_value_bytes(self, start: int, end: int, what: str) -> None:
        for offset in range(start, end):
            if self._data[offset] not in _FIELD_VALUE:
                raise self._error(f"{what} may not contain the control byte {_escape(self._data[offset])}", offset)

    def _check_framing(self, fields: list[tuple[str, int, int, int]], status: int, blank_line: int) -> None:
        """One way to find the end of the body: Content-Length, or chunked, or the close."""
        lengths = [field for field in fields if field[0] == "content-length"]
        encodings = [field for field in fields if field[0] == "transfer-encoding"]
        if len(lengths) > 1:
            raise self._error("Content-Length is sent twice; send it once", lengths[1][1])
        if lengths and encodings:
            raise self._error(
                "Content-Length and Transfer-Encoding in one response: send only one of them"
                " (Content-Length: the number of bytes in the body)",
                max(lengths[0][1], encodings[0][1]),
            )
        if lengths:
            _, _, value, end = lengths[0]
            digits = self._data[value:end].rstrip(b" \t")
            if not digits or not all(byte in _DIGITS for byte in digits):
                raise self._error("Content-Length must be a whole number of bytes, such as 13", value)
        has_body = self._current.method != "HEAD" and status >= 200 and status not in (204, 304)
        if has_body and not lengths and not encodings and not self._current.closes:
            raise self._error(
                "the headers end here without a Content-Length, so the body would only end when the"
                " server closes the connection, and the connection could not carry another request;"
                " send Content-Length: <number of bytes in the body>",
                blank_line,
            )

    # -- framing by h11 ---------------------------------------------------------------------

    def _read_with_h11(self) -> Response | None:
        while True:
            unparsed = self._unparsed_offset()  # where h11's complaint, if any, begins
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as error:
                if self._h11.trailing_data[1]:  # h11 knows of the close: it cut the response short
                    raise self._incomplete("the connection closed") from None
                raise self._error(f"not valid HTTP/1.1: {error}", unparsed) from None
            if event is h11.NEED_DATA:
                if self._eof and not self._h11.trailing_data[1]:
                    # Told only now, so that h11's errors before this point are about bytes.
                    self._h11.receive_data(b"")
                    continue
                return None
            if isinstance(event, h11.InformationalResponse):
                raise self._error(f"an interim {event.status_code} response that nobody asked for", self._start)
            if isinstance(event, h11.Response):
                self._h11_head = event
            elif isinstance(event, h11.Data):
                self._body += event.data
            elif isinstance(event, h11.EndOfMessage):
                return self._complete()

    def _unparsed_offset(self) -> int:
        return len(self._data) - len(self._h11.trailing_data[0])

    def _complete(self) -> Response:
        end = self._unparsed_offset()
        head = self._h11_head
        response = Response(
            method=self._current.method,
            http_version=head.http_version.decode("ascii"),
            status=head.status_code,
            reason=head.reason.decode("latin-1"),
            headers=tuple((name.decode("ascii"), value.decode("latin-1")) for name, value in head.headers.raw_items()),
            body=bytes(self._body),
            raw=bytes(self._data[self._start : end]),
            offset=self._start,
        )
        self.responses.append(response)
        self._current, self._start, self._head_checked, self._h11_head = None, end, False, None
        self._body = bytearray()
        return response

    # -- problems -----------------------------------------------------------------------------

    def _error(self, problem: str, offset: int) -> ResponseError:
        return ResponseError(problem, self._data, offset)

    def _extra_bytes(self, *, ended: bool) -> ResponseError:
        """Bytes after the end of the last response: say where that end was and why.

        They are counted up to the next status line, if one follows.
        """
        if not ended and self._data.startswith(b"HTTP/", self._start):
            status_line = bytes(self._data[self._start :]).split(b"\r\n", 1)[0][:60]
            return self._error(
                f"one response more than the requests sent came, {show_bytes(status_line)}: the server"
                " took part of a request, or a request body, for a request of its own",
                self._start,
            )
        last = self.responses[-1]
        if ended:
            why = "it ended the connection, so nothing may follow it"
        elif last.method == "HEAD":
            why = "a response to HEAD has no body: it ends with the blank line after its headers"
        elif last.header("Content-Length") is not None:
            why = (
                f"its Content-Length: {last.header('Content-Length')} ends the body here;"
                " Content-Length counts the bytes of the body, exactly"
            )
        elif last.header("Transfer-Encoding") is not None:
            why = "its last chunk ends it here"
        else:
            why = "it has no body"
        next_status_line = self._data.find(b"HTTP/1.", self._start + 1)
        count = (len(self._data) if next_status_line < 0 else next_status_line) - self._start
        plural = "s" if count != 1 else ""
        return self._error(f"{count} more byte{plural} came after the end of the response ({why})", self._start)

    def _incomplete(self, what_happened: str) -> ResponseError:
        """The response being awaited is not complete: say how far it got."""
        end = len(self._data)
        method = (self._current or self._awaited[0]).method
        if self._current is None or end == self._start:
            return self._error(f"{what_happened} before any response to the {method} request", end)
        if self._h11_head is None:
            return self._error(
                f"{what_happened} before the end of the response head"
                " (the empty line, \\r\\n\\r\\n, after the headers)",
                end,
            )
        length = _header(self._h11_head, b"content-length")
        if length is not None:
            return self._error(
                f"{what_happened} after {len(self._body)} of the {int(length)} body bytes that"
                f" Content-Length: {int(length)} announced",
                end,
            )
        if _header(self._h11_head, b"transfer-encoding") is not None:
            return self._error(f"{what_happened} in the middle of the chunked body (no final 0-size chunk)", end)
        return self._error(
            f"{what_happened}, and the connection stayed open: without Content-Length the body only"
            " ends when the server closes the connection",
            end,
        )


def _header(head: h11.Response, name: bytes) -> bytes | None:
    return next((value for key, value in head.headers if key == name), None)


# -- what the grader sends -------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """A well-formed request the grader sends: its bytes, and what the reader must know of it.

    Headers are exactly those given (add Host and Content-Length yourself), so a check can
    also leave one out on purpose.
    """

    method: str
    target: str = "/"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    version: str = "HTTP/1.1"

    def to_bytes(self) -> bytes:
        lines = [f"{self.method} {self.target} {self.version}"] + [f"{name}: {value}" for name, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body

    @property
    def closes_connection(self) -> bool:
        """Whether the server must close the connection after answering (RFC 9112 §9.3)."""
        tokens = {
            token.strip().lower()
            for name, value in self.headers
            if name.lower() == "connection"
            for token in value.split(",")
        }
        return "close" in tokens or (self.version == "HTTP/1.0" and "keep-alive" not in tokens)


_CURL_METHOD = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Targets curl sends exactly as written (no characters it would encode, glob or drop).
_CURL_TARGET = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")
_DOT_SEGMENT = re.compile(r"/\.\.?(/|\?|$)")
_PRINTABLE = re.compile(rb"[\x20-\x7e]*")


def curl_command(requests: list[Request], host: str, port: int) -> str | None:
    """A `curl -v` command line that sends the same requests on one connection, or None.

    For the learner to reproduce a check by hand, so (host, port) is where the learner runs
    their server, not where the grader ran it. curl writes its own Host header for that
    address in place of the request's, and adds User-Agent and Accept. None where curl cannot
    send the same thing (a malformed request line, a body that is not printable text, a
    Content-Length that does not match the body).
    """
    words = ["curl", "-v"]
    for number, request in enumerate(requests):
        arguments = _curl_arguments(request, host, port)
        if arguments is None:
            return None
        words += (["--next"] if number else []) + arguments
    return " ".join(shlex.quote(word) for word in words)


def _curl_arguments(request: Request, host: str, port: int) -> list[str] | None:
    if not _CURL_METHOD.fullmatch(request.method) or not _CURL_TARGET.fullmatch(request.target):
        return None
    if request.version not in ("HTTP/1.0", "HTTP/1.1") or not _PRINTABLE.fullmatch(request.body):
        return None
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    arguments = ["--http1.0"] if request.version == "HTTP/1.0" else []
    has_host = False
    has_length = False
    for name, value in request.headers:
        if not value:
            return None
        if name.lower() == "host":
            has_host = True
            continue
        if name.lower() == "content-length":
            if value != str(len(request.body)):
                return None
            has_length = True
            continue
        arguments += ["-H", f"{name}: {value}"]
    if not has_host:
        arguments += ["-H", "Host:"]  # curl's way to leave out a header it would add
    if request.body and not has_length:
        return None  # curl always says how long the body is
    if request.method == "HEAD" and not has_length:
        arguments.append("-I")  # not -X HEAD, with which curl waits for a body
    elif request.method != ("POST" if has_length else "GET"):  # curl's method without -X
        arguments += ["-X", request.method]
    if has_length:
        arguments += ["--data-binary", request.body.decode("ascii")]
    if _DOT_SEGMENT.search(request.target):
        arguments.append("--path-as-is")
    return arguments + [f"http://{authority}{request.target}"]
