"""Hostile: binds a port other than the one the grader gave it (one the grader meant for
something else), and serves correctly there.

The grader must say which port it listens on and that nothing listens on the port it gave."""

import socket
import threading


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def serve(host, port):
    with socket.create_server((host, 0)) as server:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
