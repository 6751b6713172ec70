"""Checks for exercise 6, udp_pinger (exercises/udp_pinger/README.md:
``ping(host, port, count=10, timeout=1.0) -> list[float | None]``).

Every check starts a scripted UDP ping server in this process (``grader/peers/udp/``): one fate
per ping (answered after a hold, lost, answered twice, answered only once the next ping has
arrived, preceded by a stray from another socket, a reply with another number or garbage), and
calls the learner's ``ping`` in a child process with a hard bound. The server records every
datagram in and out with its time, by the monotonic clock the child reads too (arrivals by the
kernel's stamp), so each round trip is judged against what the server saw: at least the time
it held the reply (less ``RTT_BELOW`` for a client that rounds its stamp), at most
``RTT_ABOVE`` more. Every failure shows that record as a timeline and a command that serves the
same script by hand.

Most checks take tens of milliseconds. Six wait on purpose (replies held 250 ms, lost pings,
late replies, a stray before a lost reply, a stream of decoys, a port with no server), and the
property makes a call per script it draws: they run at the same time as the rest, each in its
own child against its own servers (``WAITING``, grader/engine/background.py), so grading a
correct client costs about the longest of them.

Which checks depend on the first: those that judge the results. The wire (the pings' form,
one socket, one ping at a time) and the arguments are judged whatever the first found.
"""

import socket
from dataclasses import dataclass

from hypothesis import example, given, settings

from grader.authoring import BackgroundCall, background_calls, check
from grader.failures import Failure, Prose, show
from grader.katas.udp_pinger.strategies import scripts
from grader.peers.net import LOOPBACK, chosen_port
from grader.peers.reproduce import HAND_PORT, learner_file
from grader.peers.udp.script import (ANSWER, DROP, GARBAGE, LATE, STRAY, TWICE, WRONG, Fate, parse_ping,
                                     tokens)
from grader.peers.udp.server import PingServer

HOST = LOOPBACK
TIMEOUT = 0.3  # ping's timeout= in most checks: every hold is at most a third of it
SLACK = 0.5  # the contract's "plus a little" on count * timeout for the whole call
BOUND_EXTRA = 1.0  # the grader's bound on a call is count * timeout + SLACK + this
RTT_BELOW = 0.002  # an RTT may be this much under the server's hold (a stamp rounded to the ms)
RTT_ABOVE = 0.25  # ... and this much over it: the trip both ways, and a busy machine's scheduling (a
#                  loaded 2-core machine was seen to hold one side of a trip back 150 ms)
UNSURE = 0.1  # a reply the server sent this close to a ping's deadline (either side) may be counted or not
STILL_OPEN = 0.5  # seconds to wait for "port unreachable" from a socket that should be closed
SHOWN_EVENTS = 18  # lines of a timeline


@dataclass(frozen=True)
class Due:
    """What one entry must be when the server answered its ping: an RTT from ``low`` to ``high``
    (the server held the reply ``hold`` seconds), or also None when it answered so close to the
    deadline (``either``) that a busy machine may have delivered it after."""

    low: float
    high: float
    hold: float
    either: bool = False


def answer(hold=0.0):
    return Fate(ANSWER, hold)


# --- one call of ping against one server, and what it did -----------------------------------------

@dataclass
class Trial:
    """One call of the learner's ping against one scripted server (or a closed port)."""

    fates: list
    count: int
    timeout: float
    server: PingServer | None  # None: the call went to a port with no server
    outcome: object  # grader.learner.process.Outcome
    limit: float
    closed: bool | None = None  # the client's socket closed after the call (None: not probed)

    @property
    def raised(self):
        return self.outcome.raised

    @property
    def value(self):
        return self.outcome.value

    @property
    def bound(self):
        return self.count * self.timeout + SLACK

    def pings(self):
        return self.server.pings if self.server else []

    def expected(self):
        """Per ping 1..count: its Due, or None where None is due (no reply within the timeout)."""
        pings = {p.index: p for p in self.pings()}
        due = []
        for index in range(1, self.count + 1):
            due_at = self.server.reply_due(index) if self.server and index in pings else None
            hold = due_at - pings[index].at if due_at is not None else None
            # A reply held a little past the deadline may still be counted: the server's stamps
            # and the client's are taken by two processes a busy machine schedules apart. A late
            # reply never: it leaves only once the next ping has come, after the client gave up.
            late = index <= len(self.fates) and self.fates[index - 1].reply == LATE
            if hold is None or hold >= self.timeout + (0.0 if late else UNSURE):
                due.append(None)
            else:
                due.append(Due(max(0.0, hold - RTT_BELOW), hold + RTT_ABOVE, hold, hold > self.timeout - UNSURE))
        return due

    def expected_text(self):
        shown = ["None" if due is None else f"about {due.hold:.3f}" + (" or None" if due.either else "")
                 for due in self.expected()]
        unit = " (seconds, floats)" if any(self.expected()) else ""
        return Prose(f"[{', '.join(shown)}]{unit}, within {self.bound:g} s")

    def call_text(self):
        where = "a port with no server" if self.server is None else "the grader's server"
        return f"ping({HOST!r}, port, count={self.count}, timeout={self.timeout:g})   # {where}"

    def script_text(self):
        if self.server is None:
            return "nothing listens on that port: every ping gets ICMP port unreachable"
        return "; ".join(f"ping {n}: {fate.describe()}" for n, fate in enumerate(self.fates[:self.count], start=1))

    def timeline(self):
        """What the server saw and did, in time order, from the first datagram in."""
        if self.server is None:
            return None
        events = [(r.at, self._received_line(r)) for r in self.server.received]
        events += [(s.at, self._sent_line(s)) for s in self.server.sent]
        if not events:
            return "The server received nothing."
        events.sort(key=lambda event: event[0])
        start = events[0][0]
        lines = [f"{at - start:6.3f} s  {text}" for at, text in events[:SHOWN_EVENTS]]
        if len(events) > SHOWN_EVENTS:
            lines.append(f"... and {len(events) - SHOWN_EVENTS} more datagrams")
        return "What the server saw (its clock):\n" + "\n".join(lines)

    @staticmethod
    def _received_line(received):
        if received.ping is None:
            return f"received {show(received.data, 60)}: not a ping (PING <i> <t>\\n), so no reply"
        return f"ping {received.ping.index} arrived: {show(received.data, 60)}"

    @staticmethod
    def _sent_line(sent):
        what, ping = sent.send.what, sent.send.ping
        words = {"reply": f"the reply to ping {ping}", "duplicate": f"the reply to ping {ping} again (a duplicate)",
                 "late reply": f"the reply to ping {ping}, late (after its timeout)",
                 STRAY: f"a stray, while ping {ping} waits: from ANOTHER socket",
                 WRONG: f"a reply with the wrong number, while ping {ping} waits",
                 GARBAGE: f"garbage, while ping {ping} waits"}[what]
        return f"sent {words}: {show(sent.send.payload, 60)}"

    def results_text(self):
        text = self.outcome.ending(self.limit, _show_results)
        return f"{text} after {self.outcome.elapsed:.2f} s"

    def reproduce(self):
        client = f"python {learner_file('udp_pinger')} {HAND_PORT} {self.count} {self.timeout:g}"
        if self.server is None:
            return f"with no server running: {client}"
        fates = self.fates[:self.count]
        gaps = {fate.gap for fate in fates if fate.decoys}
        gap = f" --decoy-gap {gaps.pop():g}" if len(gaps) == 1 and 0.01 not in gaps else ""
        return (f"python -m grader.peers.udp --port {HAND_PORT} --script '{tokens(fates)}'{gap}\n"
                f"{'':10}then, in another terminal: {client}")

    def failure(self, summary, *, hint=None, expected=None, note=None):
        return Failure(
            summary,
            sent=Prose(f"{self.call_text()}\n{'':10}server: {self.script_text()}"),
            received=Prose(self.results_text()),
            expected=expected or self.expected_text(),
            hint=hint or hint_for(self),
            note="\n".join(part for part in (note, self.timeline()) if part) or None,
            output=self.outcome.output or None,
            reproduce=self.reproduce())


def _show_results(value):
    if isinstance(value, list) and all(item is None or isinstance(item, float) for item in value):
        return "[" + ", ".join("None" if item is None else f"{item:.4f}" for item in value) + "]"
    return show(value)


# --- what went wrong, in the learner's terms ---------------------------------------------------------

def hint_for(trial):
    """A hint keyed on how the call ended, or None (then the check's own hint shows)."""
    raised = trial.raised
    if raised is not None:
        if raised.is_a("ConnectionRefusedError"):
            return ("A connect()ed UDP socket reports ICMP port unreachable (no server there) as "
                    "ConnectionRefusedError from the next recv: catch it; that ping is None, and the others "
                    "still go out.")
        if raised.is_a("TimeoutError"):
            return ("A timeout is not an error for a pinger: catch it (except TimeoutError), record None for "
                    "that ping and go on with the next.")
        if raised.is_a("UnicodeDecodeError") or raised.is_a("ValueError") or raised.is_a("IndexError"):
            return ("A datagram may be anything: empty, binary, 'PONG x'. Test its form before you use it "
                    "(split it, compare the words with b'PONG' and the number) and ignore what does not fit.")
        if raised.is_a("BlockingIOError"):
            return "settimeout(0) makes the socket non-blocking: a timeout must be more than 0."
        return None
    if trial.outcome.timed_out:
        return ("recvfrom() waits forever unless the socket has a timeout: sock.settimeout(time left until "
                "this ping's deadline) before every wait.")
    return None


def rtt_problem(trial, index, value, due):
    """Why entry ``index`` (1-based) is wrong, with a hint; or None."""
    if due is None:
        if value is None:
            return None
        return (f"Entry {index} is {value:.4f}, but no reply to ping {index} came within timeout={trial.timeout:g}: "
                f"it should be None.", taken_hint(trial, index, value))
    if value is None:
        if due.either:
            return None
        return (f"Entry {index} is None, but the server answered ping {index} after {due.hold:.3f} s "
                f"(or would have, had your client waited), within timeout={trial.timeout:g}.", None)
    if not isinstance(value, float):
        return (f"Entry {index} is {show(value)}, a {type(value).__name__}: a round-trip time is a float "
                "number of seconds.", "Return time.monotonic() - sent_at as it is: a float of seconds.")
    low, high = due.low, due.high
    if value < 0:
        return (f"Entry {index} is {value:.4f}: negative.",
                "A round trip is the time it arrived minus the time it was sent, not the other way round.")
    if value > high and low <= value / 1000 <= high:
        return (f"Entry {index} is {value:.4f}: the server held its reply {due.hold:.3f} s, so that looks "
                "like milliseconds.", "Return seconds, as time.monotonic() gives them: do not multiply by 1000.")
    if value < low:
        return (f"Entry {index} is {value:.4f} s, but the server held its reply {due.hold:.3f} s: your "
                f"client took another datagram for ping {index}'s reply.", taken_hint(trial, index, value))
    if value > high:
        return (f"Entry {index} is {value:.4f} s, but the server held its reply only {due.hold:.3f} s "
                f"(and {RTT_ABOVE:g} s is allowed for the trip).",
                "Take the time just before you send each ping, and subtract it from the time its reply "
                "arrived: not from the start of the call, nor before a wait of your own.")
    return None


def taken_hint(trial, index, value):
    """What the client took for ping ``index``'s reply (the datagram that arrived about ``value``
    seconds after that ping), and the test it forgot."""
    pings = {p.index: p for p in trial.pings()}
    if index not in pings:
        return None
    start = pings[index].at
    # The datagram it took left before its clock read start + value at the latest (the send times
    # are taken before sendto, and the ping arrived after the client read its clock).
    arrived = [s for s in trial.server.sent if s.at <= start + value
               and not (s.send.what == "reply" and s.send.ping == index)]
    if not arrived:
        return None
    taken = arrived[-1].send
    if taken.what == STRAY:
        return ("It took the stray from another socket. recvfrom() returns (data, address): a reply counts only "
                "from (host, port). (A connect()ed socket filters that for you.)")
    if taken.what == WRONG:
        return f"It took a reply with another number: PONG <i> counts only if <i> is {index}, the ping now waiting."
    if taken.what == GARBAGE:
        return "It took a garbled datagram: a reply counts only if it reads PONG <i> ... with the waiting ping's i."
    if taken.ping == index:
        return (f"It counted the reply to ping {index} that came after its timeout: once a ping's time is up it is "
                "None, whatever comes later.")
    return (f"It took the reply to ping {taken.ping} ({taken.what}) for ping {index}'s: check the number in every "
            f"PONG, and ignore one that is not the waiting ping's.")


# --- judging ---------------------------------------------------------------------------------

def wire_problem(trial):
    """What is wrong with the pings the server received (their form, numbers, socket), or None."""
    received = trial.server.received
    if not received:
        return "The server received no datagram."
    malformed = [r.data for r in received if parse_ping(r.data) is None]
    if malformed:
        return f"The server received {show(malformed[0], 60)}, which is not a ping: PING <i> <t>\\n, exactly."
    numbers = [int(parse_ping(r.data)[0]) for r in received]
    if numbers != list(range(1, trial.count + 1)):
        return f"The pings carried the numbers {numbers}; expected {list(range(1, trial.count + 1))}, one each."
    sources = {r.source for r in received}
    if len(sources) > 1:
        return f"The {len(received)} pings came from {len(sources)} different sockets (source ports)."
    return None


def expect_finished(trial):
    if trial.outcome.timed_out:
        raise trial.failure(f"ping was still running after {trial.limit:g} s, with count={trial.count} and "
                            f"timeout={trial.timeout:g}.")
    if trial.outcome.exit_status is not None or trial.outcome.lost:
        raise trial.failure("Your program exited while ping was running.")


def expect_results(trial):
    """Raise unless ping returned the due results, in time, having sent well-formed pings."""
    expect_finished(trial)
    if trial.raised is not None:
        raise trial.failure(f"ping raised {trial.raised.type} instead of returning a list.")
    value = trial.value
    if not isinstance(value, list) or len(value) != trial.count:
        what = f"a list of {len(value)}" if isinstance(value, list) else f"a {type(value).__name__}"
        raise trial.failure(f"ping returned {what}; expected a list of {trial.count} entries, one per ping.")
    if trial.server is not None:
        problem = wire_problem(trial)
        if problem:
            raise trial.failure(problem, hint=FORMAT_HINT, expected=WIRE_EXPECTED)
    for index, (entry, due) in enumerate(zip(value, trial.expected()), start=1):
        problem = rtt_problem(trial, index, entry, due)
        if problem:
            raise trial.failure(problem[0], hint=problem[1])
    expect_in_time(trial)


def expect_in_time(trial):
    if trial.outcome.elapsed > trial.bound:
        raise trial.failure(f"ping took {trial.outcome.elapsed:.2f} s: more than count * timeout + {SLACK:g} = "
                            f"{trial.bound:g} s.", hint=TIME_LEFT_HINT)


def run(learner, fates, *, count=None, timeout=TIMEOUT, limit=None, closed_port=False, probe=False):
    """Serve ``fates`` (or nothing, on a closed port), call ping once against it."""
    count = len(fates) if count is None else count
    limit = limit or max(count, 1) * timeout + SLACK + BOUND_EXTRA
    if closed_port:
        port = unused_port()
        outcome = learner.call(HOST, port, count=count, timeout=timeout, limit=limit)
        return Trial(fates, count, timeout, None, outcome, limit)
    with PingServer(fates) as server:
        host, port = server.address
        outcome = learner.call(host, port, count=count, timeout=timeout, limit=limit)
        closed = socket_closed(server) if probe and outcome.returned else None
    return Trial(fates, count, timeout, server, outcome, limit, closed)


def unused_port():
    """A UDP port on 127.0.0.1 that nothing is bound to (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((LOOPBACK, 0))
        return chosen_port(probe.getsockname()[1])


def socket_closed(server):
    """Whether the socket the pings came from is closed: a datagram sent to it then comes back as
    ICMP port unreachable, which a connect()ed socket reports as ConnectionRefusedError."""
    sources = {r.source for r in server.received}
    if len(sources) != 1:
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(sources.pop())
        probe.settimeout(STILL_OPEN)
        try:
            probe.send(b"is this socket still open?\n")
            probe.recv(64)
        except ConnectionRefusedError:
            return True
        except TimeoutError:
            return False
    return False  # it answered: a socket is open there


WIRE_EXPECTED = Prose("b'PING 1 <t>\\n', b'PING 2 <t>\\n', ... one datagram per ping, all from one socket "
                      "(<t> a decimal number)")
FORMAT_HINT = ('Send f"PING {number} {time.monotonic()}\\n".encode("ascii") for number = 1, 2, ... count, '
               "each with sendto() on the same socket: exactly that, with one space between the parts and one "
               "\\n at the end.")
TIME_LEFT_HINT = ("Set the socket's timeout to the time LEFT until this ping's deadline before every wait "
                  "(deadline = sent_at + timeout, computed once per ping): a datagram that is not the reply must "
                  "not start a fresh timeout.")

# --- the calls that wait, run at the same time --------------------------------------------------

DROPS = [answer(0.01), Fate(DROP), Fate(DROP), answer(0.01)]
LATE_SCRIPT = [Fate(LATE), Fate(LATE), answer(0.01)]
STRAY_SCRIPT = [Fate(ANSWER, 0.04, (STRAY,)), Fate(DROP, 0.0, (STRAY,)), answer(0.01)]
DECOY_GAP = 0.08  # a decoy every 80 ms while a ping waits, six of them: a client that starts a fresh
#                   timeout at each waits 0.48 + 0.3 s per ping, 1.56 s for two, against the 1.1 s
#                   allowed; a correct one takes 0.6 s (0.5 s to spare on a busy machine)
STREAM = Fate(DROP, 0.0, (STRAY, WRONG, GARBAGE) * 2, DECOY_GAP)
STREAM_SCRIPT = [STREAM, STREAM]
# Two replies held 250 ms, then two sent at once: a client that measures from the start of the call
# gives the last two 0.5 s (0.25 s more than allowed), a millisecond client 250.
RTT_SCRIPT = [answer(0.25), answer(0.25), answer(), answer()]
RTT_TIMEOUT = 0.8  # over three times the 0.25 s hold plus the trip (scripts/margins.py)
REFUSED_COUNT = 3
REFUSED_TIMEOUT = 0.2

PROPERTY_TIMEOUT = 0.15
PROPERTY_BOUND = 20.0  # seconds for every example and the shrinking (the engine stops it at 10 s)


def any_script(learner, *, limit):
    """The property, run in the background with a child of its own: ``run`` against scripts
    Hypothesis draws (the same every run). Returns None when every example passed, or the first
    call that ran into the grader's bound (not shrunk: shrinking would repeat its wait); raises
    the Failure of the smallest failing script."""
    unfinished = []

    @settings(max_examples=6)
    @given(scripts())
    @example([Fate(TWICE), answer(0.02)])
    @example([Fate(ANSWER, 0.01, (STRAY, WRONG)), Fate(LATE), answer()])
    def property_(fates):
        if unfinished:
            return
        trial = run(learner, fates, timeout=PROPERTY_TIMEOUT)
        if trial.outcome.timed_out:
            unfinished.append(trial)
            return
        expect_results(trial)

    property_()
    return unfinished[0] if unfinished else None


WAITING = {
    # the check that reads it: a call of ``run`` (or the property), the longest first
    "check_any_script": BackgroundCall(any_script, limit=PROPERTY_BOUND),
    "check_rtt": BackgroundCall(run, RTT_SCRIPT, timeout=RTT_TIMEOUT, limit=4 * RTT_TIMEOUT + SLACK + BOUND_EXTRA),
    "check_drops": BackgroundCall(run, DROPS, limit=4 * TIMEOUT + SLACK + BOUND_EXTRA),
    "check_time_left": BackgroundCall(run, STREAM_SCRIPT, limit=2 * TIMEOUT + SLACK + BOUND_EXTRA + 1.0),
    "check_late": BackgroundCall(run, LATE_SCRIPT, limit=3 * TIMEOUT + SLACK + BOUND_EXTRA),
    "check_refused": BackgroundCall(run, [], count=REFUSED_COUNT, timeout=REFUSED_TIMEOUT, closed_port=True,
                                    limit=REFUSED_COUNT * REFUSED_TIMEOUT + SLACK + BOUND_EXTRA),
    "check_stray": BackgroundCall(run, STRAY_SCRIPT, limit=3 * TIMEOUT + SLACK + BOUND_EXTRA),
}
waiting_calls = background_calls(WAITING)


# --- the checks -----------------------------------------------------------------------------------

@check("returns a round-trip time for every answered ping", points=1,
       hint="For each number from 1 to count: send the ping, wait for its PONG, and append "
            "time.monotonic() - sent_at to the list.")
def check_answers(learner, waiting_calls):
    """The dependency of the rest: the learner's file loads here (the ``learner`` fixture);
    ``waiting_calls`` starts the calls that wait, each in a child of its own."""
    expect_results(run(learner, [answer(0.01)] * 3))


@check("measures each round trip in seconds, as the server saw it", points=1,
       hint="Take time.monotonic() just before each sendto() and again when its reply arrives: the difference, "
            "in seconds, is that ping's round trip.",
       needs=check_answers)
def check_rtt(waiting_calls):
    expect_results(waiting_calls.take(check_rtt))


@check("sends each ping as PING <i> <t>\\n, numbered from 1, from one socket", points=0.5, hint=FORMAT_HINT)
def check_wire(learner):
    trial = run(learner, [answer()] * 3, limit=3 * TIMEOUT + SLACK + BOUND_EXTRA)
    problem = wire_problem(trial)
    if problem:
        raise trial.failure(problem, expected=WIRE_EXPECTED)


@check("sends each ping only after the last one's reply or timeout", points=0.5,
       hint="Send one ping, then wait for its reply or its deadline, and only then send the next: "
            "a pinger measures one round trip at a time.")
def check_one_at_a_time(learner):
    trial = run(learner, [answer(0.05)] * 3)
    pings = trial.pings()
    for earlier, later in zip(pings, pings[1:]):
        replies = trial.server.sent_for(earlier.index)
        if replies and later.at < replies[0].at:
            raise trial.failure(f"Ping {later.index} arrived {later.at - earlier.at:.3f} s after ping "
                                f"{earlier.index}, before the server had answered it (it held the reply "
                                "50 ms).", expected=Prose("each ping sent after the reply to the one before"))


@check("ignores duplicated replies and replies with another number", points=1,
       hint="Check the number of every PONG: a duplicate of an earlier reply, or a reply with another number, "
            "is not the reply to the ping now waiting. Ignore it and keep waiting.",
       needs=check_answers)
def check_duplicates(learner):
    expect_results(run(learner, [Fate(TWICE, 0.01), Fate(ANSWER, 0.04, (WRONG,)), Fate(TWICE), answer(0.04)]))


@check("ignores garbled datagrams, without raising", points=1,
       hint="A datagram may be empty, binary or 'PONG x': split it and compare its words, and ignore whatever "
            "does not read PONG <i> ... (no int() or decode() that can raise on garbage).",
       needs=check_answers)
def check_garbage(learner):
    expect_results(run(learner, [Fate(ANSWER, 0.0, (GARBAGE,) * 5), Fate(ANSWER, 0.0, (GARBAGE,) * 2), answer()]))


@check("gives None for a lost ping, and goes on with the next", points=1,
       hint="When a ping's deadline passes, catch the timeout, append None and send the next ping.",
       needs=check_answers)
def check_drops(waiting_calls):
    expect_results(waiting_calls.take(check_drops))


@check("does not count a reply that comes after its ping's timeout", points=1,
       hint="A ping is None once its timeout has passed, whatever comes later; and a late reply to ping 1 "
            "that arrives while ping 2 waits is not ping 2's reply: check the number.",
       needs=check_answers)
def check_late(waiting_calls):
    expect_results(waiting_calls.take(check_late))


@check("ignores a reply from another address", points=1,
       hint="recvfrom() returns (data, address): a reply counts only if address == (host, port). Or "
            "connect() the socket to (host, port), and the system drops datagrams from anyone else.",
       needs=check_answers)
def check_stray(waiting_calls):
    expect_results(waiting_calls.take(check_stray))


@check("keeps each ping's deadline while other datagrams keep coming", points=1, hint=TIME_LEFT_HINT,
       needs=check_answers)
def check_time_left(waiting_calls):
    trial = waiting_calls.take(check_time_left)
    expect_finished(trial)
    pings = trial.pings()
    if len(pings) == 2 and pings[1].at - pings[0].at > TIMEOUT + SLACK / 2:
        raise trial.failure(f"Ping 2 was sent {pings[1].at - pings[0].at:.2f} s after ping 1, with "
                            f"timeout={TIMEOUT:g}: a datagram every {DECOY_GAP * 1000:g} ms kept your client waiting "
                            "past ping 1's deadline.", hint=TIME_LEFT_HINT)
    expect_results(trial)


@check("gives None for pings to a port with no server, without raising", points=1,
       hint="ICMP port unreachable comes back as ConnectionRefusedError on a connect()ed socket: catch it and "
            "treat that ping as lost (None).",
       needs=check_answers)
def check_refused(waiting_calls):
    expect_results(waiting_calls.take(check_refused))


@check("returns the right results for any script of losses, delays and duplicates", points=1,
       hint="Run your function against the server command below, which plays the same script, and print "
            "every datagram your client receives, with its sender.",
       needs=check_answers)
def check_any_script(waiting_calls):
    trial = waiting_calls.take(check_any_script)
    if trial is not None:  # a call that ran into the bound: reported as it is, never shrunk
        expect_results(trial)


BAD_ARGUMENTS = ({"count": 0, "timeout": TIMEOUT}, {"count": -1, "timeout": TIMEOUT}, {"count": 2, "timeout": 0},
                 {"count": 2, "timeout": -0.5})


@check("raises ValueError for count < 1 or timeout <= 0, sending nothing", points=0.5,
       hint="Check the arguments first: if count < 1 or timeout <= 0: raise ValueError(...), before you "
            "create the socket or send anything.")
def check_bad_arguments(learner):
    for arguments in BAD_ARGUMENTS:
        trial = run(learner, [], limit=2 * TIMEOUT + SLACK + BOUND_EXTRA, **arguments)
        expected = Prose("ValueError, with no datagram sent")
        expect_finished(trial)
        if trial.raised is None:
            raise trial.failure(f"ping returned instead of raising ValueError for count={trial.count}, "
                                f"timeout={trial.timeout:g}.", expected=expected)
        if not trial.raised.is_a("ValueError"):
            raise trial.failure(f"ping raised {trial.raised.type}, not ValueError, for count={trial.count}, "
                                f"timeout={trial.timeout:g}.", expected=expected)
        if trial.server.received:
            raise trial.failure(f"ping raised ValueError for count={trial.count}, timeout={trial.timeout:g}, but "
                                f"only after sending {show(trial.server.received[0].data)}.", expected=expected)


@check("closes its socket before returning", points=0.5,
       hint="Close the socket when you are done: `with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as "
            "sock:` closes it however the function ends.",
       needs=check_answers)
def check_closes(learner):
    trial = run(learner, [answer()], probe=True)
    expect_results(trial)
    if trial.closed is False:
        raise trial.failure(f"ping returned, but its socket was still open {STILL_OPEN:g} s later: a datagram sent "
                            "to it got no port unreachable back.",
                            expected=Prose("the socket closed before ping returns"))
