"""Correct: socketserver.ThreadingTCPServer with a StreamRequestHandler."""

import socketserver


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while data := self.request.recv(65536):
                self.request.sendall(data)
        except ConnectionError:
            pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128


def serve(host, port):
    with Server((host, port), EchoHandler) as server:
        server.serve_forever()
