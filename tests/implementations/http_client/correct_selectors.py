"""Correct: a non-blocking socket and a selector, every wait bounded by timeout, parsing as bytes arrive."""

import selectors
import socket
from urllib.parse import urlsplit


class Conn:
    def __init__(self, sock, timeout):
        self.sock, self.timeout = sock, timeout
        self.sel = selectors.DefaultSelector()
        self.sel.register(sock, selectors.EVENT_READ)
        self.buf = b""
        self.eof = False

    def fill(self):
        if not self.sel.select(self.timeout):
            raise TimeoutError("no data within the timeout")
        data = self.sock.recv(8192)
        if not data:
            self.eof = True
        self.buf += data
        return bool(data)

    def need(self):
        if not self.fill():
            raise ConnectionError("server closed early")

    def line(self):
        while b"\r\n" not in self.buf:
            self.need()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self, n):
        while len(self.buf) < n:
            self.need()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data


def send_all(sock, data, timeout):
    with selectors.DefaultSelector() as sel:
        sel.register(sock, selectors.EVENT_WRITE)
        while data:
            if not sel.select(timeout):
                raise TimeoutError("could not send")
            data = data[sock.send(data):]


def http_get(url, timeout=5.0):
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise ValueError("scheme must be http")
    if not parts.hostname:
        raise ValueError("no host")
    port = parts.port or 80
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    hostport = parts.hostname + ("" if port == 80 else f":{port}")
    sock = socket.create_connection((parts.hostname, port), timeout=timeout)
    try:
        sock.setblocking(False)
        send_all(sock, f"GET {target} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n\r\n".encode(), timeout)
        conn = Conn(sock, timeout)
        try:
            status, headers = read_head(conn)
            while status // 100 == 1:
                status, headers = read_head(conn)
            if status in (204, 304):
                return status, headers, b""
            if "transfer-encoding" in headers and headers["transfer-encoding"].lower() == "chunked":
                out = []
                while True:
                    size = conn.line().partition(b";")[0]
                    if not size or size.strip(b"0123456789abcdefABCDEF"):
                        raise ValueError("bad chunk size")
                    if int(size, 16) == 0:
                        break
                    out.append(conn.read(int(size, 16)))
                    if conn.read(2) != b"\r\n":
                        raise ValueError("no CRLF after chunk")
                while conn.line() != b"":
                    pass
                return status, headers, b"".join(out)
            if "content-length" in headers:
                length = headers["content-length"]
                if not length.isdecimal() or not length.isascii():
                    raise ValueError("bad Content-Length")
                return status, headers, conn.read(int(length))
            while conn.fill():
                pass
            return status, headers, conn.buf
        finally:
            conn.sel.close()
    finally:
        sock.close()


def read_head(conn):
    version, _, rest = conn.line().partition(b" ")
    code, sp, _ = rest.partition(b" ")
    if version not in (b"HTTP/1.0", b"HTTP/1.1") or not sp or len(code) != 3 or not code.isdigit():
        raise ValueError("bad status line")
    headers = {}
    while (line := conn.line()):
        if b":" not in line:
            raise ValueError("bad header")
        name, value = line.split(b":", 1)
        name = name.decode("latin-1").lower()
        value = value.decode("latin-1").strip(" \t")
        headers[name] = headers[name] + ", " + value if name in headers else value
    return int(code), headers
