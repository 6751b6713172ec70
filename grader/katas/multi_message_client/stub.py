"""Exercise 3: a client that sends several messages over one TCP connection.

Send each message as a line of UTF-8 text, read the server's one-line reply to each, and
return the replies. Replies arrive in pieces of any size, and several may come in one read.
Read README.md in this folder first; run `grader multi_message_client` to check.

Try it by hand (the grader's line-reply server, see the README):
    python -m grader.peers.lines --port 9000
    python multi_message_client.py 9000 hello wörld
"""

import socket
import sys


def send_messages(host: str, port: int, messages: list[str], timeout: float = 5.0) -> list[str]:
    """Send each message as a UTF-8 line over one connection; return the reply lines, in order.

    Raises ValueError (before sending anything) if a message contains "\\n" or "\\r",
    ConnectionError if the server closes the connection before every reply has arrived, and
    TimeoutError if no data comes for `timeout` seconds while a reply is awaited.
    """
    # TODO 1: check every message first: if one contains "\n" or "\r", raise ValueError.
    #         Nothing may be sent (not even the good messages before it).
    # TODO 2: if there are no messages, return [].
    # TODO 3: open ONE connection for all messages, with the timeout:
    #         socket.create_connection((host, port), timeout=timeout), in a `with` block so it
    #         is closed however the function ends. A socket with a timeout raises TimeoutError
    #         when a recv() waits longer than that.
    # TODO 4: for each message: sock.sendall(message.encode("utf-8") + b"\n").
    #         (sendall, not send: send may send only part of a long message.)
    # TODO 5: read its reply. One recv() is NOT one reply: keep a bytearray of what you have
    #         received, recv() more until it holds a b"\n", then cut the reply off the front
    #         and keep the rest (it belongs to the next reply).
    # TODO 6: recv() returning b"" means the server closed the connection: raise
    #         ConnectionError (never loop on b"": it will return b"" forever).
    # TODO 7: decode each reply only once you have its whole line, with .decode("utf-8"),
    #         and drop the final "\n" only (no .strip(): spaces belong to the reply).
    raise NotImplementedError("multi_message_client: send_messages() is not written yet")


if __name__ == "__main__":
    print(send_messages("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000,
                        sys.argv[2:] or ["hello", "wörld"]))
