"""Collects everything the client sends and echoes it only after the client shuts down its side."""

import socket
import threading


def handle(conn):
    with conn:
        received = b""
        while data := conn.recv(65536):
            received += data
        conn.sendall(received)


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
