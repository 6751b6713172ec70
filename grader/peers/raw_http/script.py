"""What the scripted HTTP server sends and how, and what it expects to receive, without sockets.

The http_client checks judge a learner's HTTP client by the responses it must survive, so each
probe is a script: the exact bytes of one response (written here byte by byte, never by an HTTP
library, so a malformed one is as easy to write as a good one), where they are cut into
``send()`` calls, the pause between two pieces, and what the server does after the last piece:
close the connection, reset it, or keep it open as a keep-alive server does. A response cut
short and then closed is an early close; cut short and kept open, a server gone silent.

The request side is the other half: ``request_problem`` reads the bytes the client sent and
names the first thing that is not the GET the contract asks for, with the byte it is at, so
the check can put a caret under it (``grader.peers.http.wire.excerpt``).
"""

from dataclasses import dataclass

CRLF = "\r\n"
CLOSE, RESET, OPEN = "close", "reset", "open"  # what the server does after its last piece


@dataclass(frozen=True)
class Script:
    """One response and how the server delivers it."""

    response: bytes
    cuts: tuple = ()  # offsets in ``response`` where a new send() starts
    pause: float = 0.0  # seconds between two pieces
    then: str = CLOSE  # after the last piece: CLOSE (a FIN), RESET (a RST) or OPEN (keep it open)
    name: str | None = None  # the name of a canned response (RESPONSES), for the command line

    def pieces(self):
        """The bytes of the response as the server hands them to send(), in order."""
        edges = [0, *sorted(c for c in set(self.cuts) if 0 < c < len(self.response)), len(self.response)]
        return [self.response[a:b] for a, b in zip(edges, edges[1:]) if b > a]

    def describe(self):
        """How the server behaves, in the learner's words."""
        pieces = self.pieces()
        if not pieces:
            how = "sends nothing"
        elif len(pieces) == 1:
            how = f"sends its {len(self.response):,} bytes in one piece"
        elif all(len(piece) == 1 for piece in pieces):
            how = f"sends its {len(self.response):,} bytes one byte at a time"
        else:
            shown = ", ".join(map(str, sorted(set(self.cuts))[:12])) + (", ..." if len(self.cuts) > 12 else "")
            how = f"sends its {len(self.response):,} bytes in {len(pieces)} pieces, cut at bytes {shown}"
        if self.pause and len(pieces) > 1:
            how += f", {_seconds(self.pause)} apart"
        after = {CLOSE: "then closes the connection", RESET: "then resets the connection (a TCP RST)",
                 OPEN: "then keeps the connection open, sending nothing more"}[self.then]
        return f"{how}, {after}"

    def options(self):
        """The command-line options of ``python -m grader.peers.raw_http`` that serve this script."""
        words = [f"--response {self.name}"] if self.name else [f"--bytes {_shell_bytes(self.response)}"]
        pieces = self.pieces()
        if len(pieces) > 1 and all(len(piece) == 1 for piece in pieces):
            words.append("--cut bytes")
        elif len(pieces) > 1:
            words.append("--cut " + ",".join(str(c) for c in sorted(set(self.cuts))))
        if self.pause and len(pieces) > 1:
            words.append(f"--pause {self.pause:g}")
        if self.then != CLOSE:
            words.append(f"--then {self.then}")
        return " ".join(words)


def every_byte(data):
    """Cuts that put every byte of ``data`` in a send of its own."""
    return tuple(range(1, len(data)))


# -- writing responses ---------------------------------------------------------------------------

def head(status=200, reason="OK", fields=(), version="HTTP/1.1"):
    """A response head: status line, the fields as given (name, value), the blank line."""
    lines = [f"{version} {status} {reason}"] + [f"{name}: {value}" for name, value in fields]
    return (CRLF.join(lines) + CRLF + CRLF).encode("latin-1")


def with_length(body, status=200, reason="OK", fields=()):
    """A response framed by Content-Length."""
    return head(status, reason, [*fields, ("Content-Length", len(body))]) + body


def chunk(data, extension=""):
    """One chunk: its size in hex (with an extension, if any), CRLF, the data, CRLF."""
    return f"{len(data):X}{extension}{CRLF}".encode("ascii") + data + CRLF.encode()


def chunked_body(body, sizes=(), extensions=(), trailers=()):
    """``body`` in chunks of the given sizes (repeating; one chunk when none), the last chunk and
    the trailer fields. ``extensions`` are written after the sizes of the first chunks."""
    out, start, index = bytearray(), 0, 0
    while start < len(body):
        size = sizes[index % len(sizes)] if sizes else len(body)
        out += chunk(body[start:start + size], extensions[index] if index < len(extensions) else "")
        start, index = start + size, index + 1
    out += b"0" + (extensions[index].encode() if index < len(extensions) else b"") + CRLF.encode()
    out += "".join(f"{name}: {value}{CRLF}" for name, value in trailers).encode("latin-1")
    return bytes(out + CRLF.encode())


def chunked(body, sizes=(), extensions=(), trailers=(), status=200, reason="OK", fields=()):
    """A response framed by Transfer-Encoding: chunked."""
    return head(status, reason, [*fields, ("Transfer-Encoding", "chunked")]) + chunked_body(
        body, sizes, extensions, trailers)


# The canned responses `python -m grader.peers.raw_http --response NAME` serves (and the checks
# name them, so their "Try it" lines are short).
HELLO = b"Hello, World!"
RESPONSES = {
    "length": with_length(HELLO, fields=[("Content-Type", "text/plain")]),
    "chunked": chunked(b"Hello, chunked World!", sizes=[5, 9], extensions=[";name=value", "", ";x"],
                       trailers=[("Expires", "never")], fields=[("Content-Type", "text/plain")]),
    "close": head(fields=[("Content-Type", "text/plain")]) + b"Everything until the server closes.",
    "interim": head(100, "Continue") + head(103, "Early Hints", [("Link", "</style.css>; rel=preload")])
    + with_length(b"final", fields=[("Content-Type", "text/plain")]),
    "no-content": head(204, "No Content", [("X-Note", "no body follows")]),
    "fields": with_length(b"{}", fields=[("content-TYPE", "application/json"), ("X-Twice", "one"),
                                         ("x-twice", "two"), ("X-Spaces", " \t padded\t ")]),
    "redirect": head(302, "", [("Location", "/elsewhere"), ("Content-Length", "0")]),
}


# -- what the client sent --------------------------------------------------------------------------

@dataclass(frozen=True)
class Expected:
    """The request a URL must produce: its target and its Host header."""

    target: str
    host: str


@dataclass(frozen=True)
class Problem:
    """What is wrong with a request, and the offset of the byte it is at."""

    text: str
    offset: int


def head_end(data):
    """The offset just past the blank line that ends a request head (CRLF or bare LF lines), or None."""
    ends = [i + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (i := data.find(sep)) >= 0]
    return min(ends) if ends else None


def request_problem(data, expected):
    """The first way the request ``data`` is not the GET ``expected`` asks for, or None."""
    end = head_end(data)
    if end is None:
        return Problem("The request head has no blank line (b'\\r\\n\\r\\n') at its end, so the server "
                       "is still waiting for the rest of it.", len(data))
    position = 0
    lines = []
    while position < end:
        stop = data.index(b"\n", position)
        if stop == position or data[stop - 1] != 0x0D:
            return Problem("This line ends in a bare \\n: every line of an HTTP request ends in \\r\\n.", stop)
        lines.append((position, data[position:stop - 1]))
        position = stop + 1
    (start, request_line), *field_lines = lines[:-1]  # the last is the blank line
    parts = request_line.split(b" ")
    if len(parts) != 3:
        return Problem(f"The request line must be three parts with one space between them "
                       f"(GET {expected.target} HTTP/1.1), not {len(parts)}.", start)
    method, target, version = parts
    if method != b"GET":
        return Problem(f"The method is {method.decode('latin-1')!r}; the contract asks for GET.", start)
    if target != expected.target.encode():
        why = " (the #fragment stays in the client: it is never sent)" if b"#" in target else ""
        return Problem(f"The request target is {target.decode('latin-1')!r}; for this URL it is "
                       f"{expected.target!r}{why}.", start + 4)
    if version != b"HTTP/1.1":
        return Problem(f"The version is {version.decode('latin-1')!r}; the contract asks for HTTP/1.1.",
                       start + 5 + len(target))
    fields = {}
    for offset, line in field_lines:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            return Problem("This header line is not 'Name: value'.", offset)
        fields.setdefault(name.decode("latin-1").lower(), []).append((offset, value.strip(b" \t").decode("latin-1")))
    hosts = fields.get("host", [])
    if len(hosts) != 1:
        return Problem(f"The request has {len(hosts)} Host headers; it needs exactly one: "
                       f"Host: {expected.host}.", end - 2 if not hosts else hosts[1][0])
    (host_at, host), = hosts
    if host != expected.host:
        why = " (with the port, since it is not 80)" if ":" in expected.host and ":" not in host else ""
        return Problem(f"The Host header is {host!r}; for this URL it is {expected.host!r}{why}.", host_at)
    tokens = {token.strip().lower() for _, value in fields.get("connection", []) for token in value.split(",")}
    if "close" not in tokens:
        return Problem("The request has no 'Connection: close' header, so a keep-alive server keeps the "
                       "connection open after its response.", end - 2)
    return None


def _seconds(value):
    return f"{value * 1000:g} ms" if value < 1 else f"{value:g} s"


_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("\\"): "\\\\"}


def _shell_bytes(data):
    """``data`` as one shell word holding a Python bytes literal's body ('HTTP/1.1 200 OK\\r\\n...')."""
    body = "".join(_ESCAPES.get(b, chr(b) if 32 <= b < 127 and b != 39 else f"\\x{b:02x}") for b in data)
    return f"'{body}'"


def parse_bytes_option(text):
    """The inverse of ``_shell_bytes`` once the shell has removed its quotes."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")
