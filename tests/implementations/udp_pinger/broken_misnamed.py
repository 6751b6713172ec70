"""I named my function after the exercise: udp_ping."""

import socket
import time


def udp_ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    if count < 1 or timeout <= 0:
        raise ValueError("count must be at least 1 and timeout more than 0")
    server = (host, port)
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(1, count + 1):
            sent_at = time.monotonic()
            sock.sendto(f"PING {number} {sent_at}\n".encode("ascii"), server)
            deadline = sent_at + timeout
            rtt = None
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
                if sender == server and len(words) >= 2 and words[0] == b"PONG" and words[1] == str(number).encode():
                    rtt = time.monotonic() - sent_at
                    break
            results.append(rtt)
    return results
