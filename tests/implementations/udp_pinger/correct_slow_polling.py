"""Correct but slow within the contract: it rests 30 ms between pings and looks at its deadline
only every 30 ms (select() still wakes at once for a datagram, so the round trips are exact)."""

import select
import socket
import time

TICK = 0.03


def ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    if count < 1 or timeout <= 0:
        raise ValueError("count must be at least 1 and timeout more than 0")
    server = (host, port)
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(1, count + 1):
            if number > 1:
                time.sleep(TICK)
            sent_at = time.monotonic()
            sock.sendto(f"PING {number} {sent_at}\n".encode("ascii"), server)
            rtt = None
            while rtt is None and time.monotonic() - sent_at < timeout:
                readable, _, _ = select.select([sock], [], [], TICK)
                if not readable:
                    continue
                data, sender = sock.recvfrom(2048)
                received_at = time.monotonic()
                words = data.split()
                if sender == server and len(words) > 1 and words[0] == b"PONG" and words[1] == b"%d" % number \
                        and received_at - sent_at < timeout:
                    rtt = received_at - sent_at
            results.append(rtt)
    return results
