"""Decodes the data as UTF-8 text and encodes it again, replacing invalid bytes."""

import socket
import threading


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            text = data.decode("utf-8", errors="replace")
            conn.sendall(text.encode("utf-8"))


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
