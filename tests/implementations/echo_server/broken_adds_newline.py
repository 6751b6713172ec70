"""Sends a newline after every chunk it echoes, as print() would."""

import socket
import threading


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data + b"\n" if not data.endswith(b"\n") else data)


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
