"""Exercise 9: a TLS client that verifies who it is talking to before it says anything.

Connect to a TLS server, check its certificate against the CA file you are given and against
the name you connected to, send the request, and return everything the server answers.
Read README.md in this folder first; run `grader tls_client` to check.

Try it by hand (the grader's TLS server, see the README):
    python -m grader.peers.tls --port 9000 --cafile ca.pem
    python tls_client.py localhost 9000 ca.pem
"""

import socket
import ssl
import sys


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    """Send `request` over TLS to (host, port), verified against `cafile`; return the whole answer.

    Raises ssl.SSLCertVerificationError (before sending anything) for a certificate that does
    not verify, ssl.SSLError for a server that offers only TLS 1.0/1.1 or no TLS at all, and
    TimeoutError when a wait takes longer than `timeout` seconds.
    """
    # TODO 1: make a client context that trusts exactly the CA certificates in cafile:
    #         ssl.create_default_context(cafile=cafile). It verifies certificates and host
    #         names and refuses TLS older than 1.2 (set context.minimum_version to be sure).
    #         Never turn verification off (check_hostname = False, CERT_NONE): that makes the
    #         error go away and lets anyone pretend to be the server.
    # TODO 2: connect with the timeout: socket.create_connection((host, port), timeout=timeout).
    # TODO 3: context.wrap_socket(sock, server_hostname=host) runs the handshake: it sends host
    #         as SNI (not for an IP address), and raises SSLCertVerificationError for a bad
    #         certificate before you have sent anything. Use `with` blocks for both sockets.
    # TODO 4: send all of the request, as it is (bytes, never decoded): sendall() promises every
    #         byte; send() promises only some, and returns how many.
    # TODO 5: recv() until it returns b"": the server has ended the session (close_notify) or
    #         closed TCP. One recv() returns one TLS record at most, so keep a list of pieces.
    raise NotImplementedError("tls_client: tls_request() is not written yet")


if __name__ == "__main__":
    # python tls_client.py HOST PORT CAFILE (without arguments: localhost 9000 ca.pem)
    host, port, cafile = sys.argv[1:] or ["localhost", "9000", "ca.pem"]
    print(tls_request(host, int(port), f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode(),
                      cafile))
