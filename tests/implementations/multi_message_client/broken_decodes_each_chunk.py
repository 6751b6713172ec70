"""I decode every chunk that recv() returns to text straight away and buffer the text."""

import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"a message must not contain a line break: {message!r}")
    if not messages:
        return []
    replies = []
    text = ""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        for message in messages:
            sock.sendall(message.encode("utf-8") + b"\n")
            while "\n" not in text:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection before every reply arrived")
                text += chunk.decode("utf-8")
            reply, text = text.split("\n", 1)
            replies.append(reply)
    return replies
