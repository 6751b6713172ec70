"""Strips the trailing newline off each chunk before echoing it."""

import socket
import threading


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data.rstrip(b"\r\n"))


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
