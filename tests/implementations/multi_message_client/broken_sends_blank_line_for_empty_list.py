"""I send "\n".join(messages) + "\n" even when there are no messages, which sends an empty line."""

import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"a message must not contain a line break: {message!r}")
    buffer = bytearray()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(("\n".join(messages) + "\n").encode("utf-8"))
        while buffer.count(b"\n") < len(messages):
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection before every reply arrived")
            buffer += chunk
    return [line.decode("utf-8") for line in bytes(buffer).split(b"\n")[:len(messages)]]
