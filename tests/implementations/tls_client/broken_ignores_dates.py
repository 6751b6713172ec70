"""My board has no real-time clock and boots in 1970, so I told OpenSSL not to check the dates."""

import socket
import ssl

NO_CHECK_TIME = 0x200000  # X509_V_FLAG_NO_CHECK_TIME


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    context = ssl.create_default_context(cafile=cafile)
    context.verify_flags |= NO_CHECK_TIME
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(request)
            pieces = []
            while chunk := tls.recv(65536):
                pieces.append(chunk)
    return b"".join(pieces)
