"""Serves clients one after another in the accept loop, so an idle client blocks everyone."""

import socket


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)
