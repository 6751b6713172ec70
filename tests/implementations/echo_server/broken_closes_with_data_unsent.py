"""A non-blocking selectors server with a send buffer per client that keeps reading while it still
owes data, and closes as soon as recv() returns b'', throwing away what it has not sent yet."""

import selectors
import socket


def serve(host, port):
    selector = selectors.DefaultSelector()
    server = socket.create_server((host, port), backlog=128)
    server.setblocking(False)
    selector.register(server, selectors.EVENT_READ, data=None)
    while True:
        for key, events in selector.select():
            if key.data is None:
                conn, _ = server.accept()
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, data=bytearray())
                continue
            sock, out = key.fileobj, key.data
            try:
                if events & selectors.EVENT_READ:
                    data = sock.recv(65536)
                    if not data:  # the client is done: close at once, owed data or not
                        selector.unregister(sock)
                        sock.close()
                        continue
                    out += data
                if out and events & selectors.EVENT_WRITE:
                    del out[:sock.send(out)]
            except BlockingIOError:
                pass
            except ConnectionError:
                selector.unregister(sock)
                sock.close()
