"""Broken: splits the status line at every run of spaces, so an empty reason makes it 2 parts."""

import socket
from urllib.parse import urlsplit


def http_get(url, timeout=5.0):
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError("only http://host URLs")
    port = parts.port or 80
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    host = parts.hostname if port == 80 else f"{parts.hostname}:{port}"
    request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nUser-Agent: mine\r\n\r\n"
    with socket.create_connection((parts.hostname, port), timeout=timeout) as sock:
        sock.sendall(request.encode())
        buf = bytearray()

        def more():
            data = sock.recv(4096)
            if not data:
                raise ConnectionError("closed early")
            buf.extend(data)

        def take_line():
            while b"\r\n" not in buf:
                more()
            i = buf.index(b"\r\n")
            line = bytes(buf[:i])
            del buf[:i + 2]
            return line

        def take(n):
            while len(buf) < n:
                more()
            data = bytes(buf[:n])
            del buf[:n]
            return data

        while True:
            while b"\r\n\r\n" not in buf:
                more()
            end = buf.index(b"\r\n\r\n")
            lines = bytes(buf[:end]).split(b"\r\n")
            del buf[:end + 4]
            status_line = lines[0].split()
            if len(status_line) < 3 or not status_line[0].startswith(b"HTTP/1.") or len(status_line[0]) != 8 \
                    or len(status_line[1]) != 3 or not status_line[1].isdigit():
                raise ValueError(f"bad status line {lines[0]!r}")
            status = int(status_line[1])
            headers = {}
            for line in lines[1:]:
                if b":" not in line:
                    raise ValueError(f"bad header line {line!r}")
                name, value = line.split(b":", 1)
                name, value = name.decode("latin-1").lower(), value.decode("latin-1").strip(" \t")
                headers[name] = headers[name] + ", " + value if name in headers else value
            if status >= 200:
                break
        if status in (204, 304):
            return status, headers, b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            while True:
                size_text = take_line().split(b";")[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise ValueError(f"bad chunk size {size_text!r}") from None
                if size == 0:
                    break
                body += take(size)
                take(2)
            while take_line():
                pass
            return status, headers, bytes(body)
        if "content-length" in headers:
            if not headers["content-length"].isdigit():
                raise ValueError("bad Content-Length")
            return status, headers, take(int(headers["content-length"]))
        while data := sock.recv(4096):
            buf += data
        return status, headers, bytes(buf)
