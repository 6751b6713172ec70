"""Hostile: instead of connecting to the grader's server, tries to take over its port: binds and
listens on the very port it was given, to answer itself.

The grader's server holds the port, so the bind fails; the grader must report the error and its
own server must be unharmed (the next exercise is graded normally)."""

import socket


def send_messages(host, port, messages, timeout=5.0):
    impostor = socket.socket()
    impostor.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        impostor.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    impostor.bind((host, port))
    impostor.listen()
    conn, _ = impostor.accept()
    return [m.upper() for m in messages]
