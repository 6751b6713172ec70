"""Correct, as every tutorial writes it: a thread per client, printing every chunk it receives (a repr
of up to 4 KiB of binary data per line, tens of MB while it is graded). Printing is no bug."""

import socket
import threading


def handle(conn):
    with conn:
        while True:
            data = conn.recv(4096)
            print(f"Received: {data}")
            if not data:
                break
            conn.sendall(data)


def serve(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen()
        while True:
            conn, addr = s.accept()
            print(f"Connected by {addr}")
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
