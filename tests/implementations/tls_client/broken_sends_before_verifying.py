"""I fetch the answer first and verify the server afterwards, with a second, verified handshake:
if that fails, I raise the error and throw the answer away."""

import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    quick = ssl.create_default_context(cafile=cafile)
    quick.check_hostname = False
    quick.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with quick.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(request)
            pieces = []
            while chunk := tls.recv(65536):
                pieces.append(chunk)
    verified = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with verified.wrap_socket(sock, server_hostname=host):
            pass  # raises SSLCertVerificationError for a bad certificate
    return b"".join(pieces)
