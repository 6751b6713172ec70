"""Hostile: prints 300 MB each time serve() is called, then serves correctly.

Printing is no bug: the grader must drain all of it, pass every check, say how much was printed,
and stay responsive and small itself (it keeps only the first and last 16 KiB)."""

import socket
import sys
import threading

LINE = "spam " * 200_000 + "\n"  # 1 MB


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def serve(host, port):
    for _ in range(300):
        sys.stdout.write(LINE)
    with socket.create_server((host, port)) as server:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
