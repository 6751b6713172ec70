"""Hostile: accepts every connection and keeps it, but never reads or answers."""

import socket

kept = []


def serve(host, port):
    with socket.create_server((host, port)) as server:
        while True:
            conn, _ = server.accept()
            kept.append(conn)
