"""Broken: imports the grader (for the loopback address it found there); otherwise the reference solution."""

import asyncio
import re
import sys

from grader.peers.net import LOOPBACK  # noqa: F401  (a constant it found in the grader)

PROMPT = b"Welcome to budgetchat! What shall I call you?\n"
NAME = re.compile(rb"[A-Za-z0-9]{1,16}")  # the whole name: 1 to 16 ASCII letters and digits
MAX_BACKLOG = 4 * 1024 * 1024  # bytes owed to one client before we give up on it


class Room:
    """The joined users, by name, each with the writer of its connection."""

    def __init__(self):
        self.members: dict[bytes, asyncio.StreamWriter] = {}

    def broadcast(self, line: bytes, *, sender: bytes) -> None:
        """Send ``line`` to every member but ``sender``, without waiting for any of them."""
        for name, writer in list(self.members.items()):
            if name == sender or writer.is_closing():  # a client cut off, not yet gone from the room
                continue
            if writer.transport.get_write_buffer_size() > MAX_BACKLOG:
                # It has not read for megabytes: drop it. Its handler's readline() then ends,
                # and the handler announces that it left.
                writer.transport.abort()
                continue
            writer.write(line)


async def handle(room: Room, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """One client: ask its name, join it to the room, relay its lines until it goes."""
    name = None
    try:
        writer.write(PROMPT)
        line = await reader.readline()
        wanted = line[:-1] if line.endswith(b"\n") else None  # end of file before a whole line: no name
        if wanted is None or not NAME.fullmatch(wanted) or wanted in room.members:
            writer.write(b"* Sorry: a name is 1 to 16 letters and digits, and not one already in the room.\n")
            return
        name = wanted
        # No await from here to the loop: the joiner's presence line comes before any room line,
        # and nobody can join or leave in between.
        writer.write(b"* The room contains: " + b", ".join(room.members) + b"\n")
        room.broadcast(b"* " + name + b" has entered the room\n", sender=name)
        room.members[name] = writer
        while True:
            line = await reader.readline()
            if not line.endswith(b"\n"):  # end of file; a half line sent before it is dropped
                break
            room.broadcast(b"[" + name + b"] " + line[:-1] + b"\n", sender=name)
    except (ConnectionError, ValueError):  # a reset, or a line longer than the reader's limit (64 KiB)
        pass
    finally:
        if name is not None and room.members.get(name) is writer:
            del room.members[name]
            room.broadcast(b"* " + name + b" has left the room\n", sender=name)
        writer.close()


async def main(host: str, port: int) -> None:
    room = Room()
    server = await asyncio.start_server(lambda r, w: handle(room, r, w), host, port)
    async with server:
        await server.serve_forever()


def serve(host: str, port: int) -> None:
    """Serve the chat room on (host, port) until the process is stopped."""
    asyncio.run(main(host, port))


if __name__ == "__main__":
    serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
