"""A single-threaded selectors server with no error handling: one reset client kills it."""

import selectors
import socket


def serve(host, port):
    selector = selectors.DefaultSelector()
    server = socket.create_server((host, port))
    selector.register(server, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            if sock is server:
                conn, _ = server.accept()
                selector.register(conn, selectors.EVENT_READ)
                continue
            data = sock.recv(65536)  # raises ConnectionResetError after a reset: nothing catches it
            if data:
                sock.sendall(data)
            else:
                selector.unregister(sock)
                sock.close()
