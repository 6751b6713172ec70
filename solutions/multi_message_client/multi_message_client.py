"""Exercise 3, reference solution: send lines over one TCP connection, read one reply line each.

TCP carries a stream of bytes, not messages: one recv() may return part of a reply, or the end
of one reply and the start of the next. So the client keeps the bytes it has received in a
buffer and takes a reply out only when its "\n" has arrived, decoding whole lines only (a
multi-byte UTF-8 character can be cut between two reads, never across a "\n").

Try it by hand (the grader's line-reply server, see the README):
    python -m grader.peers.lines --port 9000
    python multi_message_client.py 9000 hello wörld
"""

import socket
import sys

RECV_SIZE = 65536  # bytes asked for per recv(); it returns anything from 1 byte up to this


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    """Send each message as a UTF-8 line over one connection; return the reply lines, in order."""
    # Check every message before connecting: a line break inside a message would make the
    # server see two lines, so nothing may be sent if any message is bad.
    for message in messages:
        if "\n" in message or "\r" in message:
            raise ValueError(f"a message must not contain a line break: {message!r}")
    if not messages:
        return []
    replies = []
    received = bytearray()  # bytes received and not yet returned as a reply
    # The timeout given to create_connection stays on the socket: connecting, and each send()
    # and recv() below, raise TimeoutError when one wait takes longer than `timeout`.
    # The `with` block closes the connection however we leave it: return or exception.
    with socket.create_connection((host, port), timeout=timeout) as sock:
        for message in messages:
            send_all(sock, message.encode("utf-8") + b"\n")
            replies.append(read_line(sock, received))
    return replies


def send_all(sock, data):
    """Send all of ``data``, each wait for room bounded by the socket's timeout.

    sock.sendall(data) would send it all too, but on a socket with a timeout it is a deadline for
    the whole call: 16 MiB to a server that reads 64 KiB every 0.05 s would raise TimeoutError
    after `timeout` seconds although no single wait was that long. send() may take only part
    of the data, and returns how much it took: send the rest, until none is left.
    """
    view = memoryview(data)  # slices of a memoryview are not copies
    while view:
        view = view[sock.send(view):]


def read_line(sock, received):
    """Return the next line from the connection, without its "\n", as text.

    ``received`` holds bytes that arrived earlier but belong to later lines; it is updated.
    """
    while True:
        end = received.find(b"\n")
        if end != -1:
            line = bytes(received[:end])
            del received[:end + 1]
            return line.decode("utf-8")  # a whole line, so no character is cut in two
        chunk = sock.recv(RECV_SIZE)
        if not chunk:  # b"": the server closed the connection; nothing more will come
            raise ConnectionError("the server closed the connection before every reply arrived")
        received += chunk


if __name__ == "__main__":
    print(send_messages("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000,
                        sys.argv[2:] or ["hello", "wörld"]))
