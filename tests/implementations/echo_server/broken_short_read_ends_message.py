"""Treats a recv() shorter than the buffer as the end of the message, then echoes and closes."""

import socket
import threading

BUFFER = 4096


def handle(conn):
    with conn:
        message = b""
        while True:
            data = conn.recv(BUFFER)
            message += data
            if len(data) < BUFFER:
                break
        conn.sendall(message)


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
