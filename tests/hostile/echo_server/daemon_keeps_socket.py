"""Hostile: double-forks a daemon into a session of its own that keeps a listening socket open,
then returns from serve().

The daemon leaves the server's process group and session, as a real daemon does; the grader
must still stop it. It writes its pid and port to the file named by the environment variable
DAEMON_FILE (set by the test, which checks that the daemon and its socket are gone), and serve()
returns only once it has."""

import os
import socket
import time


def serve(host, port):
    ready_read, ready_write = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            sock = socket.create_server((host, 0))
            path = os.environ.get("DAEMON_FILE")
            if path:
                with open(path + ".part", "w") as file:
                    file.write(f"{os.getpid()} {sock.getsockname()[1]}\n")
                os.replace(path + ".part", path)
            os.write(ready_write, b"!")
            while True:
                time.sleep(1)
        os.read(ready_read, 1)
        os._exit(0)
    os.wait()
