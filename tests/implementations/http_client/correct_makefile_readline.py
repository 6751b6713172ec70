"""Correct: the socket read as a binary file, socket.makefile("rb"): readline() and read(n)."""

import re
import socket
from urllib.parse import urlsplit

STATUS = re.compile(rb"HTTP/1\.\d (\d{3}) .*")


def http_get(url, timeout=5.0):
    u = urlsplit(url)
    if u.scheme != "http" or not u.hostname:
        raise ValueError(url)
    port = u.port or 80
    path = u.path or "/"
    if u.query:
        path += "?" + u.query
    host = u.hostname if port == 80 else "%s:%d" % (u.hostname, port)
    with socket.create_connection((u.hostname, port), timeout) as sock, sock.makefile("rb") as f:
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path.encode(), host.encode()))

        def line():
            text = f.readline()
            if not text.endswith(b"\r\n"):
                raise ConnectionError("the connection closed in the middle of a line")
            return text[:-2]

        def exactly(n):
            data = f.read(n)
            if len(data) < n:
                raise ConnectionError("the connection closed in the middle of the body")
            return data

        while True:
            match = STATUS.fullmatch(line())
            if not match:
                raise ValueError("malformed status line")
            status = int(match.group(1))
            headers = {}
            while (field := line()) != b"":
                name, colon, value = field.partition(b":")
                if not colon:
                    raise ValueError("header line without a colon")
                key = name.decode("latin-1").lower()
                value = value.strip(b" \t").decode("latin-1")
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            if not 100 <= status < 200:
                break
        if status in (204, 304):
            body = b""
        elif headers.get("transfer-encoding", "").lower().endswith("chunked"):
            chunks = []
            while (size := line().split(b";")[0].strip()) != b"0":
                if not re.fullmatch(rb"[0-9A-Fa-f]+", size):
                    raise ValueError("chunk size is not hex")
                chunks.append(exactly(int(size, 16)))
                exactly(2)
            while line():
                pass
            body = b"".join(chunks)
        elif "content-length" in headers:
            if not re.fullmatch(r"[0-9]+", headers["content-length"]):
                raise ValueError("Content-Length is not a number")
            body = exactly(int(headers["content-length"]))
        else:
            body = f.read()
    return status, headers, body
