"""python -m grader.peers.chat: talk to a chat server by hand, or play a room from a script."""

import argparse
import selectors
import socket
import sys

from grader.failures import Failure
from grader.peers.chat.script import __doc__ as SCRIPT_HELP, play, steps

LOOPBACK = "127.0.0.1"


def chat(port, name):
    """Connect, print every line the server sends, send every line typed; at Ctrl-D (end of
    input) shut down the sending side, as nc does, and print the rest until the server closes."""
    try:
        sock = socket.create_connection((LOOPBACK, port), timeout=5)
    except OSError as exc:
        sys.exit(f"Cannot connect to {LOOPBACK}:{port}: {exc.strerror or exc}. Is your server running?")
    sock.settimeout(None)  # select() says when to read; typed lines are small enough to send at once
    if name is not None:
        sock.sendall(name.encode("ascii", "replace") + b"\n")
        print(f"> {name}", flush=True)
    with sock, selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        selector.register(sys.stdin, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                if key.fileobj is sock:
                    try:
                        data = sock.recv(65536)
                    except ConnectionError:
                        data = b""
                    if not data:
                        print("(the server closed the connection)", flush=True)
                        return
                    for line in data.decode("ascii", "backslashreplace").splitlines(keepends=True):
                        print("< " + repr(line)[1:-1], flush=True)
                    continue
                line = sys.stdin.readline()
                if line:
                    sock.sendall(line.encode("ascii", "replace"))
                else:  # Ctrl-D: leave the room, and show what the server still sends
                    selector.unregister(sys.stdin)
                    sock.shutdown(socket.SHUT_WR)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m grader.peers.chat", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Talk to a chat server on 127.0.0.1 by hand (--name), or play a room from a script "
                    "(--script) with the grader's own expectations.", epilog=SCRIPT_HELP)
    parser.add_argument("--port", type=int, default=9000, help="the server's port on 127.0.0.1 (default 9000)")
    parser.add_argument("--name", help="send this name first, then relay what you type (lines the server sends "
                                       "are shown after <)")
    parser.add_argument("--script", help='steps such as "alice1 joins; bob2 joins; alice1 says hello"')
    args = parser.parse_args(argv)
    if args.script is None:
        chat(args.port, args.name)
        return
    try:
        steps(args.script)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        timeline, failure = play((LOOPBACK, args.port), args.script)
    except Failure as failure:  # could not even connect
        sys.exit(failure.summary)
    print(timeline)
    if failure is None:
        print("Everything was as the rules say.")
        return
    print(failure.render().split("\nWhat each user sent and received", 1)[0])
    sys.exit(1)


if __name__ == "__main__":
    main()
