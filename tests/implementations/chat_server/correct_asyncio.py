"""asyncio streams: a queue and a writer task per client, each writer awaiting drain().

Broadcasting puts the line in each client's queue (put_nowait never waits); a client's own
writer task waits for that client alone. A client whose queue is full is disconnected.
"""

import asyncio
import re

PROMPT = b"Welcome to budgetchat! What shall I call you?\n"
NAME = re.compile(rb"[A-Za-z0-9]{1,16}")
MAX_QUEUED = 10_000  # lines


class Client:
    def __init__(self, writer):
        self.writer = writer
        self.queue = asyncio.Queue(MAX_QUEUED)

    def send(self, line):
        try:
            self.queue.put_nowait(line)
        except asyncio.QueueFull:
            self.writer.transport.abort()  # it stopped reading; its reader ends and it leaves

    async def write_loop(self):
        try:
            while (line := await self.queue.get()) is not None:
                self.writer.write(line)
                await self.writer.drain()
        except ConnectionError:
            self.writer.transport.abort()


async def handle(members, reader, writer):
    client = Client(writer)
    writing = asyncio.create_task(client.write_loop())
    name = None
    try:
        client.send(PROMPT)
        line = await reader.readline()
        if not line.endswith(b"\n") or not NAME.fullmatch(line[:-1]) or line[:-1] in members:
            client.send(b"* That name cannot be used.\n")
            return
        name = line[:-1]
        client.send(b"* The room contains: " + b", ".join(members) + b"\n")
        for other in members.values():
            other.send(b"* " + name + b" has entered the room\n")
        members[name] = client
        while (line := await reader.readline()).endswith(b"\n"):
            for other_name, other in members.items():
                if other_name != name:
                    other.send(b"[" + name + b"] " + line)
    except (ConnectionError, ValueError):
        pass
    finally:
        if name is not None and members.get(name) is client:
            del members[name]
            for other in members.values():
                other.send(b"* " + name + b" has left the room\n")
        client.queue.put_nowait(None) if not client.queue.full() else writing.cancel()
        try:
            await asyncio.wait_for(writing, 2.0)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass
        writer.close()


async def main(host, port):
    members = {}
    server = await asyncio.start_server(lambda r, w: handle(members, r, w), host, port)
    async with server:
        await server.serve_forever()


def serve(host, port):
    asyncio.run(main(host, port))
