"""Non-blocking, with selectors: select() waits for the time left, recvfrom() never blocks."""

import selectors
import socket
import time


def ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    if count < 1 or timeout <= 0:
        raise ValueError(f"bad arguments: count={count}, timeout={timeout}")
    server = (host, port)
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, selectors.DefaultSelector() as selector:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        for number in range(1, count + 1):
            sent_at = time.perf_counter()
            sock.sendto(b"PING %d %r\n" % (number, sent_at), server)
            results.append(None)
            deadline = sent_at + timeout
            while results[-1] is None and (left := deadline - time.perf_counter()) > 0:
                if not selector.select(left):
                    break
                while True:
                    try:
                        data, sender = sock.recvfrom(65536)
                    except (BlockingIOError, ConnectionRefusedError):
                        break
                    parts = data.split(b" ")
                    if sender == server and parts[:2] == [b"PONG", str(number).encode()]:
                        results[-1] = time.perf_counter() - sent_at
                        break
    return results
