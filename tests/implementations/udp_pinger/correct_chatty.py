"""Correct, and it prints a great deal: every datagram, and a banner of 50 lines per ping."""

import socket
import time


def ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    if count < 1 or timeout <= 0:
        raise ValueError("count must be at least 1 and timeout more than 0")
    server = (host, port)
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(1, count + 1):
            for line in range(50):
                print(f"ping {number} of {count}, banner line {line}: " + "=" * 60)
            sent_at = time.monotonic()
            sock.sendto(f"PING {number} {sent_at}\n".encode("ascii"), server)
            rtt = None
            while (left := sent_at + timeout - time.monotonic()) > 0:
                sock.settimeout(left)
                try:
                    data, sender = sock.recvfrom(2048)
                except TimeoutError:
                    print("timed out")
                    break
                print(f"received {data!r} from {sender}")
                words = data.split()
                if sender == server and words[:2] == [b"PONG", str(number).encode()]:
                    rtt = time.monotonic() - sent_at
                    break
            print(f"ping {number}: {rtt}")
            results.append(rtt)
    return results
