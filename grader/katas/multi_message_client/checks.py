"""Checks for exercise 3, multi_message_client (exercises/multi_message_client/README.md:
``send_messages(host, port, messages, timeout=5.0) -> list[str]``).

Every check starts its own line-reply server in this process (``grader/peers/lines/server.py``),
configured to misbehave the way the check needs (cut replies, pauses, a stall, an early close),
and calls the learner's ``send_messages`` in a child process with a hard bound, so a client that
hangs costs one bound, never the grader. The server answers line n of a connection with
``"n → line"``: a swapped, dropped or repeated reply, or a second connection (it counts from 1
again), shows in the returned list itself. The server records every byte, line, piece sent and
close, so a failure shows what happened on the wire and a command that serves the same
conversation by hand.

Most checks take a few milliseconds. Three calls take longer: two wait on purpose (a server that
goes silent, a reply that comes slowly, half a second each) and one copies 8 MiB each way. They
run at the same time as the rest, each in its own child against its own server, from the first
check on (``WAITING``, grader/engine/background.py), so grading a correct client costs about one
of them, not the sum.

Which checks depend on the first: those that judge the replies under harder conditions. Those
that judge only what reached the server (the lines sent, the connections, nothing sent for a bad
or an empty list) run whatever the first found, so a client that forgets the last \\n or opens a
connection per message is told so by name.
"""

import select
import socket
from contextlib import contextmanager
from dataclasses import dataclass

from hypothesis import example, given, settings

from grader.authoring import BackgroundCall, background_calls, check
from grader.failures import Failure, Prose, show
from grader.peers.lines.protocol import client_command, describe_difference, expected_replies, pieces, show_list, wire
from grader.peers.lines.server import ByteByByte, Chunks, InsideCharacters, LineReplyServer, Merged
from grader.katas.multi_message_client.strategies import messages as any_messages
from grader.katas.multi_message_client.strategies import reply_cuts
from grader.peers.reproduce import HAND_PORT

HOST = "127.0.0.1"
TIMEOUT = 2.0  # send_messages's timeout= where nothing stalls: loopback replies take milliseconds,
#               but a client starved of CPU on a busy machine once waited 1.1 s for replies already sent
LIMIT = 4.0  # seconds the grader lets one call run where nothing stalls
STILL_OPEN = 0.5  # seconds to wait for a client's close that should have come before it returned
WIRE_LIMIT = 1.5  # the bound where only the wire is judged (a client that hangs there costs this)


# --- one call of send_messages against one server, and what it did ----------------------------------

@dataclass
class Trial:
    """One call of the learner's send_messages against one server, and everything seen of it."""

    messages: list
    server: LineReplyServer
    outcome: object  # grader.learner.process.Outcome
    timeout: float
    limit: float
    closed: bool | None = None  # every connection closed by the client (None: not waited for)

    @property
    def connections(self):
        return self.server.connections

    @property
    def expected(self):
        return expected_replies(self.messages)

    @property
    def raised(self):
        return self.outcome.raised

    def raised_a(self, kind):
        return self.raised is not None and self.raised.is_a(kind)

    def result_text(self):
        text = self.outcome.ending(self.limit, show_list)
        return f"{text} after {self.outcome.elapsed:.2f} s" if self.outcome.raised is not None else text

    def transcript(self):
        """What the server saw, connection by connection, in a few lines."""
        records = self.connections
        if not records:
            return "The server saw no connection."
        lines = []
        for record in records[:3]:
            head = f"Connection {record.number}" if len(records) > 1 else "On the wire"
            received = wire(bytes(record.received)) if record.received else "nothing"
            lines.append(f"{head}: the server received {received}")
            if record.sends:
                lines.append(f"  and sent {wire(b''.join(record.sends))}{pieces(record.sends)}")
            if record.server_closed_at is not None:
                lines.append("  then closed its sending side (your recv() returns b'')")
            if record.stalled_at is not None:
                lines.append("  then went silent")
            if record.client_closed and self.outcome.timed_out:
                lines.append("  then the grader stopped your program, which closed the connection")
            elif record.client_closed:
                lines.append("  then your client " + ("reset the connection" if record.reset else "closed it"))
            elif self.closed is False:
                lines.append("  your client never closed the connection")
        if len(records) > 3:
            lines.append(f"... and {len(records) - 3} more connections")
        return "\n".join(lines)

    def reproduce(self):
        client = client_command(self.messages, self.timeout, HAND_PORT)
        if client is None:
            return None
        return f"{self.server.command(HAND_PORT)}\n{'':10}then, in another terminal: {client}"

    def failure(self, summary, expected=None, *, hint=None, note=None, keyed=True):
        """A Failure showing the call, the server, what came of it, the wire and a command.

        Without ``hint`` the hint is keyed on what came back (``hint_for``), if ``keyed``; else it
        is the check's own."""
        expected = self.expected if expected is None else expected
        return Failure(
            summary,
            sent=Prose(f"send_messages({HOST!r}, port, {show_list(self.messages)}, timeout={self.timeout:g})\n"
                       f"{'':10}server: {self.server.describe()}"),
            received=Prose(self.result_text()),
            expected=expected if isinstance(expected, Prose) else Prose(show_list(expected)),
            hint=hint or (hint_for(self) if keyed else None),
            note="\n".join(part for part in (note, self.transcript()) if part),
            output=self.outcome.output or None,
            reproduce=self.reproduce())


def hint_for(trial):
    """A hint keyed on what came back, or None (then the check's own hint is shown)."""
    value, raised = trial.outcome.value, trial.raised
    if raised is not None:
        if raised.is_a("UnicodeEncodeError"):
            return ('Encode every message with message.encode("utf-8"): UTF-8 has a form for every character, '
                    "and it is what the server expects.")
        if raised.is_a("UnicodeDecodeError"):
            return ("A recv() can end in the middle of a character, and b'1 \\xe2' cannot be decoded alone. "
                    "Buffer bytes and decode whole lines only.")
        unterminated = [r.unterminated for r in trial.connections if r.unterminated]
        if raised.is_a("TimeoutError") and unterminated:
            return (f"The server received {show(unterminated[0], 40)} with no \\n after it, so it never answered "
                    'that line: send message.encode("utf-8") + b"\\n" for every message, the last one too.')
        if raised.is_a("TimeoutError") and all_replied_before_close(trial):
            return ("The server had sent every reply, and your client still waited for more: one recv() can "
                    "return several replies. Keep the bytes after each \\n in your buffer for the next reply.")
        return None
    if not trial.outcome.returned or not isinstance(value, list) or not value:
        return None
    if any(isinstance(item, (bytes, bytearray)) for item in value):
        return 'Decode each reply before you return it: line.decode("utf-8").'
    replies = [item for item in value if isinstance(item, str)]
    if any("✗ not UTF-8" in item for item in replies):
        return ("The server received bytes that are not UTF-8 (see its reply): encode with "
                'message.encode("utf-8"), and decode the replies with "utf-8" too.')
    if len(replies) > 1 and all(item.startswith("1 ") for item in replies):
        return ("Every reply says 1: the server saw a new connection for every message. Open one connection "
                "before the loop over the messages.")
    if any(item.endswith("\n") for item in replies):
        return 'Drop the "\\n" at the end of each reply (only that one character): line[:-1] after cutting it out.'
    if any(item.endswith("\r") for item in replies) and not any(m.endswith("\r") for m in trial.messages):
        return 'The replies end in "\\r": your client sent "\\r\\n". Send each message followed by "\\n" only.'
    return None


def all_replied_before_close(trial):
    """True when the server had sent every reply before the client closed (or it never closed)."""
    times = [t for record in trial.connections for t in record.replied_at]
    closes = [record.closed_at for record in trial.connections if record.client_closed]
    return len(times) >= len(trial.messages) and (not closes or max(times) <= max(closes))


def run(learner, messages, *, timeout=TIMEOUT, limit=LIMIT, wait_closed=None, **server):
    """Start a line-reply server configured by ``server``, call send_messages once against it."""
    with LineReplyServer(**server) as line_server:
        host, port = line_server.address
        outcome = learner.call(host, port, messages, limit=limit, timeout=timeout)
        closed = line_server.wait_closed(wait_closed) if wait_closed is not None else None
        line_server.sync()
    return Trial(messages, line_server, outcome, timeout, limit, closed)


# --- what must have happened ---------------------------------------------------------------------

def expect_finished(trial, expected=None, note=None):
    """Raise unless send_messages ended by itself (returned or raised), within the grader's bound."""
    if trial.outcome.timed_out:
        raise trial.failure(f"send_messages did not finish within {trial.limit:g} s.", expected, note=note)
    if trial.outcome.exit_status is not None:
        raise trial.failure("Your program exited while send_messages was running.", expected, note=note)


def expect_replies(trial, *, note=None, keyed=True):
    """Raise unless send_messages returned exactly the expected replies."""
    expect_finished(trial, note=note)
    if trial.raised is not None:
        raise trial.failure(f"send_messages raised {trial.raised.type} instead of returning the replies.",
                            note=note, keyed=keyed)
    problem = describe_difference(trial.expected, trial.outcome.value)
    if problem:
        raise trial.failure(problem, note=note, keyed=keyed)


def expect_raised(trial, kind, expected, *, hint=None):
    expect_finished(trial, expected)
    if trial.raised is None:
        raise trial.failure(f"send_messages returned instead of raising {kind}.", expected, hint=hint)
    if not trial.raised_a(kind):
        raise trial.failure(f"send_messages raised {trial.raised.type}, not {kind}.", expected, hint=hint)


# --- the calls that wait, run at the same time ------------------------------------------------------

STALL_TIMEOUT = 0.5  # send_messages's timeout= when the server goes silent
EARLY = 0.5  # a TimeoutError before this share of the timeout is a smaller timeout of the client's own
#              (a deadline for the whole call comes early only by the first reply's time: the slow
#              reply check catches that; here it would depend on how fast the machine answered)
STALL_SLACK = 0.35  # seconds past the timeout a client may take to raise (a busy machine); one with a
#                     fixed timeout of 1 s of its own takes at least 1 s
STALL_MESSAGES = ["one", "two", "three"]
SLOW_TIMEOUT = 0.9  # send_messages's timeout= while a reply comes in pieces SLOW_PAUSE apart
SLOW_PAUSE = 0.1  # the 11-byte reply a byte at a time: ten pauses, at least 1 s in all (a sleep is
#                   never short), so one deadline of timeout for the whole call always runs out,
#                   while each wait is a ninth of the timeout: with 0.45 s against 0.15 s pauses,
#                   the reference failed 1 run in 20 with both cores busy (scripts/under_load.py)
SLOW_MESSAGES = ["slow"]

# 300 KB of "é", then 8 MiB: Linux starts a loopback connection with a send buffer of about 4 MB,
# so the second is what makes send() fall short. It is ASCII: a str of 8 Mi characters costs
# 8 MiB in Python, and four times that with a single emoji in it.
BIG = ["é" * 150_000, "a" * (8 * 1024 * 1024), "short 🙂"]
BIG_TIMEOUT = 5.0  # the function's default: nothing stalls here, and on a busy machine one wait for
# the grader's server (a thread, sharing this process with the other checks') passed 2 s

WAITING = {
    # the check that reads it: a call of ``run`` (the server's configuration in its keywords), the
    # first started first
    # not a wait, but half a second of copying 8 MiB each way, while the other checks run
    "check_big_messages": BackgroundCall(run, BIG, timeout=BIG_TIMEOUT, limit=15.0),
    "check_timeout": BackgroundCall(run, STALL_MESSAGES, timeout=STALL_TIMEOUT, limit=3.0, stall_after=1),
    "check_slow_reply": BackgroundCall(run, SLOW_MESSAGES, timeout=SLOW_TIMEOUT, limit=4.0, cut=Chunks([1]),
                                       pause=SLOW_PAUSE),
}
waiting_calls = background_calls(WAITING)


# --- the checks -----------------------------------------------------------------------------------

@check("returns the reply to each message, in order, as str", points=1,
       hint="Keep a buffer of received bytes and cut one line out of it per message; decode each line "
            "with .decode(\"utf-8\") and drop its \\n.")
def check_replies(learner, waiting_calls):
    """The dependency of the rest: the learner's file loads here (the ``learner`` fixture).

    ``waiting_calls`` is set up first (module fixtures are), so the slow calls start loading the
    file in their own children now, and wait while the quick checks run.
    """
    # The replies that are due together go in one piece: a client that sends every message at
    # once gets all three in one read, every run (replies sent one by one could be read together
    # or apart, as timing decides). A lock-step client gets each reply alone.
    expect_replies(run(learner, ["hello", "wörld", "日本語 🙂"], cut=Merged()))


@check("removes only the final \\n from each reply", points=1,
       hint="Cut each reply at its \\n and drop that one byte only: strip() also removes spaces and tabs, "
            "and str.splitlines() also splits at \\x0c, \\x85 and U+2028.",
       needs=check_replies)
def check_only_newline_removed(learner):
    expect_replies(run(learner, ["  two spaces  ", "\ttab\t", "form\x0cfeed", "line\u2028separator",
                                 "next\x85line", ""]))


@check("sends every message as a line ending in \\n", points=0.5,
       hint="Send message.encode(\"utf-8\") + b\"\\n\" for every message, the last one too: "
            "\"\\n\".join(...) puts no \\n after the last.")
def check_sends_lines(learner):
    messages = ["first", "second", "last"]
    trial = run(learner, messages, timeout=0.5, limit=WIRE_LIMIT)
    lines = [line for record in trial.connections for line in record.lines]
    wanted = [m.encode("utf-8") for m in messages]
    unterminated = [record.unterminated for record in trial.connections if record.unterminated]
    expected = Prose(show(b"".join(line + b"\n" for line in wanted)))
    if unterminated:
        raise trial.failure(f"The server received {show(unterminated[0])} with no \\n after it, so for the server "
                            "that line never ended and it never answered it.", expected)
    if lines != wanted:
        raise trial.failure(f"The server received the lines {show_list(lines)}, not the messages.", expected)


@check("uses one connection for all the messages", points=0.5,
       hint="Connect once, before the loop over the messages, and send them all on that socket.")
def check_one_connection(learner):
    # Only the connections count here: what came back is for the other checks to judge.
    trial = run(learner, ["one", "two", "three"], timeout=0.5, limit=WIRE_LIMIT)
    count = len(trial.connections)
    if count != 1:
        raise trial.failure(f"send_messages opened {count} connections for 3 messages.",
                            Prose("one connection for all three messages"))


@check("reads a reply that arrives one byte at a time", points=1,
       hint="One recv() is not one reply: recv() returns whatever has arrived, even 1 byte. Keep receiving "
            "into a buffer until it holds a \\n.",
       needs=check_replies)
def check_byte_by_byte(learner):
    # Without a pause the kernel joins most pieces again before the client reads; 2 ms between
    # sends lets a client blocked in recv() see the first byte alone, every run.
    expect_replies(run(learner, ["hi", "wö"], cut=ByteByByte(), pause=0.002))


@check("decodes a character cut between two reads", points=1,
       hint="A recv() can end in the middle of a character: b'1 \\xe2' cannot be decoded alone. Buffer "
            "bytes and decode whole lines, or use codecs.getincrementaldecoder(\"utf-8\")().",
       needs=check_replies)
def check_cut_character(learner):
    # Every reply is cut after the first byte of each of its multi-byte characters (2, 3 and 4
    # bytes long; the arrow is one): 6 cuts, each followed by a pause, so a client decoding each
    # recv() meets one.
    expect_replies(run(learner, ["café", "日本 🙂"], cut=InsideCharacters(), pause=0.005))


@check("finds several replies that arrive in one read", points=1,
       hint="One recv() can hold the end of one reply and the start of the next: keep the bytes after the "
            "\\n in your buffer for the next reply; never throw them away.",
       needs=check_replies)
def check_several_in_one_read(learner):
    # The server holds replies until all 4 lines are in (at most 10 ms after the first waiting one),
    # then sends their 32 bytes in pieces of 12, 14 and 6, 10 ms apart: the first piece holds reply 1
    # and the start of reply 2, the second the rest of 2, all of 3 and the start of 4. A client that
    # sends ahead reads a piece ending inside a reply unless it was held up for 20 ms; a lock-step
    # client gets each reply alone, 10 ms later.
    expect_replies(run(learner, ["a", "b", "c", "d"], cut=Chunks([12, 14]), pause=0.01, batch=4, gather=0.01))


PROPERTY_TIMEOUT = 0.5
PROPERTY_LIMIT = 2.0
# The pieces of a cut go out back to back (TCP_NODELAY: one segment each), and the kernel may join
# some of them again before the client reads, as timing decides. A pause between them would make
# every piece reach the client alone, at a cost of about a millisecond each, hundreds per example;
# the fixed checks above already make sure, with pauses, that a client sees single bytes and cut
# characters. Here it is the messages that vary.
PROPERTY_PAUSE = 0.0


@check("returns the right replies for any messages, however the replies are cut", points=1,
       hint="Run your function with the messages shown against the server command below, and print what "
            "each recv() returns.",
       # The fixed checks above report the usual framing bugs with a readable probe; the property
       # runs as well and shows the smallest messages and cut it found for the same bug.
       needs=check_replies)
def check_any_messages(learner):
    unfinished = []  # a call that waited for its timeout or the bound: reported as it is, never shrunk

    @settings(max_examples=10)
    @given(any_messages(), reply_cuts())
    @example([" é\t🙂 ", "\x0c\x85\u2028", ""], Chunks([3]))
    def any_conversation(messages, cut):
        if unfinished:
            return  # shrinking a call that waits would repeat its wait many times
        trial = run(learner, messages, timeout=PROPERTY_TIMEOUT, limit=PROPERTY_LIMIT, cut=cut,
                    pause=PROPERTY_PAUSE)
        if trial.outcome.timed_out or trial.raised_a("TimeoutError"):
            unfinished.append(trial)
            return
        expect_replies(trial)

    any_conversation()
    if unfinished:
        expect_replies(unfinished[0])


@check("refuses a message with \\n or \\r before sending anything", points=1,
       hint="Check every message before you connect or send: if any(\"\\n\" in m or \"\\r\" in m for m in "
            "messages): raise ValueError(...). A message with a line break would reach the server as two lines.")
def check_refuses_line_breaks(learner):
    for messages in (["ok", "bad\nline"], ["ok", "bad\rline"]):
        trial = run(learner, messages, limit=WIRE_LIMIT)
        expected = Prose("ValueError, with no byte sent")
        expect_raised(trial, "ValueError", expected)
        sent = b"".join(bytes(record.received) for record in trial.connections)
        if sent:
            raise trial.failure(f"send_messages raised ValueError, but only after sending {show(sent)}.", expected)


@check("returns [] for no messages, sending nothing", points=0.5,
       hint="With no messages there is nothing to send: return [] at once.")
def check_no_messages(learner):
    trial = run(learner, [], limit=WIRE_LIMIT)
    expected = Prose("[], with no byte sent")
    expect_finished(trial, expected)
    if not trial.outcome.returned or trial.outcome.value != []:
        raise trial.failure("send_messages did not return [] for an empty list of messages.", expected)
    sent = b"".join(bytes(record.received) for record in trial.connections)
    if sent:
        raise trial.failure(f"send_messages returned [], but sent {show(sent)} first.", expected)


@check("closes the connection before returning", points=0.5,
       hint="Close the socket when you are done: `with socket.create_connection(...) as sock:` closes it "
            "however the function ends.",
       needs=check_replies)
def check_closes(learner):
    trial = run(learner, ["hello"], wait_closed=STILL_OPEN)
    expect_replies(trial)
    if not trial.closed:
        raise trial.failure(f"send_messages returned, but the connection was still open {STILL_OPEN:g} s later.",
                            Prose("the connection closed by your client before send_messages returns"))


@check("raises ConnectionError when the server hangs up early", points=1,
       hint="recv() returning b'' means the server closed the connection: if replies are still missing, "
            "raise ConnectionError.",
       needs=check_replies)
def check_hang_up(learner):
    trial = run(learner, ["one", "two", "three"], limit=1.5, close_after=1)
    expected = Prose("ConnectionError (the server closed before replying to every message)")
    if trial.outcome.timed_out:
        raise trial.failure(f"send_messages was still running after {trial.limit:g} s, although the server had "
                            "closed the connection after its first reply.", expected,
                            hint="recv() returned b'' (the server closed) and your loop called it again: b'' "
                                 "comes back forever. Raise ConnectionError.")
    if trial.outcome.returned:
        raise trial.failure("send_messages returned although the server closed the connection after one reply.",
                            expected, hint="The server closed before replying to every message: raise "
                                           "ConnectionError instead of returning fewer replies.")
    expect_raised(trial, "ConnectionError", expected)


@check("sends and receives messages of hundreds of KiB and more", points=0.5,
       hint="Use sendall(): send() may send only part of a large message and returns how much it sent. "
            "And read until the \\n, however many recv() calls that takes.",
       needs=check_replies)
def check_big_messages(waiting_calls):
    trial = waiting_calls.take(check_big_messages)
    expect_replies(trial, note=big_note(trial), keyed=False)


def big_note(trial):
    """Which side fell short: what of the two long lines reached the server."""
    lines = [line for record in trial.connections for line in record.lines]
    received = sum(len(record.received) for record in trial.connections)
    total = sum(len(m.encode("utf-8")) + 1 for m in BIG)
    if len(lines) >= len(BIG):
        return "Every message reached the server whole, and it sent every reply."
    missing = len(lines)
    got = received - sum(len(line) + 1 for line in lines)
    return (f"The server received {received:,} of the {total:,} bytes: only {got:,} of the "
            f"{len(BIG[missing].encode('utf-8')) + 1:,} bytes of message {missing + 1} (with its \\n) arrived, "
            "so that line never ended and the server never answered it.")


@check("raises TimeoutError when the server goes silent", points=1,
       hint="Without a timeout recv() waits forever. Pass timeout=timeout to socket.create_connection (not a "
            "number of your own) and let the TimeoutError leave your function.",
       needs=check_replies)
def check_timeout(waiting_calls, learner):
    trial = waiting_calls.take(check_timeout)
    expected = Prose(f"TimeoutError, about {STALL_TIMEOUT:g} s after the server went silent")
    if trial.outcome.timed_out:
        raise trial.failure(f"send_messages was still waiting after {trial.limit:g} s: the server went silent "
                            f"after its first reply, and timeout={STALL_TIMEOUT:g} was passed.", expected)
    expect_raised(trial, "TimeoutError", expected)
    silence = waited_in_silence(trial)
    own_timeout = ("Use the timeout argument as the socket's timeout, not a number of your own: "
                   "socket.create_connection((host, port), timeout=timeout).")
    if silence > STALL_TIMEOUT + STALL_SLACK:
        raise trial.failure(f"send_messages raised TimeoutError only {silence:.2f} s after the server went silent, "
                            f"with timeout={STALL_TIMEOUT:g}.", expected, hint=own_timeout)
    if silence < STALL_TIMEOUT * EARLY:
        raise trial.failure(f"send_messages raised TimeoutError {silence:.2f} s after the server went silent, "
                            f"before timeout={STALL_TIMEOUT:g} seconds had passed.", expected, hint=own_timeout)
    expect_connect_timeout(learner)


CONNECT_TIMEOUT = 0.5  # send_messages's timeout= against a server that never accepts
CONNECT_LIMIT = 2.0  # the grader's bound on that call: 4 timeouts


@contextmanager
def unanswered_address():
    """An address where connecting waits: a listener with backlog 0 and one connection queued that
    it never accepts, so its accept queue is full and Linux drops every new SYN (the connect waits
    as for a host that does not answer, and retransmits for two minutes)."""
    listener = socket.create_server((HOST, 0), backlog=0)
    fillers = [socket.socket() for _ in range(2)]
    try:
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
        select.select([], fillers[:1], [], 1.0)  # the first is queued; the second's SYN was dropped
        yield listener.getsockname()
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def expect_connect_timeout(learner):
    """C10's first wait: connecting. A client that connects without a timeout and sets one only
    afterwards (settimeout after create_connection) waits out the kernel's SYN retries."""
    expected = Prose(f"TimeoutError, about {CONNECT_TIMEOUT:g} s after send_messages was called")
    with unanswered_address() as (host, port):
        outcome = learner.call(host, port, ["hello"], limit=CONNECT_LIMIT, timeout=CONNECT_TIMEOUT)
    sent = Prose(f"send_messages({host!r}, port, ['hello'], timeout={CONNECT_TIMEOUT:g})\n"
                 f"{'':10}server: one that never accepts (the connection is never set up)")
    hint = ("Give the timeout to the connect itself: socket.create_connection((host, port), timeout=timeout). "
            "A settimeout() after connecting leaves the connect with no bound.")
    if outcome.timed_out:
        raise Failure(f"send_messages was still connecting after {CONNECT_LIMIT:g} s to a server that never "
                      f"accepts, with timeout={CONNECT_TIMEOUT:g}.", sent=sent,
                      received=Prose("no answer: the grader stopped your program"), expected=expected, hint=hint,
                      output=outcome.output or None)
    if outcome.raised is None or not outcome.raised.is_a("TimeoutError"):
        what = "returned" if outcome.raised is None else f"raised {outcome.raised.type}"
        raise Failure(f"Connecting to a server that never accepts, with timeout={CONNECT_TIMEOUT:g}: send_messages "
                      f"{what}, not TimeoutError.", sent=sent, received=Prose(outcome.ending(CONNECT_LIMIT, show_list)),
                      expected=expected, hint=hint, output=outcome.output or None)


def waited_in_silence(trial):
    """Seconds from the server going silent to the client closing the connection as it raised; the
    call's whole duration if it did not close it (that includes connecting and the first reply)."""
    record = trial.connections[0] if len(trial.connections) == 1 else None
    if record is not None and record.stalled_at is not None and record.client_closed:
        return record.closed_at - record.stalled_at
    return trial.outcome.elapsed


@check("keeps waiting while a slow reply keeps coming", points=0.5,
       hint="timeout bounds each wait for more data, not the whole call: a server that keeps sending within "
            "timeout is never a timeout. Use the timeout argument as the socket timeout.",
       needs=check_replies)
def check_slow_reply(waiting_calls):
    trial = waiting_calls.take(check_slow_reply)
    if trial.raised_a("TimeoutError"):
        raise trial.failure(f"send_messages raised TimeoutError after {trial.outcome.elapsed:.2f} s while the reply "
                            f"was still coming: a piece every {SLOW_PAUSE:g} s, and timeout={SLOW_TIMEOUT:g}.",
                            keyed=False)
    expect_replies(trial)
