"""Hostile: allocates memory until something stops it (touching every page, so it is real).

The grader must say the server used more than its memory limit."""

hoard = []


def serve(host, port):
    while True:
        hoard.append(bytearray(b"x" * (16 << 20)))
