"""asyncio: a DatagramProtocol hands every datagram to the ping now waiting, through a future."""

import asyncio
import time


class Pinger(asyncio.DatagramProtocol):
    def __init__(self):
        self.number = None
        self.reply = None  # the future of the ping now waiting

    def expect(self, number):
        self.number = number
        self.reply = asyncio.get_running_loop().create_future()
        return self.reply

    def datagram_received(self, data, addr):
        words = data.split()
        if (self.reply is not None and not self.reply.done() and len(words) >= 2 and words[0] == b"PONG"
                and words[1] == str(self.number).encode()):
            self.reply.set_result(time.monotonic())

    def error_received(self, exc):
        pass  # ICMP port unreachable: that ping simply gets no reply


async def _ping(host, port, count, timeout):
    loop = asyncio.get_running_loop()
    # remote_addr connects the socket: datagrams from any other address never reach us.
    transport, protocol = await loop.create_datagram_endpoint(Pinger, remote_addr=(host, port))
    results = []
    try:
        for number in range(1, count + 1):
            reply = protocol.expect(number)
            sent_at = time.monotonic()
            transport.sendto(f"PING {number} {sent_at}\n".encode())
            try:
                received_at = await asyncio.wait_for(reply, timeout)
            except asyncio.TimeoutError:
                results.append(None)
            else:
                results.append(received_at - sent_at)
    finally:
        transport.close()
    return results


def ping(host: str, port: int, count: int = 10, timeout: float = 1.0) -> list[float | None]:
    if count < 1 or timeout <= 0:
        raise ValueError("count must be 1 or more and timeout more than 0")
    return asyncio.run(_ping(host, port, count, timeout))
