"""Keeps "the connection" in a global, so echoes go to whichever client connected last."""

import socket
import threading

current = None


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            current.sendall(data)


def serve(host, port):
    global current
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        current = conn
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
