"""Accepts one client, echoes it, and returns from serve() instead of serving forever."""

import socket


def serve(host, port):
    with socket.create_server((host, port)) as server:
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)
