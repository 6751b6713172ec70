"""Hostile: starts 50 child processes that sleep, then serves correctly.

The grader must stop it at its limit on processes running at once, say so, and leave none of
the 50 behind."""

import socket
import subprocess
import sys
import threading

children = []


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def serve(host, port):
    for _ in range(50):
        children.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]))
    with socket.create_server((host, port)) as server:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
