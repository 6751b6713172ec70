"""Reference solution: a TCP echo server with a thread per client."""

import socket
import sys
import threading
import time

ACCEPT_PAUSE = 0.1  # seconds to wait when accept() fails for want of resources (too many open files)


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
            try:
                conn, _ = server.accept()
            except OSError as error:
                # Too many open files (EMFILE), no memory for a socket, a client that left before
                # it was accepted: this connection is lost, the server is not. The waiting
                # connection stays queued, so pause rather than spin until a descriptor is free.
                print(f"accept() failed: {error}", file=sys.stderr)
                time.sleep(ACCEPT_PAUSE)
                continue
            try:
                threading.Thread(target=handle, args=(conn,), daemon=True).start()
            except RuntimeError:  # no thread to be had: turn this client away, keep serving
                conn.close()


if __name__ == "__main__":
    serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
