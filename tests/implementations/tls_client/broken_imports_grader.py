"""Broken: imports the grader (for the loopback address it found there); otherwise the reference solution."""

import socket
import ssl
import sys

from grader.peers.net import LOOPBACK  # noqa: F401  (a constant it found in the grader)

RECV_SIZE = 65536  # bytes asked for per recv(); a TLS socket returns one record at most (16 KiB)


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    """Send `request` over TLS to (host, port), verified against `cafile`; return the whole answer."""
    # cafile=... makes the context trust that file's CAs and nothing else (not the system's
    # store); create_default_context() turns on CERT_REQUIRED and check_hostname.
    context = ssl.create_default_context(cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # the default already; said, so nobody lowers it
    # The timeout stays on the socket, and the TLS socket uses it: connecting, the handshake and
    # each recv() raise TimeoutError after `timeout` seconds without progress.
    # Both `with` blocks close their socket however we leave, also when wrap_socket() raises.
    with socket.create_connection((host, port), timeout=timeout) as sock:
        # server_hostname is the name the certificate must carry and the SNI sent; for an IP
        # address Python checks the address and sends no SNI (RFC 6066).
        with context.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(request)  # every byte, as it is; send() promises only some (it returns how many)
            pieces = []
            # recv() returns b"" when the server ends the session with close_notify, and also
            # when it just closes TCP (suppress_ragged_eofs=True, wrap_socket's default): many
            # servers do, and what came before is the answer.
            while chunk := tls.recv(RECV_SIZE):
                pieces.append(chunk)
    return b"".join(pieces)


if __name__ == "__main__":
    # python tls_client.py HOST PORT CAFILE (without arguments: localhost 9000 ca.pem)
    host, port, cafile = sys.argv[1:] or ["localhost", "9000", "ca.pem"]
    print(tls_request(host, int(port), f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(),
                      cafile))
