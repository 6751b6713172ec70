"""Lock-step with a buffered reader: send one line, readline() its reply, repeat."""

import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    if any("\n" in message or "\r" in message for message in messages):
        raise ValueError("a message must not contain a line break")
    if not messages:
        return []
    replies = []
    with socket.create_connection((host, port), timeout=timeout) as sock, sock.makefile("rb") as reader:
        for message in messages:
            sock.sendall(message.encode("utf-8") + b"\n")
            line = reader.readline()  # reads until b"\n" or end of file, however it arrives
            if not line.endswith(b"\n"):
                raise ConnectionError("the server closed the connection in the middle of the replies")
            replies.append(line[:-1].decode("utf-8"))
    return replies
