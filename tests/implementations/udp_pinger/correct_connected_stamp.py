"""A connect()ed socket (the system drops datagrams from other senders), wall-clock stamps, and
the round trip read from the stamp the reply carries back."""

import socket
import time


def ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    if count < 1:
        raise ValueError("count < 1")
    if timeout <= 0:
        raise ValueError("timeout <= 0")
    results = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))
        for number in range(1, count + 1):
            stamp = f"{time.time():.6f}"
            deadline = time.monotonic() + timeout
            try:
                sock.send(f"PING {number} {stamp}\n".encode("ascii"))
            except ConnectionRefusedError:
                pass  # an ICMP error from an earlier ping, reported on this call
            results.append(await_reply(sock, number, stamp, deadline))
    return results


def await_reply(sock, number, stamp, deadline):
    expected = f"PONG {number} {stamp}\n".encode("ascii")
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data = sock.recv(4096)
        except TimeoutError:
            return None
        except ConnectionRefusedError:
            continue  # port unreachable: nobody is there; wait out this ping's time
        if data == expected:
            return max(0.0, time.time() - float(stamp))
    return None
