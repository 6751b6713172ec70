"""Correct: one thread, non-blocking sockets and selectors, with a send buffer per client."""

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
                selector.register(conn, selectors.EVENT_READ, data={"out": bytearray(), "eof": False})
                continue
            sock, state = key.fileobj, key.data
            try:
                if events & selectors.EVENT_READ and not state["eof"]:
                    data = sock.recv(65536)
                    if data:
                        state["out"] += data
                    else:
                        state["eof"] = True
                if state["out"]:
                    sent = sock.send(state["out"])
                    del state["out"][:sent]
            except BlockingIOError:
                pass
            except ConnectionError:
                selector.unregister(sock)
                sock.close()
                continue
            if state["eof"] and not state["out"]:
                selector.unregister(sock)
                sock.close()
                continue
            # Read only when there is room: stop reading while data waits to be sent.
            wanted = selectors.EVENT_WRITE if state["out"] else selectors.EVENT_READ
            selector.modify(sock, wanted, data=state)
