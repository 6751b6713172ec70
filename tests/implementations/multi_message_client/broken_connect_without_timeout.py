"""I connect first and set the timeout on the socket afterwards, so connecting itself has no bound."""

import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"line break in {message!r}")
    if not messages:
        return []
    buffer = bytearray()
    newlines = 0
    with socket.create_connection((host, port)) as sock:
        sock.settimeout(timeout)
        sock.sendall(b"".join(message.encode("utf-8") + b"\n" for message in messages))
        while newlines < len(messages):
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError(f"connection closed after {newlines} of {len(messages)} replies")
            buffer += chunk
            newlines += chunk.count(b"\n")
    lines = bytes(buffer).split(b"\n")[:len(messages)]
    return [line.decode("utf-8") for line in lines]
