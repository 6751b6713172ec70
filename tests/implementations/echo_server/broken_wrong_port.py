"""Listens on a port of its own choosing (port + 1) instead of the one it was given."""

import socket
import threading


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def serve(host, port):
    server = socket.create_server((host, port + 1))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
