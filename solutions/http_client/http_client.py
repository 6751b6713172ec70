"""Exercise 8, reference solution: an HTTP/1.1 GET on `socket` alone.

The shape is the one every HTTP client has inside (h11, http.client, curl):

1. parse the URL and refuse what is not `http://host...` before touching the network;
2. send one request head, every line ended by CRLF;
3. read the response through one buffer (`_Reader`): lines for the status line, the header
   fields and the chunk sizes, exact byte counts for the body. Nothing is ever read past what
   the framing asks for, so a server that keeps the connection open after the body cannot make
   us wait;
4. pick the body's framing as RFC 9112 §6.3 says, in its order.

Every wait is bounded by the socket's timeout (set once, on connect), and the `with` block
closes the socket however the function ends.
"""

import socket
import sys
from urllib.parse import urlsplit

RECV_SIZE = 65536
MAX_LINE = 65536  # a status line, header line or chunk-size line longer than this is refused


def http_get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """GET `url` over HTTP/1.1; return (status, headers, body).

    Raises ValueError for a URL that is not http://host... (before connecting) and for a
    malformed response, ConnectionError when the server closes before the response is
    complete, and TimeoutError when a wait for the server takes longer than `timeout`.
    """
    host, port, target = _parse_url(url)
    host_header = host if port == 80 else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal goes back in brackets, in the Host header too
        host_header = f"[{host}]" if port == 80 else f"[{host}]:{port}"
    request = (f"GET {target} HTTP/1.1\r\n"
               f"Host: {host_header}\r\n"
               "Connection: close\r\n"
               "\r\n").encode("ascii")

    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        reader = _Reader(sock)
        status, headers = _read_head(reader)
        # Interim responses (100 Continue, 103 Early Hints) come before the real one: skip them,
        # fields and all (RFC 9110 §15.2). 101 Switching Protocols never answers a plain GET.
        while 100 <= status < 200:
            status, headers = _read_head(reader)
        body = _read_body(reader, status, headers)
    return status, headers, body


def _parse_url(url):
    """(host, port, request target) of an http:// URL, or ValueError."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http":
        raise ValueError(f"not an http:// URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"no host in {url!r}")
    port = parts.port or 80  # .port raises ValueError itself for a port that is not a number
    target = parts.path or "/"  # an empty path is "/" (RFC 9112 §3.2.1), also before a query
    if parts.query:
        target += "?" + parts.query
    return parts.hostname, port, target  # the fragment stays with the client: never sent


class _Reader:
    """The bytes of one connection, read as lines or as exact counts through one buffer."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray()

    def _fill(self, what):
        """Receive more bytes; an end of file here means the response was cut short."""
        chunk = self.sock.recv(RECV_SIZE)  # the socket's timeout bounds this wait
        if not chunk:
            raise ConnectionError(f"the server closed the connection {what}")
        self.buffer += chunk

    def line(self, what):
        """The next line, without its CRLF."""
        searched = 0
        while (end := self.buffer.find(b"\r\n", searched)) < 0:
            if len(self.buffer) > MAX_LINE:
                raise ValueError(f"{what} is longer than {MAX_LINE} bytes")
            searched = max(len(self.buffer) - 1, 0)  # a CR may be the last byte so far
            self._fill(f"in the middle of {what}")
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 2]
        return line

    def exactly(self, count, what):
        while len(self.buffer) < count:
            self._fill(f"after {len(self.buffer)} of the {count} bytes of {what}")
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def until_close(self):
        """Everything until the server closes: the body of a response without framing."""
        while chunk := self.sock.recv(RECV_SIZE):
            self.buffer += chunk
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def _read_head(reader):
    """The status line and the header fields up to the blank line."""
    line = reader.line("the status line")
    version, _, rest = line.partition(b" ")
    code, space, _reason = rest.partition(b" ")  # the reason may be empty, its space may not
    if not (len(version) == 8 and version.startswith(b"HTTP/1.") and version[7:].isdigit()) \
            or len(code) != 3 or not code.isdigit() or not space:
        raise ValueError(f"malformed status line: {line!r}")
    headers = {}
    while line := reader.line("the header fields"):
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise ValueError(f"malformed header line: {line!r}")
        name = name.decode("latin-1").lower()
        value = value.strip(b" \t").decode("latin-1")
        # A field sent several times is one list of values (RFC 9110 §5.3).
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return int(code), headers


def _read_body(reader, status, headers):
    """The body, framed as RFC 9112 §6.3 says, in its order."""
    if status in (204, 304):  # (1xx were skipped before we got here)
        return b""
    if "transfer-encoding" in headers:  # it wins over Content-Length
        if headers["transfer-encoding"].lower().rsplit(",", 1)[-1].strip() == "chunked":
            return _read_chunks(reader)
        return reader.until_close()  # an encoding we cannot frame: the body ends at close
    if "content-length" in headers:
        length = headers["content-length"]
        if not (length.isascii() and length.isdigit()):
            raise ValueError(f"Content-Length is not a number: {length!r}")
        return reader.exactly(int(length), "the body")
    return reader.until_close()


def _read_chunks(reader):
    body = bytearray()
    while True:
        size_line = reader.line("a chunk size")
        size = size_line.split(b";", 1)[0].strip(b" \t")  # drop chunk extensions
        if not size or any(byte not in b"0123456789abcdefABCDEF" for byte in size):
            raise ValueError(f"malformed chunk size: {size_line!r}")
        size = int(size, 16)
        if size == 0:
            break
        body += reader.exactly(size, "a chunk")
        if reader.exactly(2, "the CRLF after a chunk") != b"\r\n":
            raise ValueError("a chunk is not followed by CRLF")
    while reader.line("the trailer fields"):  # trailer fields: read and dropped
        pass
    return bytes(body)


if __name__ == "__main__":
    status, headers, body = http_get(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9000/")
    print(status)
    for name, value in headers.items():
        print(f"{name}: {value}")
    print(repr(body))
