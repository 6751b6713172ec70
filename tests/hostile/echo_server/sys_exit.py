"""Hostile: serve() calls sys.exit(0) once it has accepted one client.

The grader must say the server called sys.exit(0) while it should keep serving."""

import socket
import sys


def serve(host, port):
    with socket.create_server((host, port)) as server:
        conn, _ = server.accept()
        conn.close()
        sys.exit(0)
