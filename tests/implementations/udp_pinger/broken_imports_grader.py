"""Broken: imports the grader (for the loopback address it found there); otherwise the reference solution."""

import socket
import sys
import time

from grader.peers.net import LOOPBACK  # noqa: F401  (a constant it found in the grader)


def ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    """Send `count` pings to (host, port), one after another; return each round-trip time in
    seconds, or None for a ping with no matching reply within `timeout` seconds of sending it."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    if timeout <= 0:
        raise ValueError(f"timeout must be more than 0, not {timeout}")
    server = (host, port)
    results = []
    # One socket for every ping, closed however the function ends. It is not connect()ed:
    # recvfrom() then tells us who sent each datagram, and we check it ourselves.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for number in range(1, count + 1):
            sent_at = time.monotonic()  # a clock that never jumps: right for measuring intervals
            sock.sendto(f"PING {number} {sent_at}\n".encode("ascii"), server)
            results.append(wait_for_reply(sock, server, number, sent_at + timeout, sent_at))
    return results


def wait_for_reply(sock, server, number, deadline, sent_at):
    """The round-trip time of ping `number`, or None if its reply has not come by `deadline`."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        # The time LEFT, not a fresh timeout: a stray datagram every half second would
        # otherwise keep us waiting forever.
        sock.settimeout(left)
        try:
            data, sender = sock.recvfrom(2048)
        except TimeoutError:
            return None
        except (ConnectionRefusedError, ConnectionResetError):
            # An ICMP "port unreachable" for our ping: nobody listens there. Linux reports it
            # only on a connect()ed socket; Windows reports it here too, as a "reset". Not an
            # error for a pinger: the ping is simply lost, so keep waiting out its time.
            continue
        received_at = time.monotonic()
        if sender == server and is_reply_to(data, number):
            return received_at - sent_at
        # Anything else is a late reply to an earlier ping, a duplicate, a stray or garbage:
        # ignore it and go on waiting for our own.


def is_reply_to(data, number):
    """True when `data` is PONG <number> ...: garbage of any kind is just False, never an error."""
    words = data.split()
    return len(words) >= 2 and words[0] == b"PONG" and words[1] == str(number).encode("ascii")


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    for index, rtt in enumerate(ping("127.0.0.1", port, count, timeout), start=1):
        print(f"ping {index}: " + ("lost" if rtt is None else f"{rtt * 1000:.2f} ms"))
