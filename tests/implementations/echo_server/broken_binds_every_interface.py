"""Binds to ("", port), as the Python documentation's echo server does: it listens on every network
interface, not only on the host it is given."""

import socket
import threading


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def serve(host, port):
    server = socket.socket()
    server.bind(("", port))
    server.listen()
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
