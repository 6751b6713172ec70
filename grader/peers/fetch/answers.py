"""What the counting server answers to each path, decided without sockets.

The path says the behaviour, so one server answers every check and the learner can ask for
the same by hand (``python -m grader.peers.fetch``):

    /ok/NAME                      200 at once, with NAME's own body
    /ok/NAME?delay=S              200 after S seconds
    /paced/NAME                   200, newest first, while limit requests are in flight
    /status/CODE/NAME             that status (4xx or 5xx), with a small body
    /stall/NAME                   nothing, ever (until the client gives up)
    /reset/NAME                   the connection reset (a TCP RST) once the request is read
    /drip/NAME?pieces=N&every=S   200 whose body comes in N pieces, S seconds apart

"NAME's own body" names the path, so every URL's body is its own. Every copy of a URL gets the
same answer (the contract says so). ``Pacer`` answers ``/paced/`` requests one at a time, newest
first, and only while ``limit`` of them are in flight, or when none can follow (before the
first answer it waits WINDOW more, so that a client that sends more than ``limit`` at once is
seen doing it). A client that refills a freed slot at once is answered at once; one that waits
for a whole batch makes the pacer wait for it, up to HOLD seconds (then it stops holding). So
the checks of the limit cost a correct client no deliberate wait, and the order in which
answers come is not the order of the URLs.
"""

from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

HOLD = 1.0  # seconds the pacer waits for the in-flight count to come back to the limit; then it
#             stops holding (a client that never fills its slots would otherwise wait each time)
WINDOW = 0.2  # seconds the first answer waits once the limit is reached, for requests beyond it to show:
#               a client without a limit (or one too high) sends them with the first ones, at once
MAX_DELAY = 30.0  # seconds any wait of a path may ask for
EPSILON = 1e-6  # seconds: a wait this short is over (sums of floats are not exact)


@dataclass(frozen=True)
class Answer:
    """What one request gets."""

    kind: str  # ok, paced, status, stall, reset or drip
    status: int = 200
    body: bytes = b""
    delay: float = 0.0  # seconds before the answer (ok)
    pieces: int = 1  # drip: the body in this many writes
    every: float = 0.0  # drip: seconds between them


def body_for(path):
    """The body a URL's answer carries: its own, so that every result can be told apart."""
    return f"netkata async_fetcher: the body of {path}\n".encode("latin-1", "replace")


def answer_for(target):
    """The Answer for a request-target (path and query); ValueError for one it does not know."""
    parts = urlsplit(target)
    words = parts.path.strip("/").split("/")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    kind = words[0] if words else ""
    try:
        if kind in ("ok", "paced", "stall", "reset") and len(words) == 2:
            delay = _seconds(query.get("delay", "0")) if kind == "ok" else 0.0
            return Answer(kind, body=body_for(parts.path), delay=delay)
        if kind == "status" and len(words) == 3 and words[1].isdecimal() and 400 <= int(words[1]) <= 599:
            status = int(words[1])
            return Answer(kind, status, f"{status} {_phrase(status)}\n".encode())
        if kind == "drip" and len(words) == 2:
            pieces = int(query.get("pieces", "4"))
            if not 1 <= pieces <= 1000:
                raise ValueError
            return Answer(kind, body=body_for(parts.path), pieces=pieces, every=_seconds(query.get("every", "0.1")))
    except ValueError:
        pass
    raise ValueError(f"not a path of the counting server: {target!r} (see python -m grader.peers.fetch --help)")


def _seconds(text):
    value = float(text)
    if not 0 <= value <= MAX_DELAY:
        raise ValueError
    return value


def _phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def pieces_of(body, count):
    """``body`` cut into ``count`` pieces as even as can be (none empty while bytes remain)."""
    count = max(1, min(count, len(body)))
    size, extra = divmod(len(body), count)
    out, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(body[start:end])
        start = end
    return out


class Pacer:
    """Which paced request is answered next: the decision alone, the server keeps the clock.

    ``limit``: answer only while this many paced requests are in flight; ``total``: the paced
    requests the client will make (None: unknown), so that the last ones, which can have no
    successors, are answered without waiting; ``rearm``: hold again once nothing is in flight
    (bursts by hand). Every method takes ``now`` (seconds)."""

    def __init__(self, limit, total=None, hold=HOLD, rearm=False, window=WINDOW):
        self.limit, self.total, self.hold, self.rearm, self.window = limit, total, hold, rearm, window
        self.answered = 0
        self.full_since = None  # when the limit was first reached, before any answer
        self.waiting = []  # ids of paced requests in flight and not yet answered, oldest first
        self.in_flight = 0
        self.started = 0
        self.answering = None  # the id being answered, until it ended
        self.held_since = None  # when the pacer began waiting for the in-flight count
        self.held_out = False  # a hold ran out: from then on every request is answered at once

    def arrived(self, request_id, now):
        self.waiting.append(request_id)
        self.in_flight += 1
        self.started += 1

    def ended(self, request_id, now):
        """A paced request ended: answered, or given up by the client before that."""
        if request_id in self.waiting:
            self.waiting.remove(request_id)
        self.in_flight -= 1
        if self.answering == request_id:
            self.answering = None
        if self.rearm and self.in_flight == 0:
            self.held_out = False
            self.answered, self.full_since = 0, None

    def choose(self, now):
        """(the id to answer now or None, seconds until choose() should be asked again or None)."""
        if self.answering is not None or not self.waiting:
            self.held_since = None if not self.waiting else self.held_since
            return None, None
        full = self.in_flight >= self.limit or (self.total is not None and self.started >= self.total)
        if not full and not self.held_out:
            if self.held_since is None:
                self.held_since = now
            left = self.held_since + self.hold - now
            if left > EPSILON:
                return None, left
            self.held_out = True
        self.held_since = None
        if full and self.answered == 0 and not (self.total is not None and self.started >= self.total):
            self.full_since = now if self.full_since is None else self.full_since
            if (left := self.full_since + self.window - now) > EPSILON:
                return None, left  # the first answer: any request beyond the limit shows now
        self.answered += 1
        self.answering = self.waiting.pop()  # the newest first: answers come out of order
        return self.answering, None
