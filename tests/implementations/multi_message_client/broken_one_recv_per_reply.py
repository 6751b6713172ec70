"""I call recv() once per message and take what it returns as the whole reply."""

import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"a message must not contain a line break: {message!r}")
    if not messages:
        return []
    replies = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        for message in messages:
            sock.sendall(message.encode("utf-8") + b"\n")
            data = sock.recv(1024 * 1024)
            if not data:
                raise ConnectionError("the server closed the connection before every reply arrived")
            replies.append(data.decode("utf-8").removesuffix("\n"))
    return replies
