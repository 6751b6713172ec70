"""Takes its time within the contract: a pause before connecting, small reads, a pause before
returning (each wait is still bounded by timeout)."""

import socket
import ssl
import time


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    time.sleep(0.1)
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            for start in range(0, len(request), 1000):
                tls.sendall(request[start:start + 1000])
            pieces = []
            while chunk := tls.recv(1024):
                pieces.append(chunk)
    time.sleep(0.1)
    return b"".join(pieces)
