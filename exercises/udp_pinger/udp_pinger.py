"""Exercise 6: a UDP pinger that survives an unreliable network.

Send numbered pings to a UDP server, one after another, and measure each round trip. Replies
may be lost, duplicated, late, from someone else, or garbage: only the right reply counts.
Read README.md in this folder first; run `grader udp_pinger` to check.

Try it by hand (the grader's lossy server, see the README):
    python -m grader.peers.udp --port 9000 --loss 0.3
    python udp_pinger.py 9000 10 1.0
"""

import socket
import sys
import time


def ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    """Send `count` pings to (host, port) from one UDP socket; return each round-trip time in
    seconds, or None for a ping whose reply did not come within `timeout` seconds.

    Raises ValueError (before sending anything) if count < 1 or timeout <= 0.
    """
    # TODO 1: if count < 1 or timeout <= 0, raise ValueError before anything else.
    # TODO 2: make ONE socket for all the pings, in a `with` block so it is closed however the
    #         function ends: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).
    # TODO 3: for number = 1 ... count: note sent_at = time.monotonic(), then send the datagram
    #         f"PING {number} {sent_at}\n".encode("ascii") with sock.sendto(data, (host, port)).
    # TODO 4: wait for its reply until deadline = sent_at + timeout. Before every recvfrom(),
    #         sock.settimeout(time LEFT until the deadline): a datagram that is not the reply
    #         must not start a fresh timeout. TimeoutError means this ping is lost: None.
    # TODO 5: a datagram counts only if it comes from (host, port) and reads PONG <number> ...
    #         with this ping's number. Ignore everything else (a late or duplicated reply to an
    #         earlier ping, a stray, garbage) without raising, and keep waiting.
    # TODO 6: the round trip is time.monotonic() - sent_at, in seconds, when the reply arrives.
    raise NotImplementedError("udp_pinger: ping() is not written yet")


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    for index, rtt in enumerate(ping("127.0.0.1", port, count, timeout), start=1):
        print(f"ping {index}: " + ("lost" if rtt is None else f"{rtt * 1000:.2f} ms"))
