"""A non-blocking selectors server that calls send() once and drops what it did not take."""

import selectors
import socket


def serve(host, port):
    selector = selectors.DefaultSelector()
    server = socket.create_server((host, port))
    server.setblocking(False)
    selector.register(server, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            if sock is server:
                conn, _ = server.accept()
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ)
                continue
            try:
                data = sock.recv(65536)
                if data:
                    sock.send(data)  # may send only part of data; the rest is lost
                    continue
            except (BlockingIOError, ConnectionError):
                pass
            selector.unregister(sock)
            sock.close()
