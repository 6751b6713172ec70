"""Reference solution: a TCP echo server with a thread per client."""

import socket
import sys
import threading


def handle(conn: socket.socket) -> None:
    """Echo one client until it shuts down its sending side, then close."""
    with conn:
        try:
            while True:
                data = conn.recv(65536)
                if not data:  # b"": the client will send nothing more
                    break
                conn.sendall(data)  # send() may send only part; sendall() sends it all
        except (ConnectionResetError, BrokenPipeError):
            pass  # the client vanished; only this connection ends


def serve(host: str, port: int) -> None:
    """Serve echo clients on (host, port) until the process is stopped."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen(128)
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
