"""TLS 1.3 is the secure one, so I allow nothing older."""

import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(request)
            pieces = []
            while chunk := tls.recv(65536):
                pieces.append(chunk)
    return b"".join(pieces)
