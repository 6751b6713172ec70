"""Checks for exercise 1, echo_server (exercises/echo_server/README.md: ``serve(host, port)``).

Each check talks to the learner's running server over loopback through ``grader.peers.net.Client``
and, when it fails, shows the whole conversation as bytes. Every check here has at least one
deliberately broken server in tests/implementations/echo_server/ that it catches.
Hypothesis explores payloads and fragmentations; its explicit examples run first, so the usual
bugs are caught by a readable example without any shrinking.
"""

import random
from contextlib import ExitStack

from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.authoring import check
from grader.failures import Failure, Mismatch, Prose, show, where_they_differ
from grader.peers.net import Client
from grader.peers.reproduce import python_probe, server_by_hand

REPLY_TIMEOUT = 1.0  # seconds to wait for an echo on loopback (it takes well under a millisecond)


def run_by_hand():
    """The start of a "Try it" line: the learner's file, run on the hand port."""
    return server_by_hand("echo_server")


ENDED_AFTER_FIRST = ("Your server echoed the first data, then ended the connection. Keep calling recv() in a loop "
                     "and echo each chunk until recv() returns b''; one recv() handles only the first chunk.")


def expect_echo(client, data, *, hint=None, then_half_close=False, idle_first=False):
    """Send ``data`` and wait for exactly it to come back (without closing anything, by default).

    With ``then_half_close`` the client shuts down its sending side after the data, so a
    server that sends back less and closes is caught at once instead of after the deadline
    (what makes shrinking a Hypothesis counterexample quick).

    A failure shows this message and what came back for it; earlier messages on the same
    connection, which came back right, are mentioned in a note (an extra byte after one of
    them shows up at the start of what came back here).
    """
    earlier = bytes(client.sent)
    try:
        client.send(data)
        if then_half_close:
            client.shutdown_write()
        got = client.recv_exactly(len(data), REPLY_TIMEOUT)
    except Failure as failure:
        if earlier:  # it echoed what came before, then ended the connection: one recv() per client
            failure.hint = ENDED_AFTER_FIRST
        raise
    if got == data:
        return
    probe = python_probe(data, half_close=then_half_close, idle_first=idle_first)
    note = (f"Before this, {show(earlier, 60)} was sent on the same connection and came back unchanged."
            if earlier else None)
    fields = dict(sent=data, received=got, expected=Prose("the same bytes back"), hint=hint, note=note,
                  reproduce=run_by_hand() + probe if probe and not earlier else None)
    if not got and client.eof:
        if earlier:
            fields["hint"] = ENDED_AFTER_FIRST
        raise Mismatch("Your server closed the connection instead of echoing the data.", **fields)
    if not got:
        raise Mismatch(f"Nothing came back within {REPLY_TIMEOUT:g} s of sending the data.", **fields)
    if data.startswith(got):
        raise Mismatch(f"Only part of the echo came back within {REPLY_TIMEOUT:g} s.", **fields)
    raise Mismatch("What came back differs from what was sent.", **fields)


@check("starts and listens on the port it is given", points=1,
       hint="serve(host, port) must bind to exactly that host and port, listen(), and accept() in a loop.")
def check_starts(server):
    """Starting the server is the dependency of every other check (the fixture does the work).
    Then C2's "exactly": the server listens on the host it is given, not on every interface
    (bind(("", port)) or 0.0.0.0, which other machines can reach); only this check fails for it."""
    host, port = server.address
    wider = [address for address in server.listening_addresses() or () if address != host]
    if wider:
        shown = " and ".join(f"[{a}]" if ":" in a else a for a in wider)
        raise Failure(f"Your server listens on {shown}, port {port}: every network interface of this machine, "
                      f"not only {host}, the host that serve({host!r}, {port}) was given.",
                      expected=Prose(f"a listening socket on {host}:{port} alone"),
                      hint="Bind to the host you are given: sock.bind((host, port)). An empty host ('') or "
                           "'0.0.0.0' accepts connections from other machines too.")


@check("echoes each message right away, before the client closes", points=1,
       hint="Send each chunk back as soon as recv() returns it; do not wait for the client to finish.")
def check_echoes_right_away(server):
    with Client(server.address) as client:
        expect_echo(client, b"hello, echo\n")
        expect_echo(client, b"and once more\n")


@check("echoes binary data unchanged (NUL bytes, invalid UTF-8, \\r\\n)", points=1.5,
       hint="Treat the data as bytes: no decode()/encode(), no strip(), no changes. "
            "b'\\xff' is not valid UTF-8, so decoding it changes it.")
@settings(max_examples=15)
@given(payload=st.binary(min_size=1, max_size=4096))
@example(payload=b"\x00\x01 NUL and invalid UTF-8: \xff\xfe\xc3\x28 \r\n")
@example(payload=b"\xff\x00 no newline at the end")
@example(payload=bytes(range(256)))  # every byte value once: any change to one of them shows
def check_binary_data(server, payload):
    with Client(server.address) as client:
        expect_echo(client, payload, then_half_close=True)


NEWLINE_MESSAGES = (b"no newline at the end", b"one line\n", b"two\nlines\n", b"\r\n", b"\n\n\n",
                    b"ends with a carriage return\r")


@check("neither adds nor removes newlines", points=1,
       hint="Echo exactly the bytes you received: print() or readline()/strip() add or remove newlines.")
def check_newlines(server):
    with Client(server.address) as client:
        for message in NEWLINE_MESSAGES:
            expect_echo(client, message)
        expect_echo(client, b"#end")  # a newline added after the last message shows here


@check("echoes many messages on one connection", points=1,
       hint="Keep calling recv() in a loop until it returns b''; one recv() handles only the first chunk.")
def check_many_messages(server):
    rng = random.Random(5)
    with Client(server.address) as client:
        for number in range(1, 201):
            expect_echo(client, f"message {number}: {'x' * rng.randrange(0, 300)}\n".encode())


FRAGMENTED = b"a message that arrives in many small pieces, one send() each\n"


def _cut(data, sizes):
    pieces, start = [], 0
    for size in sizes:
        if start >= len(data):
            break
        pieces.append(data[start:start + size])
        start += size
    if start < len(data):
        pieces.append(data[start:])
    return pieces


@check("echoes a message that arrives in many small pieces", points=1,
       hint="TCP has no messages: one send() may arrive as several recv()s. Echo every piece as it comes, "
            "and do not treat a short recv() as the end of anything; only b'' means the client is done.")
@settings(max_examples=8)
@given(sizes=st.lists(st.integers(1, 12), min_size=1, max_size=30))
@example(sizes=[1] * 12)
def check_fragments(server, sizes):
    with Client(server.address) as client:
        for piece in _cut(FRAGMENTED, sizes):
            expect_echo(client, piece)


BIG_SIZE = 8 * 1024 * 1024
# Larger than what the kernel can park between the two programs: the grader's receive buffer is
# fixed at 64 KiB, and Linux grows a send buffer to at most 4 MiB (net.ipv4.tcp_wmem), so a
# server that drops what send() did not take must lose data.
BIG_RECEIVE_BUFFER = 64 * 1024


@check("echoes a payload of 8 MiB", points=1,
       hint="Loop on recv() and send everything with sendall(). In a non-blocking server, send() may take "
            "only part of the data: keep the rest and send it when the socket is writable again.",
       timeout=30)
def check_big_payload(server):
    payload = random.Random(4).randbytes(BIG_SIZE)
    with Client(server.address, timeout=5.0, receive_buffer=BIG_RECEIVE_BUFFER) as client:
        received = client.exchange(payload, timeout=15.0)
    if received != payload:
        ending = "and then the connection closed" if client.eof else "by the time the grader stopped waiting"
        what = "a different stream of bytes came back" if received else "nothing came back"
        raise Failure(f"Sent {BIG_SIZE:,} random bytes, reading the echo while sending; {what} {ending}.",
                      note=where_they_differ(payload, received) if received else None)


HALF_CLOSE_SIZE = 16 * 1024 * 1024
HALF_CLOSE_STALL = 0.25  # seconds without a byte taken after which the grader stops sending and shuts down
HALF_CLOSE_TIMEOUT = 10.0  # seconds to read back all that was sent (on loopback it takes well under one)


@check("sends everything back, then closes, after the client shuts down its side", points=1,
       hint="recv() returning b'' means the client will send nothing more, not that you owe it nothing: "
            "finish sending what you still hold (a non-blocking server empties its buffer first), then close "
            "the connection (conn.close()). Do not keep looping on b''.")
def check_half_close(server):
    """The grader sends without reading, for as long as the server takes it, so that the server
    still owes it megabytes when it shuts down its sending side; then it reads everything back."""
    payload = random.Random(6).randbytes(HALF_CLOSE_SIZE)
    with Client(server.address, timeout=5.0, receive_buffer=BIG_RECEIVE_BUFFER) as client:
        sent = client.send_until_blocked(payload, HALF_CLOSE_STALL)
        client.shutdown_write()
        received = client.recv_exactly(sent, HALF_CLOSE_TIMEOUT)
        rest, eof = client.recv_until_eof(REPLY_TIMEOUT) if len(received) == sent and not client.eof else (b"", client.eof)
    doing = (f"The grader sent {sent:,} random bytes without reading (all the server would take), then shut down "
             "its sending side (half-close)")
    if received != payload[:sent] or rest:
        what = "the connection closed" if eof else f"nothing more came within {HALF_CLOSE_TIMEOUT:g} s"
        raise Failure(f"{doing}; {len(received) + len(rest):,} bytes came back, then {what}.",
                      note=where_they_differ(payload[:sent], received + rest),
                      expected=Prose(f"all {sent:,} bytes back, then end of file (the server closes)"))
    if not eof:
        raise Failure(f"{doing}; all of it came back, but the connection was still open {REPLY_TIMEOUT:g} s "
                      "later.",
                      expected=Prose("the echo, then end of file (the server closes)"),
                      reproduce=run_by_hand() + python_probe(b"bye\n", half_close=True))


@check("serves a second client while the first one is connected and idle", points=1,
       hint="Handle each client in its own thread (or with selectors/asyncio), so the accept loop goes on "
            "while one client is idle.")
def check_idle_client_does_not_block(server):
    with Client(server.address) as idle, Client(server.address) as second:
        try:
            expect_echo(second, b"is anyone there?\n", idle_first=True)
        except Failure as failure:
            failure.summary = ("A first client connected and sent nothing; a second client connected "
                               "and sent a message. " + failure.summary)
            raise
        expect_echo(idle, b"my turn now\n")


CROWD = 25
ROUNDS = 4


@check("serves 25 clients at once, each getting its own data back", points=1.5,
       hint="Every client needs its own handler state: no shared buffer or 'current connection' variable, "
            "and no fixed pool smaller than the number of clients.")
def check_many_clients(server):
    rng = random.Random(25)
    with ExitStack() as stack:
        clients = [stack.enter_context(Client(server.address, timeout=5.0)) for _ in range(CROWD)]
        for round_number in range(ROUNDS):
            order = rng.sample(range(CROWD), CROWD)
            messages = {i: f"client {i + 1:02d} of {CROWD}, round {round_number + 1}\n".encode() for i in order}
            for i in order:
                clients[i].send(messages[i])
            for i in order:
                got = clients[i].recv_exactly(len(messages[i]), REPLY_TIMEOUT)
                if got != messages[i]:
                    what = "got nothing back" if not got else "got the wrong bytes back"
                    raise Mismatch(f"{CROWD} clients were connected, sending in turn; client {i + 1} {what} "
                                   f"in round {round_number + 1}.",
                                   sent=messages[i], received=got, expected=messages[i])


RESET_SETTLE = 1.0  # seconds a server may take to let go of the connections that were reset


@check("keeps serving after a client resets its connection", points=1,
       hint="A client may vanish (ConnectionResetError, BrokenPipeError): catch it for that connection "
            "only, and keep accepting others.")
def check_survives_reset(server):
    try:
        for _ in range(3):
            client = Client(server.address)
            client.send(b"x" * 65536)
            client.reset()
        server.wait_until_connections_closed(RESET_SETTLE)
        with Client(server.address) as client:
            expect_echo(client, b"still there?\n")
    except Failure:
        if server.process.exit_status(wait=1.0) is not None:
            raise server.died_message("after a client reset its connection (a TCP RST instead of a "
                                      "normal close)") from None
        raise
