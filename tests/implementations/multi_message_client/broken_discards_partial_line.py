"""I send every message at once, then split what each recv() returns at "\n" and keep the complete
lines: I thought a recv() always ends where a reply ends, so I throw away what follows the last "\n"."""

import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"a message must not contain a line break: {message!r}")
    if not messages:
        return []
    replies = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(b"".join(message.encode("utf-8") + b"\n" for message in messages))
        while len(replies) < len(messages):
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection before every reply arrived")
            *lines, _rest = chunk.split(b"\n")
            replies.extend(line.decode("utf-8") for line in lines)
    return replies
