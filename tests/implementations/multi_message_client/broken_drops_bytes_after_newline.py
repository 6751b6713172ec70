"""I send all messages first, then for each reply read until a "\n" and throw away what came after it."""

import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"a message must not contain a line break: {message!r}")
    if not messages:
        return []
    replies = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall("".join(message + "\n" for message in messages).encode("utf-8"))
        for _ in messages:
            data = bytearray()
            while b"\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection before every reply arrived")
                data += chunk
            replies.append(data[:data.index(b"\n")].decode("utf-8"))
    return replies
