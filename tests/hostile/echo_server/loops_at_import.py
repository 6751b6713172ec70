"""Hostile: loops forever at import, before serve() exists.

The grader must give up on the import after its bound and say the import did not finish."""

while True:
    pass


def serve(host, port):
    pass
