"""Hostile: binds its socket but never calls listen(); waits forever.

The grader must say nothing accepted connections on the port within its bound."""

import socket
import threading


def serve(host, port):
    sock = socket.socket()
    sock.bind((host, port))
    threading.Event().wait()
