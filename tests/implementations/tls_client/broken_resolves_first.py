"""I look the name up once and use the address from then on, for connecting and for TLS."""

import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    address = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((address, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=address) as tls:  # an address: no SNI
            tls.sendall(request)
            pieces = []
            while chunk := tls.recv(65536):
                pieces.append(chunk)
    return b"".join(pieces)
