"""I make sure the request ends in a blank line before I send it, working on it as text."""

import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    text = request.decode("utf-8", errors="replace")
    if not text.endswith("\r\n\r\n"):
        text += "\r\n\r\n"
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(text.encode("utf-8"))
            pieces = []
            while chunk := tls.recv(65536):
                pieces.append(chunk)
    return b"".join(pieces)
