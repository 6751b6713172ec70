"""What the grader's UDP ping server does with each ping, decided without sockets.

A check hands the server a script: one ``Fate`` per ping, in the order the pings arrive (the
k-th well-formed ping from a client is its ping k, whatever number it carries). A fate says
what happens to the true reply (answered after ``hold`` seconds, dropped, answered twice, or
held back until the next ping arrives, so that it lands while that one waits) and which decoys
go first, ``gap`` seconds apart, while the ping waits: a stray (the true reply, but from
another socket), a reply with another number, or a garbled datagram. Every decoy differs from
the true reply in its sender, its number or its form, as the contract promises
(exercises/udp_pinger/README.md), so a correct client ignores it; a client that skips one of
the tests takes it.

The ``Responder`` turns datagrams in into ``Send``s out, with the time each is due; the server
(``server.py``) only moves bytes and keeps the clock. A script reads back as text
(``tokens``/``parse_tokens``), which is how ``python -m grader.peers.udp --script`` serves the
same script by hand.
"""

import re
from dataclasses import dataclass

ANSWER, DROP, LATE, TWICE = "answer", "drop", "late", "twice"
REPLIES = (ANSWER, DROP, LATE, TWICE)
STRAY, WRONG, GARBAGE = "stray", "wrong", "garbage"
DECOYS = (STRAY, WRONG, GARBAGE)
SERVER, OTHER = "server", "other"  # which socket a datagram leaves from
LATE_LEAD = 0.03  # seconds a late reply goes ahead of the true reply of the ping it lands in

# A ping as the contract spells it: PING <i> <t>\n, <i> from 1 without leading zeros, <t> a
# decimal number of seconds in any precision (an exponent is let through: repr() of a small float
# writes one).
PING = re.compile(rb"PING ([1-9][0-9]*) ((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\n")


def parse_ping(data):
    """(number, stamp) of a well-formed ping, as bytes; None for anything else."""
    match = PING.fullmatch(data)
    return (match.group(1), match.group(2)) if match else None


def pong(number, stamp):
    """The true reply to ``PING <number> <stamp>\\n``."""
    return b"PONG " + number + b" " + stamp + b"\n"


def garbage(index, number, stamp):
    """The ``index``-th garbled datagram: none parses as PONG <number> (empty, binary, no number,
    the ping sent back, a bare word)."""
    forms = (b"", b"\xff\xfe\x00\x01", b"PONG x " + stamp + b"\n", b"PING " + number + b" " + stamp + b"\n",
             b"PONG\n")
    return forms[index % len(forms)]


@dataclass(frozen=True)
class Fate:
    """What happens to one ping: its decoys first, ``gap`` seconds apart, then its true reply."""

    reply: str = ANSWER
    hold: float = 0.0  # seconds after the ping arrives that the true reply goes (answer, twice)
    decoys: tuple = ()
    gap: float = 0.01

    def __post_init__(self):
        if self.reply not in REPLIES or any(d not in DECOYS for d in self.decoys):
            raise ValueError(f"not a fate: {self!r}")

    @property
    def answered(self):
        """Whether the true reply comes while the ping waits."""
        return self.reply in (ANSWER, TWICE)

    def token(self):
        """The fate as ``--script`` writes it: ``stray+wrong+answer@0.05``."""
        hold = f"@{self.hold:g}" if self.hold and self.answered else ""
        return "+".join((*self.decoys, self.reply)) + hold

    def describe(self):
        """In the learner's words: "a stray from another socket, then the reply after 50 ms"."""
        decoys = [DECOY_WORDS[d] for d in self.decoys]
        if self.reply == DROP:
            main = "no reply (lost)"
        elif self.reply == LATE:
            main = "its reply only when the next ping arrives (too late)"
        else:
            main = "the reply" + (f" after {self.hold * 1000:g} ms" if self.hold else " at once")
            main += " twice" if self.reply == TWICE else ""
        return ", then ".join((*decoys, main))


DECOY_WORDS = {STRAY: "the same reply from another socket", WRONG: "a reply with the number of the ping before",
               GARBAGE: "a garbled datagram"}


def parse_token(text):
    """The Fate written as ``text`` (``Fate.token``); ValueError with the reason otherwise."""
    words, _, hold = text.strip().partition("@")
    *decoys, reply = words.split("+")
    try:
        return Fate(reply, float(hold) if hold else 0.0, tuple(decoys))
    except ValueError:
        raise ValueError(f"not a ping's fate: {text!r} (write [stray+|wrong+|garbage+]...answer|drop|late|twice"
                         "[@SECONDS])") from None


def tokens(fates):
    return ",".join(fate.token() for fate in fates)


def parse_tokens(text, gap=None):
    fates = [parse_token(part) for part in text.split(",") if part.strip()]
    return [Fate(f.reply, f.hold, f.decoys, gap) for f in fates] if gap is not None else fates


class Lossy:
    """Fates drawn at random, seeded, for a server by hand: each ping is lost with probability
    ``loss``, answered late, twice, or after a decoy with the other rates, else answered after
    up to ``delay`` seconds."""

    def __init__(self, *, loss=0.0, late=0.0, duplicate=0.0, stray=0.0, wrong=0.0, garbage=0.0, delay=0.0,
                 seed=0):
        import random

        self.rng = random.Random(seed)
        self.loss, self.late, self.duplicate, self.delay = loss, late, duplicate, delay
        self.decoy_rates = ((STRAY, stray), (WRONG, wrong), (GARBAGE, garbage))

    def __call__(self, index):
        decoys = tuple(decoy for decoy, rate in self.decoy_rates if self.rng.random() < rate)
        roll = self.rng.random()
        reply = DROP if roll < self.loss else LATE if roll < self.loss + self.late else \
            TWICE if roll < self.loss + self.late + self.duplicate else ANSWER
        return Fate(reply, round(self.rng.uniform(0, self.delay), 3), decoys)


@dataclass(frozen=True)
class Send:
    """One datagram the server is to send: when, from which socket, to which ping it belongs."""

    at: float
    payload: bytes
    ping: int
    what: str  # "reply", "duplicate", "late reply", or a decoy's name
    via: str = SERVER

    @property
    def decoy(self):
        return self.what in DECOYS


@dataclass
class Ping:
    """A well-formed ping as the server received it."""

    index: int  # its place in the script: the k-th ping from this client
    at: float
    data: bytes
    number: bytes
    stamp: bytes


class Responder:
    """The script in motion for one client: pings in, the datagrams to send out.

    A ping from a new address starts the script again at its first fate (by hand, each run of
    the learner's program is a new client); pings past the end of the script meet ``default``.
    """

    def __init__(self, fates=(), default=Fate(), lead=LATE_LEAD, draw=None):
        self.fates = list(fates)
        self.default = default
        self.draw = draw  # a Lossy (or any index -> Fate) for the pings past the script
        self.lead = lead
        self.client = None
        self.pings = []
        self.held = None  # the late reply waiting for the next ping

    def fate(self, index):
        if index <= len(self.fates):
            return self.fates[index - 1]
        return self.draw(index) if self.draw is not None else self.default

    def on_datagram(self, data, source, now):
        """(the Ping, the Sends it causes); (None, []) for anything but a well-formed ping."""
        parsed = parse_ping(data)
        if parsed is None:
            return None, []
        if source != self.client:
            self.client, self.pings, self.held = source, [], None
        ping = Ping(len(self.pings) + 1, now, data, *parsed)
        self.pings.append(ping)
        fate = self.fate(ping.index)
        sends, start = [], now
        if self.held is not None:
            sends.append(Send(now, self.held.payload, self.held.ping, "late reply"))
            self.held, start = None, now + self.lead
        for place, decoy in enumerate(fate.decoys):
            sends.append(self._decoy(decoy, place, ping, start + place * fate.gap))
        reply_at = start + max(fate.hold, len(fate.decoys) * fate.gap)
        reply = pong(ping.number, ping.stamp)
        if fate.reply in (ANSWER, TWICE):
            sends.append(Send(reply_at, reply, ping.index, "reply"))
        if fate.reply == TWICE:
            sends.append(Send(reply_at, reply, ping.index, "duplicate"))
        if fate.reply == LATE:
            self.held = Send(0.0, reply, ping.index, "late reply")
        return ping, sends

    @staticmethod
    def _decoy(decoy, place, ping, at):
        if decoy == STRAY:
            return Send(at, pong(ping.number, ping.stamp), ping.index, STRAY, OTHER)
        if decoy == WRONG:
            # the number before: a ping already over (0 for the first), never one a client waits for later
            return Send(at, pong(str(int(ping.number) - 1).encode(), ping.stamp), ping.index, WRONG)
        return Send(at, garbage(ping.index + place, ping.number, ping.stamp), ping.index, GARBAGE)
