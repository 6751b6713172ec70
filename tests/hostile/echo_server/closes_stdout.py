"""Hostile: closes its standard output (the Python object and file descriptors 1 and 2), then
prints, which raises ValueError in serve().

Closing them must not cut the grader off from the program; the grader must report the error."""

import os
import sys


def serve(host, port):
    sys.stdout.close()
    os.close(1)
    os.close(2)
    print("hello?")
