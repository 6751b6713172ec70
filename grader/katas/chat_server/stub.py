"""Exercise 7: a chat room server (the rules of Protohackers' "Budget Chat").

Build a TCP server where every client picks a name, hears who is in the room, and then gets
every line the others send, as [name] text. One client that stops reading must not stop the
room. Read README.md in this folder first; run `grader chat_server` to check.

Run it by hand:  python chat_server.py 9000   (then talk to it, see the README)
"""

import sys


def serve(host: str, port: int) -> None:
    """Serve the chat room on (host, port) until the process is stopped."""
    # TODO 1: listen on (host, port), and serve every client at once (a thread each, or one
    #         selectors or asyncio loop): a client that is still choosing its name, or that
    #         stopped reading, must never hold up the others.
    # TODO 2: on connect, send one line asking for a name. Read lines into a buffer: TCP gives
    #         you bytes in any pieces, so a line is everything up to the next b"\n".
    # TODO 3: the first line is the name: 1 to 16 ASCII letters and digits, not in use. Refuse
    #         anything else by closing the connection (one error line first is fine).
    # TODO 4: on a valid name, send the joiner one line starting with * naming everyone else
    #         in the room, tell everyone else (a line starting with * holding the new name),
    #         then add the joiner to the room.
    # TODO 5: every later line goes to every other joined user as b"[name] text\n", never
    #         back to its sender; when a user leaves (end of file or a reset), tell the rest.
    # TODO 6: sending must not block the room: give each client its own outgoing queue or
    #         buffer instead of calling sendall() to every client in turn.
    raise NotImplementedError("chat_server: serve() is not written yet")


if __name__ == "__main__":
    serve("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 9000)
