"""Exercise 2: an HTTP/1.1 server that answers "Hello, World!".

Build a web server from a plain TCP socket: read requests as bytes, answer with a status line,
headers, an empty line and a body, and keep each connection open for the next request. Read
README.md in this folder first; run `grader http_hello_server` to check.

Run it by hand:  python http_hello_server.py 9000   (then: curl -v http://127.0.0.1:9000/)
"""

import socket
import sys
import threading


def serve(host: str, port: int) -> None:
    """Serve HTTP/1.1 on (host, port) until the process is stopped."""
    # TODO 1: as in echo_server: a TCP socket with SO_REUSEADDR, bound to (host, port),
    #         listen(), and a loop that accept()s each client and hands it to its own thread.
    # TODO 2: in the thread, keep a buffer of received bytes and recv() until it holds
    #         b"\r\n\r\n" (the empty line that ends a request head). One recv() is not one
    #         request: a head may come in many pieces, or with the next request behind it.
    # TODO 3: split the head on b"\r\n". The first line must be three parts, METHOD TARGET
    #         VERSION, with VERSION HTTP/1.0 or HTTP/1.1; every other line is "Name: value"
    #         (a colon is required); an HTTP/1.1 request must have a Host header. If not:
    #         send 400 Bad Request and close the connection.
    # TODO 4: if the request has a Content-Length, recv and drop that many body bytes (some
    #         may already be in your buffer) so they are not mistaken for the next request.
    # TODO 5: answer by method. GET: 200 OK with Content-Type: text/plain; charset=utf-8,
    #         Content-Length: 13 and the body Hello, World!. HEAD: the same head, no body.
    #         Any other method: 405 Method Not Allowed with Allow: GET, HEAD.
    #         Every line ends in \r\n; Content-Length counts the body's bytes.
    # TODO 6: then loop back to TODO 2 for the next request on the same connection, unless
    #         the request was HTTP/1.0 or said Connection: close: then close it. When recv()
    #         returns b"" the client has gone: close. A bad client must only end its own
    #         connection, never the whole server.
    raise NotImplementedError("http_hello_server: serve() is not written yet")


if __name__ == "__main__":
    serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
