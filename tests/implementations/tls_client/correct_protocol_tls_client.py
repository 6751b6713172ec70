"""SSLContext(PROTOCOL_TLS_CLIENT) built by hand: the CA file loaded, TLS 1.2 at least; the
answer read into one bytearray."""

import socket
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname by default
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cafile=cafile)
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        tls = context.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise
    try:
        view = memoryview(request)
        while view:
            view = view[tls.send(view):]
        answer = bytearray()
        while True:
            chunk = tls.recv(16384)
            if not chunk:
                return bytes(answer)
            answer += chunk
    finally:
        tls.close()
