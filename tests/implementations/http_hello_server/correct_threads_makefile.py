"""Correct: raw sockets, a thread per connection, reading lines through socket.makefile()."""

import socket
import threading

BODY = b"Hello, World!"
MAX_LINE = 8192 + 2  # a head line may be as long as a whole accepted head


def read_request(stream):
    """(method, version, headers) of the next request; None when the client has gone.

    Raises ValueError for a malformed request.
    """
    line = stream.readline(MAX_LINE)
    if not line:
        return None
    parts = line.rstrip(b"\r\n").split(b" ")
    if not line.endswith(b"\r\n") or len(parts) != 3 or parts[2] not in (b"HTTP/1.0", b"HTTP/1.1"):
        raise ValueError(line)
    headers = {}
    while (line := stream.readline(MAX_LINE)) != b"\r\n":
        name, colon, value = line.rstrip(b"\r\n").partition(b":")
        if not line.endswith(b"\r\n") or not colon or not name or name.strip() != name:
            raise ValueError(line)
        headers[name.lower()] = value.strip()
    if parts[2] == b"HTTP/1.1" and b"host" not in headers:
        raise ValueError("no Host")
    return parts[0], parts[2], headers


def head(status, *extra):
    lines = [f"HTTP/1.1 {status}", "Content-Type: text/plain; charset=utf-8", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def handle(conn):
    with conn, conn.makefile("rb") as stream:
        try:
            while (request := read_request(stream)) is not None:
                method, version, headers = request
                stream.read(int(headers.get(b"content-length", b"0")))
                close = version == b"HTTP/1.0" or headers.get(b"connection", b"").lower() == b"close"
                extra = ("Connection: close",) if close else ()
                if method in (b"GET", b"HEAD"):
                    reply = head("200 OK", f"Content-Length: {len(BODY)}", *extra) + (BODY if method == b"GET" else b"")
                else:
                    reply = head("405 Method Not Allowed", "Allow: GET, HEAD", "Content-Length: 0", *extra)
                conn.sendall(reply)
                if close:
                    break
        except ValueError:
            conn.sendall(head("400 Bad Request", "Content-Length: 0", "Connection: close"))
        except OSError:
            pass


def serve(host: str, port: int) -> None:
    listener = socket.create_server((host, port), backlog=128)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
