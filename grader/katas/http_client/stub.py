"""Exercise 8: an HTTP/1.1 client on raw sockets.

Send one GET request for a URL and read the response: the status line, the header fields and
a body framed by Content-Length, by chunks, or by the close of the connection, arriving in
pieces of any size. No HTTP library: `socket` (and urllib.parse for the URL) only.
Read README.md in this folder first; run `grader http_client` to check.

Try it by hand (the grader's scripted HTTP server, see the README):
    python -m grader.peers.raw_http --port 9000 --response chunked
    python http_client.py http://127.0.0.1:9000/
"""

import socket
import sys
from urllib.parse import urlsplit


def http_get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """GET `url` over HTTP/1.1; return (status, headers, body).

    Header names are lower-cased, repeated fields joined with ", ". Raises ValueError for a URL
    that is not http://host... (before connecting) and for a malformed response,
    ConnectionError when the server closes before the response is complete, and TimeoutError
    when a wait for the server takes longer than `timeout`.
    """
    # TODO 1: parts = urlsplit(url). Scheme not "http", or no parts.hostname: raise ValueError,
    #         before connecting. The port is parts.port or 80; the target is the path ("/" when
    #         empty) plus "?" + query when there is one. The #fragment is never sent.
    # TODO 2: connect with socket.create_connection((host, port), timeout=timeout) in a `with`
    #         block, and sendall the request: b"GET /path?query HTTP/1.1\r\n", a Host header
    #         ("host:port" unless the port is 80), "Connection: close", then a blank line. CRLF!
    # TODO 3: read through ONE buffer (a bytearray): recv() more until it holds what you need
    #         (a line ending in b"\r\n", or n body bytes), take that off its front, keep the rest.
    #         recv() returning b"" before the response is complete: raise ConnectionError.
    # TODO 4: the status line is b"HTTP/1.x 200 OK" (the reason may be empty); a 1xx status is
    #         interim: read its header fields and then the next status line.
    # TODO 5: header lines up to the blank line: split at the first b":", lower-case the name,
    #         strip spaces and tabs from the value, join repeated names with ", ".
    # TODO 6: the body: none for 204 and 304; Transfer-Encoding: chunked -> decode the chunks;
    #         else Content-Length -> exactly that many bytes (the server may keep the connection
    #         open: never wait for the close then); else everything until the server closes.
    # TODO 7: anything malformed (status line, header line, chunk size, Content-Length): ValueError.
    raise NotImplementedError("http_client: http_get() is not written yet")


if __name__ == "__main__":
    status, headers, body = http_get(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9000/")
    print(status)
    for name, value in headers.items():
        print(f"{name}: {value}")
    print(repr(body))
