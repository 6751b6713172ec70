"""Correct, but imports the grader's own client for the self-test at the bottom: a program that
needs the grader to run."""

import socket
import threading

from grader.peers.net import Client


def handle(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def serve(host, port):
    server = socket.create_server((host, port))
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    threading.Thread(target=serve, args=("127.0.0.1", 9000), daemon=True).start()
    with Client(("127.0.0.1", 9000)) as client:
        client.send(b"hello\n")
        print(client.recv_exactly(6, 1.0))
