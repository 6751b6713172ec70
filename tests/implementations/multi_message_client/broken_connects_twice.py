"""I first connect once to check that the server is up, close that socket, then connect again for
the real conversation."""

import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"a message must not contain a line break: {message!r}")
    if not messages:
        return []
    socket.create_connection((host, port), timeout=timeout).close()  # is the server there?
    replies = []
    received = bytearray()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        for message in messages:
            sock.sendall(message.encode("utf-8") + b"\n")
            replies.append(read_line(sock, received))
    return replies


def read_line(sock, received):
    while True:
        end = received.find(b"\n")
        if end != -1:
            line = bytes(received[:end])
            del received[:end + 1]
            return line.decode("utf-8")
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection before every reply arrived")
        received += chunk
