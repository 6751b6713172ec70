"""Exercise 1: a TCP echo server.

Build a server that sends back every byte each client sends, unchanged and as it arrives, to
many clients at once. Read README.md in this folder first; run `grader echo_server` to check.

Run it by hand:  python echo_server.py 9000   (then talk to it, see the README)
"""

import socket
import sys
import threading


def serve(host: str, port: int) -> None:
    """Serve echo clients on (host, port) until the process is stopped."""
    # TODO 1: create a TCP socket: socket.socket(socket.AF_INET, socket.SOCK_STREAM).
    #         Set SO_REUSEADDR so you can restart your server at once on the same port.
    # TODO 2: bind it to (host, port) -- the arguments, never a fixed port -- and listen().
    # TODO 3: loop forever: accept() a client, and handle it without blocking the accept
    #         loop (a thread per client is the simplest way), so an idle client never
    #         stops the others.
    # TODO 4: in the handler, loop: data = conn.recv(65536). If data is b"", the client has
    #         finished sending: close the connection. Otherwise conn.sendall(data) at once,
    #         unchanged (bytes, never decoded or stripped).
    # TODO 5: a client may vanish abruptly (ConnectionResetError): end that handler only.
    raise NotImplementedError("echo_server: serve() is not written yet")


if __name__ == "__main__":
    serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
