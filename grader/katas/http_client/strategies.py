"""Hypothesis strategies for the http_client property: a response, its framing, and its cuts.

A drawn response is a body (any bytes, with the ones that trip parsers mixed in: CRLF, a blank
line, a chunk's "0\\r\\n\\r\\n", a status line), framed one of the three ways RFC 9112 §6.3 allows
(Content-Length, chunks of drawn sizes with or without extensions and trailers, or the close),
plus header fields in any case; then the offsets where the server starts a new send(), and
whether it closes or keeps the connection open after a framed body; the pieces go out PAUSE apart. Hypothesis shrinks towards
short bodies, one chunk and no cuts.
"""

from dataclasses import dataclass

from hypothesis import strategies as st

from grader.peers.raw_http.script import CLOSE, OPEN, Script, chunked, head, with_length

# Between two pieces: a client blocked in recv() returns the first alone (without a pause the kernel
# may join them again, as timing decides, and the same draw could pass or fail); 4 cuts at most
# keep an example within 12 ms of pauses.
PAUSE = 0.003
TRICKY = [b"\r\n", b"\r\n\r\n", b"0\r\n\r\n", b"HTTP/1.1 200 OK\r\n", b"\n", b"\r", b"\x00", b":"]

body = st.lists(st.one_of(st.binary(max_size=40), st.sampled_from(TRICKY)), max_size=6).map(b"".join)
field_name = st.sampled_from(["X-Note", "x-note", "X-NOTE", "Server", "cache-control"])
field_value = st.sampled_from(["a", "no-cache", "max-age=60", "text/plain; q=1", "two words"])


@dataclass(frozen=True)
class Drawn:
    """A drawn response as the server sends it, and what http_get must return for it."""

    script: Script
    expected: tuple
    framing: str  # "Content-Length", "chunked" or "close"


def _fields(pairs):
    """What http_get returns for these fields: names lower-cased, repeats joined with ", "."""
    joined = {}
    for name, value in pairs:
        name = name.lower()
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


@st.composite
def responses(draw):
    data = draw(body)
    fields = draw(st.lists(st.tuples(field_name, field_value), max_size=3))
    framing = draw(st.sampled_from(["Content-Length", "chunked", "close"]))
    if framing == "Content-Length":
        response = with_length(data, fields=fields)
        returned = [*fields, ("Content-Length", str(len(data)))]
    elif framing == "chunked":
        sizes = draw(st.lists(st.integers(1, 40), min_size=1, max_size=3))
        extensions = [";ext=1", "", ';q="a b"'] if draw(st.booleans()) else []
        trailers = [("X-Trailer", "dropped")] if draw(st.booleans()) else []
        response = chunked(data, sizes, extensions, trailers, fields=fields)
        returned = [*fields, ("Transfer-Encoding", "chunked")]
    else:
        response = head(fields=fields) + data
        returned = fields
    cuts = tuple(draw(st.lists(st.integers(1, max(1, len(response) - 1)), max_size=4, unique=True)))
    then = CLOSE if framing == "close" else draw(st.sampled_from([CLOSE, OPEN]))
    return Drawn(Script(response, cuts, PAUSE, then), (200, _fields(returned), data), framing)
