"""Non-blocking after the handshake, driven by a selector: each wait bounded by timeout."""

import selectors
import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls, selectors.DefaultSelector() as selector:
            tls.setblocking(False)
            selector.register(tls, selectors.EVENT_WRITE)
            view, answer = memoryview(request), bytearray()
            while True:
                if not selector.select(timeout):
                    raise TimeoutError(f"no progress for {timeout} s")
                try:
                    if view:
                        view = view[tls.send(view):]
                        if not view:
                            selector.modify(tls, selectors.EVENT_READ)
                        continue
                    while True:  # a TLS socket may hold decrypted bytes the selector cannot see
                        chunk = tls.recv(65536)
                        if not chunk:
                            return bytes(answer)
                        answer += chunk
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    continue
