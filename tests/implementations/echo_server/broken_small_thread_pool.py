"""Handles clients in a pool of four threads, so the fifth connected client waits forever."""

import socket
from concurrent.futures import ThreadPoolExecutor


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def serve(host, port):
    server = socket.create_server((host, port))
    with ThreadPoolExecutor(max_workers=4) as pool:
        while True:
            conn, _ = server.accept()
            pool.submit(handle, conn)
