"""The reference approach, printing what it does: the certificate, the version, every piece."""

import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    context = ssl.create_default_context(cafile=cafile)
    print(f"connecting to {host}:{port}, trusting {cafile}")
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            print("handshake done:", tls.version(), tls.cipher(), tls.getpeercert())
            tls.sendall(request)
            print(f"sent {len(request)} bytes")
            pieces = []
            while chunk := tls.recv(65536):
                print("received", len(chunk), "bytes:", repr(chunk[:200]))
                pieces.append(chunk)
    print("the server ended the session")
    return b"".join(pieces)
