"""Correct: a thread per client, reading with recv_into a fixed buffer."""

import socket
import threading


def handle(conn):
    buffer = bytearray(4096)
    view = memoryview(buffer)
    with conn:
        try:
            while count := conn.recv_into(buffer):
                conn.sendall(view[:count])
        except OSError:
            pass


def serve(host, port):
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen()
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
