"""Keeps the connection open after the client shuts down its side (loops on b"" forever)."""

import socket
import threading


def handle(conn):
    while True:
        data = conn.recv(65536)
        if data:
            conn.sendall(data)
        else:
            threading.Event().wait(0.05)  # "maybe more is coming"


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
