"""Calls recv() once per client, echoes that, and closes the connection."""

import socket
import threading


def handle(conn):
    with conn:
        conn.sendall(conn.recv(65536))


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
