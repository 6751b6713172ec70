"""Reads the client line by line and echoes only complete lines (waits for a newline)."""

import socket
import threading


def handle(conn):
    with conn, conn.makefile("rb") as lines:
        for line in lines:
            if line.endswith(b"\n"):
                conn.sendall(line)


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
