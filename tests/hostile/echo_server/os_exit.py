"""Hostile: serve() ends the whole process with os._exit(0), status 0, no exception.

The grader must say the server's process exited with status 0 while it should keep serving."""

import os


def serve(host, port):
    os._exit(0)
