"""Checks for exercise 10, async_fetcher (exercises/async_fetcher/README.md:
``async def fetch_all(urls, limit=5, timeout=5.0) -> list[bytes | Exception]``).

Every check starts the counting server (grader/peers/fetch/server.py) in this process and calls
the learner's coroutine in a child process, which runs it with ``asyncio.run``. The server logs
when each request started and ended, so the checks judge from the server's side how many
requests were in flight at each moment, how soon a freed slot was filled and how many TCP
connections carried them; a failure shows that log as a chart, one row per request.

The limit is judged on ``/paced/`` URLs, which the server answers one at a time, newest first,
and only while ``limit`` requests are in flight (grader/peers/fetch/answers.py, ``Pacer``): a
correct client is answered as fast as it asks (after one short window at the start, in which a
client without a limit shows its extra requests), while a client that waits for a whole batch
makes the server wait for it (up to HOLD, once), and the answers never come in the order of the
URLs. A slot is refilled when the next request arrives; the wait is measured from just before
the server wrote the answer that freed it, which a busy machine can only lengthen, so the bound
(REFILL_GRACE) is eight times the contract's 50 ms, and still well under the HOLD a batch costs.

The two calls that wait on purpose (timeouts of 0.8 and 0.4 s) run in the background, side by
side, started with the first check (``WAITING``); the one that waits 0.2 s for a slow answer
runs in its check. Grading the reference solution costs about one second of waiting.
"""

import re
import shlex
from collections import Counter
from dataclasses import dataclass

import pytest

from grader.authoring import BackgroundCall, background_calls, check
from grader.failures import Failure, Prose, show
from grader.peers.fetch.answers import HOLD, WINDOW, answer_for
from grader.peers.fetch.server import ClosedPort, CountingServer
from grader.peers.fetch.timeline import GIVEN_UP, chart, most_in_flight, refill_gaps
from grader.peers.reproduce import HAND_PORT, learner_file

DEFAULT_LIMIT = 5  # the contract's default limit=
BOUND = 5.0  # seconds the grader lets one call run (a correct one needs milliseconds, a batch one HOLD more)
SETTLE = 1.0  # seconds to wait after a call for its connections to close (a correct client: none)
HOLD_MANY = 3.0  # seconds the server waits for 110 requests in flight: opening 110 connections at once can
#                 take a busy machine a second (a client capped at 100 pays this wait once)
REFILL_GRACE = 0.4  # seconds: the contract's 50 ms eight times over, for a busy machine (a batch waits HOLD)
SHOWN = 8  # entries of a returned list shown in a message
REFUSED = "refused"  # stands for a URL of a closed loopback port
SLOW = 0.2  # seconds the slow answer of the failures check takes: the failures come while it is in flight

# The timeout scenario: two requests that never finish (a stall; a body that trickles in for
# longer than the timeout) and fourteen quick ones that queue for the third slot. Each quick one
# takes OK_DELAY, well within TIMEOUT, but from the fourth on they get their slot at TIMEOUT or
# later, so a timeout counted from the call, not from the slot, fails them.
TIMEOUT = 0.8
OK_DELAY = 0.15
DRIP = "/drip/b?pieces=40&every=0.05"  # 2 s of body, a piece every 0.05 s
QUICK = 14  # quick ones: about five end before TIMEOUT, the rest get their slot after it
TIMEOUT_PATHS = ["/stall/a", DRIP] + [f"/ok/{n}?delay={OK_DELAY:g}" for n in range(QUICK)]
# A timed-out request that runs on holds its connection while the quick ones go on in the freed
# slots; the server sees it end only when its connection closes. RAN_ON quick requests started and
# ended in that time would take a correct client's close 0.3 s to be seen (three slots, OK_DELAY
# each): that is a request left running (one that runs to the return lets about nine through).
RAN_ON = 6
LATE = 1.0 + 0.5  # how late a TimeoutError may come: the contract's 1 s, and 0.5 s for a busy machine
GIVE_UP_SLACK = 0.05  # seconds by which the server may see a given-up request late (it learns it from the
#                       closed connection), after the client returned
TIMEOUT_BOUND = 6.0  # more than the drip's 2 s and every allowed lateness, with room for a busy machine
# The return scenario: a stall given up after CLEAN_TIMEOUT, while quick answers keep the other slot
# busy for 0.3 s more, so that its end is logged long before a correct fetch_all returns; a
# session left open keeps its connections open after the return.
CLEAN_TIMEOUT = 0.4
CLEAN_PATHS = ["/stall/s"] + [f"/ok/q{n}?delay=0.1" for n in range(10)]
CLOSE_GRACE = 0.5  # seconds after the return by which the server must have seen every connection closed
UNCLOSED = ("Unclosed client session", "Unclosed connector")  # what aiohttp prints for a session not closed


def paced(count):
    return [f"/paced/{n}" for n in range(count)]


# --- one call of fetch_all against the counting server, and what it did ---------------------------

@dataclass
class Trial:
    """One call of the learner's fetch_all, and everything the server saw of it."""

    what: str  # the situation in a few words, for "For <what>, ..."
    paths: list
    urls: list
    limit: int | None  # passed to fetch_all (None: its default)
    timeout: float | None
    bound: float
    outcome: object  # grader.learner.process.Outcome
    requests: list  # timeline.Request, in order of arrival
    connections: int
    closes: list  # for each connection, when the server saw the client close it (None: still open)

    @property
    def slots(self):
        return DEFAULT_LIMIT if self.limit is None else self.limit

    @property
    def value(self):
        return self.outcome.value

    def requests_for(self, path):
        return [r for r in self.requests if r.target == path]

    def ran_meanwhile(self, request, timeout):
        """The other requests that started and ended while ``request`` ran on past ``timeout``."""
        if request.end is None:
            return []
        after = request.start + timeout
        return [r for r in self.requests if r is not request and r.end is not None and after < r.start
                and r.end < request.end]

    def stopped_in_flight(self):
        """The requests still in flight when the grader stopped a call that ran out of time (stopping
        it closed their connections, just after the bound)."""
        if not self.requests:
            return []
        stopped = min(r.start for r in self.requests) + 0.9 * self.bound
        return [r for r in self.requests if r.end is None or r.end > stopped]

    def call_text(self):
        shown = ", ".join(self.paths[:6]) + (f", ... ({len(self.paths)} URLs)" if len(self.paths) > 6 else "")
        arguments = "urls" + ("" if self.limit is None else f", limit={self.limit}") + (
            "" if self.timeout is None else f", timeout={self.timeout:g}")
        return f"fetch_all({arguments}), urls = [{shown}] on the grader's server"

    def failure(self, summary, expected, *, timeline=True):
        """A Failure showing the call, what came of it, the server's timeline and a command."""
        return Failure(
            f"For {self.what}, {summary}",
            sent=Prose(self.call_text()),
            received=Prose(self.outcome.ending(self.bound, show_result)),
            expected=expected if isinstance(expected, Prose) else Prose(show_result(expected)),
            note=("The server's timeline (one row per request, = while in flight; time since the first):\n"
                  + chart(self.requests, marks=self.marks())) if timeline else None,
            output=self.outcome.output or None,
            reproduce=hand_command(self))

    def marks(self):
        if self.outcome.returned_at is None or not self.requests:
            return ()
        return ((self.outcome.returned_at, "fetch_all returned"),)


def hand_url(path):
    return "http://127.0.0.1:1/refused" if path == REFUSED else f"http://127.0.0.1:{HAND_PORT}{path}"


def hand_urls(paths):
    """The URLs as shell words, a run of paths that count up (/ok/0, /ok/1, ...) as one brace
    expansion of bash and zsh ('http://127.0.0.1:9000/ok/'{0..19}'?delay=0.15')."""
    words, run = [], []

    def flush():
        if len(run) > 2:
            head, tail = run[0][1], run[0][3]
            words.append(f"'{hand_url(head)}'{{{run[0][2]}..{run[-1][2]}}}" + (f"'{tail}'" if tail else ""))
        else:
            words.extend(shlex.quote(hand_url(p)) for p, *_ in run)
        run.clear()

    for path in paths:
        match = re.fullmatch(r"(/\w+/\D*)(\d+)(\?.*)?", path)
        numbered = match and (path, match[1], int(match[2]), match[3] or "")
        if run and not (numbered and numbered[1] == run[-1][1] and numbered[3] == run[-1][3]
                        and numbered[2] == run[-1][2] + 1):
            flush()
        if numbered:
            run.append(numbered)
        else:
            words.append(shlex.quote(hand_url(path)))
    flush()
    return " ".join(words)


def hand_command(trial):
    """Commands that serve the counting server on HAND_PORT and run the learner's file against it."""
    options = ("" if trial.limit is None else f" --limit {trial.limit}") + (
        "" if trial.timeout is None else f" --timeout {trial.timeout:g}")
    return (f"python -m grader.peers.fetch --port {HAND_PORT} --limit {trial.slots}\n{'':10}then, in another "
            f"terminal: python {learner_file('async_fetcher')}{options} {hand_urls(trial.paths)}")


def run(learner, paths, what, *, limit=3, timeout=None, bound=BOUND, hold=HOLD, window=WINDOW):
    """Call fetch_all once on URLs of a fresh counting server (``REFUSED``: a closed port)."""
    slots = DEFAULT_LIMIT if limit is None else limit
    with CountingServer(limit=slots, total=sum(p.startswith("/paced/") for p in paths), hold=hold,
                        window=window) as server, \
            ClosedPort() as closed:
        urls = [closed.url("/") if p == REFUSED else server.url(p) for p in paths]
        positional = [] if limit is None else [limit]
        keywords = {} if timeout is None else {"timeout": timeout}
        outcome = learner.call(urls, *positional, limit=bound, **keywords)
        server.wait_until_closed(SETTLE)
        return Trial(what, paths, urls, limit, timeout, bound, outcome, server.requests, server.connections,
                     server.connection_closes())


# --- what came back, in the learner's terms --------------------------------------------------------

def show_result(value):
    """A returned list, one entry a line, each short; anything else as its repr."""
    if not isinstance(value, list):
        return show(value)
    if not value:
        return "[]"
    lines = [f"[{n}] {show_entry(entry)}" for n, entry in enumerate(value[:SHOWN])]
    if len(value) > SHOWN:
        lines.append(f"... {len(value) - SHOWN} more entries ({len(value)} in all)")
    return "\n".join(lines)


def show_entry(entry):
    if isinstance(entry, (bytes, str)):
        return show(entry, 60)
    if hasattr(entry, "is_a") and entry.classes:
        status = _status(entry)
        return f"{entry.type}" + (f" (status {status})" if status else "") + " object"
    return show(entry, 60)


def _status(entry):
    marker = "status="
    at = entry.repr.find(marker)
    if at < 0:
        return None
    digits = entry.repr[at + len(marker):at + len(marker) + 3]
    return int(digits) if digits.isdecimal() else None


def is_exception(entry, name):
    return hasattr(entry, "is_a") and entry.is_a(name)


def expect_settled(trial, expected):
    """Raise unless fetch_all returned a list with one entry per URL."""
    outcome = trial.outcome
    if outcome.timed_out:
        waiting = trial.stopped_in_flight()
        detail = (f"; {len(waiting)} request(s) were still in flight, the first {waiting[0].target}"
                  if waiting else "")
        raise trial.failure(f"fetch_all did not return within {trial.bound:g} s{detail}.", expected)
    if outcome.raised is not None:
        failing = any(p == REFUSED or answer_for(p).kind not in ("ok", "paced") for p in trial.paths)
        why = ": one URL's failure must not end fetch_all" if failing else ""
        raise trial.failure(f"fetch_all raised {outcome.raised.type} instead of returning a list{why}.", expected)
    if not outcome.returned:
        raise trial.failure("fetch_all did not return.", expected)
    if not isinstance(trial.value, list):
        raise trial.failure(f"fetch_all returned {type(trial.value).__name__}, not a list.", expected)
    if len(trial.value) != len(trial.urls):
        raise trial.failure(f"fetch_all returned {len(trial.value)} entries for {len(trial.urls)} URLs.", expected)


def expect_bodies(trial):
    """Every entry is the body of its URL, as bytes, in the order of urls."""
    bodies = [answer_for(path).body for path in trial.paths]
    expect_settled(trial, bodies)
    if trial.value == bodies:
        return
    if any(isinstance(entry, str) for entry in trial.value):
        raise trial.failure("the entries are str, not bytes: the body must come back as the server sent it.",
                            bodies)
    if sorted(trial.value, key=repr) == sorted(bodies, key=repr):
        answered = [r.target for r in sorted(trial.requests, key=lambda r: r.end or 0)][:4]
        raise trial.failure("the bodies are all there, but not in the order of urls (the server answered "
                            f"{', '.join(answered)}, ... in that order).", bodies)
    first = next(n for n, (got, want) in enumerate(zip(trial.value, bodies)) if got != want)
    raise trial.failure(f"entry {first} (for {trial.paths[first]}) is {show_entry(trial.value[first])}.", bodies)


# --- the calls that wait, run at the same time ---------------------------------------------------

def run_alone(learner, paths, what, *, limit, timeout, bound):
    return run(learner, paths, what, limit=limit, timeout=timeout, bound=bound)


TIMEOUT_WHAT = (f"a stall, a body trickling in for 2 s and {QUICK} URLs answered after {OK_DELAY:g} s each "
                f"(timeout={TIMEOUT:g})")
CLEAN_WHAT = f"a stall and ten URLs answered after 0.1 s each (limit=2, timeout={CLEAN_TIMEOUT:g})"
WAITING = {
    # the check that reads it: a call of ``run_alone``
    "check_timeout": BackgroundCall(run_alone, TIMEOUT_PATHS, TIMEOUT_WHAT, limit=3, timeout=TIMEOUT,
                                    bound=TIMEOUT_BOUND),
    "check_clean_return": BackgroundCall(run_alone, CLEAN_PATHS, CLEAN_WHAT, limit=2, timeout=CLEAN_TIMEOUT,
                                         bound=TIMEOUT_BOUND),
}
waiting_calls = background_calls(WAITING)


class PacedTrials:
    """The calls on paced URLs that several checks read, each made once per grading (a module
    fixture), by the first check that needs it."""

    def __init__(self):
        self.made = {}

    def get(self, learner, name):
        if name not in self.made:
            if name == "twelve":
                self.made[name] = run(learner, paced(12), "12 URLs, limit=3", limit=3)
            else:  # "default": fetch_all's own limit
                self.made[name] = run(learner, paced(12), "12 URLs and fetch_all's default limit", limit=None)
        return self.made[name]


@pytest.fixture(scope="module")
def paced_trials():
    return PacedTrials()


# --- the checks -----------------------------------------------------------------------------------

@check("returns every body, as bytes, in the order of urls", points=1.5,
       hint="asyncio.gather(*coroutines) returns the results in the order of its arguments, whatever order "
            "they finish in. Return await response.read(): the bytes, not response.text().")
def check_bodies_in_order(learner, paced_trials, waiting_calls):
    """The dependency of the rest: the learner's file loads here (the ``learner`` fixture);
    ``waiting_calls`` is set up first, so the calls that wait start now, in their own children."""
    expect_bodies(paced_trials.get(learner, "twelve"))


def expect_in_flight(trial, compare, wanted):
    most = most_in_flight(trial.requests)
    expected = Prose(f"{wanted} {trial.slots} request(s) in flight at once")
    if trial.outcome.timed_out or trial.outcome.raised is not None:
        expect_settled(trial, expected)
    if not compare(most, trial.slots):
        more = len(trial.paths) - trial.slots
        raise trial.failure(f"{most} request(s) were in flight at once (the 'in flight' row of the timeline), "
                            f"with limit={trial.slots} and {len(trial.paths)} URLs." +
                            (f" While {more} URLs still waited, {trial.slots} should have been." if most < trial.slots
                             else ""), expected)


@check("never has more than limit requests in flight (limit=3, and the default of 5)", points=1.5,
       hint="An asyncio.Semaphore(limit) around each request (async with semaphore:), or exactly limit worker "
            "tasks taking URLs from an asyncio.Queue. Without one, every request starts at once.")
def check_at_most_limit(learner, paced_trials):
    for name in ("twelve", "default"):
        expect_in_flight(paced_trials.get(learner, name), lambda most, limit: most <= limit, "at most")


@check("keeps exactly limit requests in flight while more remain: no batches", points=1.5,
       hint="Free a slot the moment a request ends, and let the next URL take it at once. Waiting for a whole "
            "batch (gather of limit URLs, then the next limit) leaves slots empty while the slowest one runs.")
def check_keeps_limit_full(learner, paced_trials):
    for name in ("twelve", "default"):
        trial = paced_trials.get(learner, name)
        expect_in_flight(trial, lambda most, limit: most >= limit, "exactly")
        late = [(gap, request) for gap, request in refill_gaps(trial.requests, trial.slots) if gap > REFILL_GRACE]
        if late:
            gap, request = max(late, key=lambda pair: pair[0])
            raise trial.failure(
                f"request #{request.number} ({request.target}) arrived {gap:.2f} s after the request whose slot "
                f"it took had ended, while URLs still waited (the server waits up to {HOLD:g} s for a slot to be "
                "refilled).", Prose(f"each freed slot filled within 50 ms (the grader allows {REFILL_GRACE:g} s)"))


@check("allows a limit above 100 (the session's connector too)", points=1,
       hint="aiohttp's default TCPConnector opens at most 100 connections at once: "
            "aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit)).")
def check_above_100(learner):
    # The connector's cap is judged here (no window for requests beyond the limit: the check of the
    # limit itself catches those).
    trial = run(learner, paced(120), "120 URLs, limit=110", limit=110, hold=HOLD_MANY, window=0)
    expect_in_flight(trial, lambda most, limit: most >= limit, "all")
    expect_settled(trial, Prose("120 bodies"))


@check("makes every request through one ClientSession (its connections reused)", points=1,
       hint="Open one aiohttp.ClientSession (async with) in fetch_all and pass it to every request; a session "
            "per URL opens a new TCP connection for each.")
def check_one_session(learner, paced_trials):
    trial = paced_trials.get(learner, "twelve")
    expect_settled(trial, Prose("12 bodies"))
    if trial.connections > 2 * trial.slots:
        raise trial.failure(f"the 12 requests came over {trial.connections} TCP connections (the server counts "
                            "them): no connection was used twice.",
                            Prose(f"at most {2 * trial.slots} connections (one session keeps {trial.slots} open "
                                  "and reuses them)"))


FAILURE_PATHS = [f"/ok/slow?delay={SLOW:g}", "/status/404/b", "/ok/c", "/status/500/d", REFUSED, "/reset/e", "/ok/f"]


def expected_failures():
    return Prose("\n".join([
        f"[0] {show(answer_for(FAILURE_PATHS[0]).body, 60)}", "[1] ClientResponseError (status 404) object",
        f"[2] {show(answer_for('/ok/c').body, 60)}", "[3] ClientResponseError (status 500) object",
        "[4] an aiohttp.ClientError object (ClientConnectorError: refused)",
        "[5] an aiohttp.ClientError object (the connection was reset)", f"[6] {show(answer_for('/ok/f').body, 60)}"]))


@check("returns each failure as an exception object in its place, and the others' bodies", points=2,
       hint="Catch (aiohttp.ClientError, TimeoutError) around each request and return the exception object as "
            "that URL's result; call response.raise_for_status() so that a 404 or a 500 is one. Then nothing "
            "escapes gather, and nothing cancels the others.")
def check_failures(learner):
    trial = run(learner, FAILURE_PATHS, "a slow answer, 404, 500, a refused connection and a reset", limit=3)
    expected = expected_failures()
    expect_settled(trial, expected)
    for n, (path, entry) in enumerate(zip(FAILURE_PATHS, trial.value)):
        if path == REFUSED or path.startswith("/reset/"):
            if not is_exception(entry, "aiohttp.client_exceptions.ClientError"):
                what = "a refused connection" if path == REFUSED else "a reset connection"
                raise trial.failure(f"entry {n} ({what}) is {show_entry(entry)}, not an aiohttp.ClientError object.",
                                    expected)
            continue
        answer = answer_for(path)
        if answer.status != 200:
            if isinstance(entry, bytes):
                raise trial.failure(f"entry {n} is the body of the {answer.status} answer, {show(entry, 60)}, as if "
                                    "it had succeeded.", expected)
            if not is_exception(entry, "aiohttp.client_exceptions.ClientResponseError") \
                    or _status(entry) != answer.status:
                raise trial.failure(f"entry {n} ({path}) is {show_entry(entry)}, not the ClientResponseError of "
                                    f"its {answer.status}.", expected)
        elif entry != answer.body:
            given_up = [r for r in trial.requests_for(path) if r.ending == GIVEN_UP]
            why = " The request was given up while it was being answered: a failure cancelled it." if given_up else ""
            raise trial.failure(f"entry {n} ({path}) is {show_entry(entry)}.{why}", expected)


@check("fetches a repeated URL once per appearance", points=0.5,
       hint="Make one request per entry of urls, duplicates included: a URL may answer differently each time, "
            "so a result is never copied from another entry.")
def check_repeated(learner):
    paths = ["/ok/x", "/ok/y", "/ok/x", "/ok/x", "/ok/z", "/ok/y"]
    trial = run(learner, paths, "URLs that appear more than once", limit=3)
    expect_bodies(trial)
    got = Counter(r.target for r in trial.requests)
    for path, want in Counter(paths).items():
        if got[path] != want:
            raise trial.failure(f"{path} appears {want} times in urls, but the server got {got[path]} request(s) "
                                "for it.", Prose("one request per entry of urls"))


@check("times out each request timeout seconds after it got its slot, and gives it up", points=1.5,
       hint="Start the timeout inside the slot (async with semaphore: then async with asyncio.timeout(timeout):) "
            "and let it cover the whole request, body too: aiohttp.ClientTimeout(total=timeout) does, sock_read "
            "alone does not.")
def check_timeout(waiting_calls):
    trial = waiting_calls.take(check_timeout)
    expected = Prose(f"[0] and [1] TimeoutError objects, {TIMEOUT:g} s after their requests started; "
                     f"[2] to [{len(trial.paths) - 1}] the bodies of their URLs")
    if trial.outcome.timed_out:
        stuck = trial.stopped_in_flight()
        detail = f"; {stuck[0].target} was still waiting for an answer that never comes" if stuck else ""
        raise trial.failure(f"fetch_all did not return within {trial.bound:g} s{detail}.", expected)
    expect_settled(trial, expected)
    for n, (path, entry) in enumerate(zip(trial.paths, trial.value)):
        requests = trial.requests_for(path)
        if n < 2:
            if not is_exception(entry, "TimeoutError"):
                took = f", {requests[0].end - requests[0].start:.2f} s after it started" if requests and \
                    requests[0].end else ""
                raise trial.failure(f"entry {n} ({path}) is {show_entry(entry)}{took}: that request took longer "
                                    f"than timeout={TIMEOUT:g} in all.", expected)
            late = [r for r in requests if r.end is not None and r.end - r.start > TIMEOUT + LATE]
            if late:
                raise trial.failure(f"{path} was given up {late[0].end - late[0].start:.2f} s after its request "
                                    f"started, with timeout={TIMEOUT:g}.", expected)
        elif entry != answer_for(path).body:
            took = f" (the server answered it {requests[0].end - requests[0].start:.2f} s after it started)" \
                if requests and requests[0].end else ""
            raise trial.failure(f"entry {n} ({path}) is {show_entry(entry)}{took}: a timeout counts from when its "
                                "request gets a slot, not from the call of fetch_all.", expected)
    for stalled in trial.requests_for(trial.paths[0]) + trial.requests_for(DRIP):
        meanwhile = trial.ran_meanwhile(stalled, TIMEOUT)
        if len(meanwhile) >= RAN_ON:
            raise trial.failure(
                f"{stalled.target} went on after its timeout: {len(meanwhile)} other requests started and ended "
                f"between {TIMEOUT:g} s after it started and its end (see its row), {stalled.end - stalled.start:.2f} s "
                "after it started.", Prose("a timed-out request given up (its connection closed) as its "
                                           "TimeoutError comes"))


@check("raises ValueError for limit < 1 or timeout <= 0 before any request, and returns [] for no URLs",
       points=1, hint="Check the arguments first thing in fetch_all: if limit < 1 or timeout <= 0, raise ValueError. "
                      "(asyncio.Semaphore(0) would wait forever.)")
def check_arguments(learner):
    for limit, timeout in ((0, 5.0), (-1, 5.0), (3, 0), (3, -1.5)):
        trial = run(learner, ["/ok/a"], f"limit={limit} and timeout={timeout:g}", limit=limit, timeout=timeout,
                    bound=3.0)
        expected = Prose("ValueError, and no request sent")
        if trial.outcome.raised is None or not trial.outcome.raised.is_a("ValueError"):
            raise trial.failure("fetch_all did not raise ValueError.", expected, timeline=False)
        if trial.requests:
            raise trial.failure("fetch_all raised ValueError, but only after a request reached the server.", expected)
    trial = run(learner, [], "an empty list of URLs", limit=3)
    expect_settled(trial, [])


@check("leaves nothing in flight and its session closed when it returns", points=0.5,
       hint="Await every task before returning (gather does), never shield a request from its timeout, and open "
            "the session with async with, so that it is closed on the way out.")
def check_clean_return(waiting_calls):
    trial = waiting_calls.take(check_clean_return)
    expected = Prose("every request ended, and the session closed, before fetch_all returned")
    expect_settled(trial, expected)
    returned = trial.outcome.returned_at
    slack = lambda r: GIVE_UP_SLACK if r.ending == GIVEN_UP else 0.0  # noqa: E731  (the server learns late)
    after = [r for r in trial.requests if r.start - slack(r) > returned or r.end is None or r.end - slack(r) > returned]
    if after:
        first = after[0]
        when = "started" if first.start > returned else "was still in flight"
        raise trial.failure(f"request #{first.number} ({first.target}) {when} when fetch_all returned (the | in "
                            "the timeline): asyncio.run then cancelled it.", expected)
    still_open = [n for n, closed in enumerate(trial.closes, 1) if closed is None or closed > returned + CLOSE_GRACE]
    said = next((text for text in UNCLOSED if text in (trial.outcome.output or "")), None)
    if still_open or said:
        why = f"aiohttp printed \"{said}\"" if said else (
            f"{len(still_open)} of its {len(trial.closes)} connections were still open {SETTLE:g} s after fetch_all "
            "returned")
        raise trial.failure(f"{why}: the ClientSession was never closed.", expected, timeline=False)
