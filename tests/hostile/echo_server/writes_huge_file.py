"""Hostile: writes an endless temporary file before serving.

Graded with NETKATA_LIMITS=file_size=1MiB, the write fails (EFBIG) and serve() raises OSError;
the grader must name the file size limit."""

import tempfile


def serve(host, port):
    with tempfile.TemporaryFile() as file:
        while True:
            file.write(b"x" * 65536)
