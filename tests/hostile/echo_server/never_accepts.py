"""Hostile: listens, but never calls accept(); waits forever.

Connections complete in the kernel's backlog, so "starts and listens" passes; every check that
expects an answer must fail within its own deadline, saying nothing came back."""

import socket
import threading


def serve(host, port):
    sock = socket.create_server((host, port))
    threading.Event().wait()
