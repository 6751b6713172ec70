"""Checks for exercise 7, chat_server (exercises/chat_server/README.md: ``serve(host, port)``).

Every check gets a fresh server and talks to it as several users at once, through
``grader/peers/chat/``: ``Room`` knows who has joined and so what every user is owed, and reads it
as each user's very next line (an echo, or a room line before the presence line, shows up as the
line that came instead, with no waiting to see whether something more comes). A failure shows
each user's transcript side by side in time order. The names the grader uses hold a digit, so
a word of the server's own wording is never taken for a name (the contract's readings, in exercises/chat_server/README.md).
Every check has a broken server in tests/implementations/chat_server/ that it catches.
"""

import time

from grader.authoring import check
from grader.failures import Failure, Prose
from grader.peers.chat.flood import flood
from grader.peers.chat.protocol import MAX_LINE
from grader.peers.chat.room import Room
from grader.peers.chat.script import by_hand, quoted

REFUSED_WITHIN = 1.0  # seconds for the server to close a refused client (the contract's bound)
LATE = 1.0  # seconds from a line's sending to every reader's receiving it (the contract's bound)
PIECE_PAUSE = 0.02  # seconds between the pieces of one line, so that each piece is a segment of its own


DEATH_TIMEOUT = 1.0  # seconds to see the server's process end, once a probe suggests it did


def died_or(server, failure, when, hint=None):
    """The failure, or, when the server's process is gone (or going: its connections closed
    first), what ended it; ``hint`` replaces the generic "read the traceback"."""
    if server.process.exit_status(wait=DEATH_TIMEOUT) is not None or not server.alive():
        death = server.died_message(when)
        death.reproduce = death.reproduce or failure.reproduce
        if hint and (death.hint or "").startswith("Read the traceback"):
            death.hint = hint
        return death
    return failure


@check("starts and listens on the port it is given", points=0.5,
       hint="serve(host, port) must bind exactly that address, listen(), and accept() in a loop.")
def check_starts(server):
    """Starting the server is the dependency of every other check (the fixture does the work)."""


@check("asks every new client for its name, in one line", points=0.5,
       hint="Send the prompt (any wording, ending in \\n) as soon as you accept the connection, before "
            "reading anything from the client.")
def check_prompt(server):
    with Room(server.address) as room:
        try:
            room.connect("alice1")
            room.connect("bob2")  # a second client, while the first has not answered
        except Failure as failure:
            failure.reproduce = by_hand("alice1 connects")
            raise


@check("gives a joiner one line naming exactly the users already in the room", points=1, needs=check_prompt,
       hint="Build the presence line from the room as it is before the joiner is added: every other joined "
            "user, not the joiner, not clients still choosing a name. Send it first, before any other room line.")
def check_presence(server):
    script = "alice1 joins; bob2 joins; carol3 joins; Alice1 joins"
    with Room(server.address) as room:
        try:
            for name in ("alice1", "bob2", "carol3", "Alice1"):  # names are case-sensitive
                room.join(name, notices=False)
        except Failure as failure:
            failure.reproduce = by_hand(script)
            raise


@check("tells everyone in the room when a user joins", points=0.5, needs=check_presence,
       hint="After the joiner's presence line, send every user already in the room one line starting "
            "with * that holds the new name, e.g. '* carol3 has entered the room\\n'.")
def check_join_notices(server):
    script = "alice1 joins; bob2 joins; carol3 joins"
    with Room(server.address) as room:
        try:
            for name in ("alice1", "bob2", "carol3"):
                room.join(name)
        except Failure as failure:
            failure.reproduce = by_hand(script)
            raise


RELAYED = ("hello, room", "  spaces kept  at both ends  ", "[brackets] and * stars are text", "x")


@check("relays every line as [name] text to every other user", points=1, needs=check_join_notices,
       hint="Send exactly b'[' + name + b'] ' + line_without_newline + b'\\n': one space after ], "
            "the text unchanged (no strip()).")
def check_relay(server):
    script = "alice1 joins; bob2 joins; carol3 joins; " + "; ".join(f"alice1 says {t}" for t in RELAYED[:1])
    with Room(server.address) as room:
        try:
            alice = room.join("alice1")
            room.join("bob2")
            room.join("carol3")
            for text in RELAYED:
                room.say(alice, text)
        except Failure as failure:
            failure.reproduce = by_hand(script)
            raise


@check("never sends users their own lines back", points=1, needs=check_relay,
       hint="Broadcast to every joined user except the sender: skip the sender's own connection.")
def check_no_echo(server):
    script = "alice1 joins; bob2 joins; alice1 says one; bob2 says two"
    with Room(server.address) as room:
        try:
            alice, bob = room.join("alice1"), room.join("bob2")
            room.say(alice, "one")
            room.say(bob, "two")  # alice1's next line must be this one, not her own
            room.say(alice, "three")
        except Failure as failure:
            failure.reproduce = by_hand(script)
            raise


@check("sends nothing of the room to clients that have not joined", points=1, needs=check_no_echo,
       hint="Add a client to the room (the list you broadcast to) only once it has sent a valid name, right "
            "after its presence line; until then it hears nothing.")
def check_unjoined_hear_nothing(server):
    script = "alice1 joins; bob2 joins; lurker3 connects; alice1 says secret; carol4 joins; lurker3 joins"
    with Room(server.address) as room:
        try:
            alice = room.join("alice1")
            room.join("bob2")
            lurker = room.connect("lurker3")
            room.say(alice, "secret")
            room.join("carol4")
            try:
                room.enter(lurker)
            except Failure as failure:
                failure.summary = ("lurker3 connected and waited before sending its name while alice1 spoke and "
                                   "carol4 joined; then " + failure.summary)
                raise
        except Failure as failure:
            failure.reproduce = by_hand(script)
            raise


ACCEPTED = ("abcdefghijklmno6", "7", "ALICE1", "Alice1")  # 16 characters, 1, and case-sensitive names
REFUSED = (("", "an empty name"), ("abcdefghijklmnop1", "a name of 17 characters"),
           ("bob-2", "a name with -"), ("bob 2", "a name with a space"), ("bob_2", "a name with _"),
           ("alice1", "the name of a user in the room"))


@check("accepts names of 1 to 16 letters and digits, and refuses any other first line", points=1, needs=check_no_echo,
       hint="A name is 1 to 16 ASCII letters and digits, all of it: check the whole line (re.fullmatch, or "
            "len() and isalnum() and isascii()) and the names in the room. Refuse by closing the connection, "
            "at most one error line first, and never add or announce the refused client.")
def check_names(server):
    with Room(server.address) as room:
        room.join("alice1")
        for name, what in REFUSED:
            shown = repr(name + "\n")
            try:
                user = room.connect(name or "(empty)")
                user.send(name.encode() + b"\n")
                lines, closed = user.until_closed(REFUSED_WITHIN)
            except Failure as failure:
                failure.reproduce = by_hand(f"alice1 joins; {quoted(name)} tries")
                raise
            if not closed or len(lines) > 1:
                raise room.failure(
                    f"A client sent {shown} as its name ({what}); "
                    + (f"the server sent it {len(lines)} lines" if len(lines) > 1 else
                       "the connection was still open " f"{REFUSED_WITHIN:g} s later") + ".",
                    expected=Prose("at most one error line, then the connection closed (within 1 s)"),
                    reproduce=by_hand(f"alice1 joins; {quoted(name)} tries"))
        try:
            for name in ACCEPTED:  # nobody heard of the refused: alice1's next line is this join
                room.join(name)
        except Failure as failure:
            failure.reproduce = by_hand("alice1 joins; abcdefghijklmno6 joins; 7 joins; ALICE1 joins")
            raise


@check("tells everyone when a user leaves, by a clean close or a reset", points=1, needs=check_no_echo,
       hint="When recv() returns b'' or raises ConnectionResetError, remove the user from the room and send "
            "the others a line starting with * that holds its name, e.g. '* dave4 has left the room\\n'. "
            "A half line the user sent before leaving is dropped; a client that never joined leaves silently.")
def check_leave(server):
    script = "alice1 joins; bob2 joins; carol3 joins; dave4 joins; carol3 leaves; dave4 resets"
    with Room(server.address) as room:
        try:
            alice, bob = room.join("alice1"), room.join("bob2")
            carol = room.join("carol3")
            dave = room.join("dave4")
            carol.send(b"half a line, never finis")
            room.leave(carol)  # the half line is dropped: the others' next line is the notice
            room.leave(dave, how="reset")
            lurker = room.connect("lurker5")
            lurker.leave()  # never joined: nobody hears of it
            room.join("carol3")  # the name is free again; alice1's and bob2's next line is this
            room.say(bob, "still here")
        except Failure as failure:
            failure.reproduce = by_hand(script)
            raise


def send_in_pieces(user, data, sizes):
    """Send ``data`` in pieces of ``sizes`` bytes (the rest in the last), a pause between two."""
    start = 0
    for size in sizes:
        user.send(data[start:start + size])
        start += size
        time.sleep(PIECE_PAUSE)
    if start < len(data):
        user.send(data[start:])


LONG = ("1000 characters: " + "the quick brown fox jumps over the lazy dog 0123456789 " * 20)[:MAX_LINE]


@check("reads lines in pieces, several in one segment, and 1000 characters long", points=1.5, needs=check_no_echo,
       hint="TCP carries bytes, not lines: keep what recv() gave you in a buffer, take every complete line "
            "(up to each \\n) out of it, and keep the rest for the next recv().")
def check_framing(server):
    script = "alice1 joins; bob2 joins; alice1 says " + LONG
    with Room(server.address) as room:
        try:
            alice, bob = room.join("alice1"), room.join("bob2")
            send_in_pieces(alice, b"a line in five small pieces\n", [2, 5, 7, 6])
            room.expect_message("alice1", "a line in five small pieces", sent_as="b'a line in five small pieces\\n' "
                                                                                 "in 5 pieces")
            alice.send(b"one\ntwo\nthree\n")
            for text in ("one", "two", "three"):
                room.expect_message("alice1", text, sent_as="b'one\\ntwo\\nthree\\n' in one send()")
            send_in_pieces(alice, b"four\nfi", [])
            time.sleep(PIECE_PAUSE)
            alice.send(b"ve\nsix\n")
            for text in ("four", "five", "six"):
                room.expect_message("alice1", text, sent_as="b'four\\nfi', then b've\\nsix\\n'")
            room.say(alice, LONG)
            send_in_pieces(bob, LONG.encode() + b"\n", [300, 300, 300])
            room.expect_message("bob2", LONG, sent_as="a line of 1000 characters in 4 pieces")
        except Failure as failure:
            failure.reproduce = by_hand(script) if "1000" in failure.summary else None
            raise


CROWD = 20


@check("serves 20 users at once", points=0.5, needs=check_no_echo,
       hint="Every client needs its own handler (a thread each, or one selectors/asyncio loop): no fixed pool "
            "smaller than the room, and no handler that blocks the others.")
def check_twenty_users(server):
    names = [f"user{n:02d}" for n in range(1, CROWD + 1)]
    with Room(server.address) as room:
        try:
            users = [room.join(name) for name in names]
            room.say(users[-1], "hello from the last one")
            room.say(users[0], "and from the first")
        except Failure as failure:
            failure.reproduce = by_hand("; ".join(f"{name} joins" for name in names) + "; user20 says hello")
            raise


SLOW_BURSTS, SLOW_LINES = 12, 500  # 6 MB of 1000-character lines: more than the kernel buffers hold


@check("keeps the room going while a user stops reading", points=1.5, needs=check_no_echo,
       hint="Never let one client's send block the others: give each client its own outgoing queue (a writer "
            "thread, or a buffer sent when selectors says it is writable, or asyncio's writer.write()), and "
            "no sendall() to a client while holding the room's lock or inside the sender's loop. A client "
            "that owes you megabytes may be disconnected.")
def check_slow_reader(server):
    script = "alice1 joins; bob2 joins; carol3 joins; slow4 stops-reading; alice1 floods 6"
    with Room(server.address) as room:
        try:
            alice, bob, carol = room.join("alice1"), room.join("bob2"), room.join("carol3")
            room.join_silent("slow4")
            flood(room, [alice, bob], [alice, bob, carol], bursts=SLOW_BURSTS, lines=SLOW_LINES,
                  length=MAX_LINE, late=LATE, may_leave={"slow4"})
        except Failure as failure:
            failure.reproduce = by_hand(script)
            raise died_or(server, failure, "while a user had stopped reading") from None


@check("goes on when a user resets its connection in the middle of a broadcast", points=0.5, needs=check_no_echo,
       hint="A send to a client that reset raises ConnectionResetError or BrokenPipeError: catch it, drop "
            "that client (and announce it left), and go on with the others.")
def check_reset_mid_broadcast(server):
    script = "alice1 joins; bob2 joins; reset3 stops-reading; alice1 floods 3; reset3 resets; alice1 says after"
    with Room(server.address) as room:
        try:
            alice, bob = room.join("alice1"), room.join("bob2")
            slow = room.join_silent("reset3")
            result = flood(room, [alice], [bob], bursts=3, lines=1000, length=MAX_LINE, late=LATE,
                           may_leave={"reset3"})
            room.silent.discard("reset3")
            if "reset3" in result.left:
                del room.joined["reset3"]
                slow.reset()
            else:
                room.leave(slow, how="reset")  # the server still owes it megabytes
            room.say(alice, "after the reset")
            room.say(bob, "still here")
            room.join("erin4")
        except Failure as failure:
            failure.reproduce = by_hand(script)
            raise died_or(server, failure, "after a user reset its connection while it was owed megabytes") from None


GARBAGE_HINT = ("Bytes from a client may not be ASCII or a whole line: never let decode() or a missing \\n raise "
                "out of your loop (work in bytes, or decode with errors='replace'), and handle errors per "
                "connection (try/except around each client).")


@check("keeps serving after garbage, half-sent lines and resets from clients", points=0.5, needs=check_no_echo,
       hint=GARBAGE_HINT)
def check_misbehaving_clients(server):
    with Room(server.address) as room:
        try:
            room.join("alice1")
            garbage = room.connect("garbage2")
            garbage.send(b"\xff\xfe\x00\x80 not ASCII\n")
            half = room.connect("half3")
            half.send(b"half a na")
            half.reset()
            quick = room.connect("quick4")
            quick.reset()
            garbage.reset()
            room.join("bob5")  # the room holds alice1 alone: none of them joined
            room.say(room.joined["bob5"], "anyone?")
        except Failure as failure:
            failure.reproduce = by_hand("alice1 joins; bob5 joins")
            raise died_or(server, failure, "after clients sent garbage or reset their connections",
                          GARBAGE_HINT) from None
