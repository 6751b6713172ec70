"""I remember when each ping went out, so any reply that comes in fills in its own ping's time."""

import socket
import time


def ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    if count < 1 or timeout <= 0:
        raise ValueError("count must be at least 1 and timeout more than 0")
    server = (host, port)
    results = [None] * count
    sent = {}  # ping number -> when it was sent
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(1, count + 1):
            sent[number] = time.monotonic()
            sock.sendto(f"PING {number} {sent[number]}\n".encode("ascii"), server)
            deadline = sent[number] + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(left)
                try:
                    data, sender = sock.recvfrom(2048)
                except TimeoutError:
                    break
                words = data.split()
                if sender != server or len(words) < 2 or words[0] != b"PONG" or not words[1].isdigit():
                    continue
                answered = int(words[1])
                if answered in sent and results[answered - 1] is None:
                    results[answered - 1] = time.monotonic() - sent[answered]
                if answered == number:
                    break
    return results
