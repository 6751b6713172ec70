"""Non-blocking with selectors: send and receive at once, decode with an incremental decoder."""

import codecs
import selectors
import socket


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"line break in {message!r}")
    if not messages:
        return []
    outgoing = memoryview("".join(message + "\n" for message in messages).encode("utf-8"))
    decoder = codecs.getincrementaldecoder("utf-8")()  # keeps a cut character until the rest comes
    pending = []  # decoded text after the last "\n", in pieces (joined once its "\n" comes)
    replies = []
    with socket.create_connection((host, port), timeout=timeout) as sock, \
            selectors.DefaultSelector() as selector:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
        while len(replies) < len(messages):
            events = selector.select(timeout)
            if not events:
                raise TimeoutError(f"no progress for {timeout} s")
            mask = events[0][1]
            if mask & selectors.EVENT_WRITE and outgoing:
                try:
                    outgoing = outgoing[sock.send(outgoing):]
                except BlockingIOError:
                    continue
                if not outgoing:
                    selector.modify(sock, selectors.EVENT_READ)
            if mask & selectors.EVENT_READ:
                try:
                    chunk = sock.recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    raise ConnectionError("the server closed the connection before every reply")
                text = decoder.decode(chunk)
                while "\n" in text:
                    end, text = text.split("\n", 1)
                    replies.append("".join(pending) + end)
                    pending = []
                pending.append(text)
    return replies
