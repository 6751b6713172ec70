"""I keep every connection in a list, to reuse it later, and never close it."""

import socket
import ssl

_connections = []


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    context = ssl.create_default_context(cafile=cafile)
    sock = socket.create_connection((host, port), timeout=timeout)
    _connections.append(sock)
    tls = context.wrap_socket(sock, server_hostname=host)
    _connections.append(tls)
    tls.sendall(request)
    pieces = []
    while chunk := tls.recv(65536):
        pieces.append(chunk)
    return b"".join(pieces)
