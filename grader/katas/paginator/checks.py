"""Checks for exercise 5, paginator (exercises/paginator/README.md:
``fetch_all(url, *, timeout=10.0) -> list``).

Every check serves a ``Scenario`` (``grader/peers/pagination/scenario.py``) from a real HTTP/1.1 API
in this process (``grader/peers/pagination/api.py``) and calls the learner's ``fetch_all`` in a child
process with a hard bound. The API logs every request (target, time of arrival, TCP
connection), so a check judges what the function did on the wire, not only what it returned,
and a failure shows that log and a command that serves the same API by hand.

Most checks take a few milliseconds. Six calls wait on purpose (two 429s, one with a Retry-After
of 2 s and one without, so 1 s; backoffs; a page that stalls twice, and one that stalls every
time): those calls run at the same time, each in its own child against its own API, started with the first check so that their waits overlap everything else (``WAITING``,
grader/engine/background.py). A wait is measured by the API, from just before it wrote an
answer to the arrival of the next request: a busy machine can lengthen that, never shorten it,
so running the calls together (or on a loaded CI runner) never fails a client that waited long
enough. Grading the reference solution takes about the two Retry-After seconds plus the grader's
start. Each waiting call's bound leaves room for the slowest backoff the README allows (5 s of
waits for a page).
"""

import textwrap
from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import example, given

from grader.authoring import BackgroundCall, background_calls, check
from grader.failures import Failure, Prose, show
from grader.peers.pagination.api import PaginatedAPI
from grader.peers.pagination.scenario import (
    ENTRY_PATH, Scenario, describe_difference, error, json_body, not_json, stall, too_many_requests)
from grader.katas.paginator.strategies import scenarios
from grader.peers.reproduce import HAND_PORT, learner_file

TIMEOUT = 2.0  # fetch_all's own timeout= in most checks; nothing stalls there, so it never fires
LIMIT = 3.0  # seconds the grader lets one fetch_all call run (the reference needs milliseconds)
CAP = 50  # requests after which a client retrying or going round a loop is reported as never stopping

# The waits the contract asks for. A wait is measured from just before the API wrote an answer
# to the arrival of the next request (``waited``): never less than the client's real wait, however
# busy the machine, so a lower bound never fails a client that waited (see paginated_api.Request).
RETRY_AFTER = 2  # seconds, the 429 check's Retry-After (the one deliberate long wait): more than the 1 s a
#                 client waits when the header is missing, so that one that ignores the header shows
MIN_BACKOFF = 0.095  # contract: at least 0.1 s before a retry of 502/503/504 or a timeout
# The README ("What the grader keeps to"): the backoff waits for one page add up to 5 s at most. A
# measured wait includes the machine's delays (it is never shorter than the client's own), so a
# total is judged with WAITS_SLACK more; the calls' bounds leave room for the longest waits allowed.
MAX_PAGE_WAITS = 5.0
WAITS_SLACK = 0.5
# "Growing": the last of three waits is at least GROWN (0.1, 0.2, 0.4 s and 0.1, 0.2, 0.3 s pass
# whatever the machine's load, as a measured wait is never shorter than the real one), or at least
# MIN_GROWTH longer than the first (other schedules, such as 1.5 times each time). A constant 0.1 s
# passes only if scheduling delays lengthen its last wait by 0.1 s more than its first.
GROWN = 0.3
MIN_GROWTH = 0.1
STALL_TIMEOUT = 0.3  # fetch_all's timeout= when a page stalls: four of them and three backoffs (1.9 s) stay
#                      within the 2 s Retry-After call they run beside, and a grader slowed by a busy machine
#                      answers in milliseconds (scripts/margins.py)
STALL = 30  # seconds the page stays silent: far beyond the bound (closing the API ends it), and
#             long enough to see by hand that a client without a timeout hangs
MIN_AFTER_STALL = STALL_TIMEOUT + 0.09  # that timeout plus the first backoff (0.1 s), less some rounding



# --- one call of fetch_all against one scenario, and what it did ----------------------------------

@dataclass
class Trial:
    """One call of the learner's fetch_all against one scenario, and everything seen of it."""

    scenario: Scenario
    api: PaginatedAPI
    outcome: object  # grader.learner.process.Outcome
    timeout: float
    limit: float
    what: str  # the situation in a few words, for "For <what>, ..."

    @property
    def requests(self):
        return self.api.requests

    @property
    def raised(self):
        return self.outcome.raised

    def pages_requested(self):
        return [r.page for r in self.requests if r.page is not None]

    def requests_for(self, page):
        return [r for r in self.requests if r.page == page]

    def result_text(self):
        return self.outcome.ending(self.limit, show)

    def failure(self, summary, expected):
        """A Failure showing the call, the API, what came of it, the API's log and a command."""
        return Failure(
            f"For {self.what}, {summary}",
            sent=Prose(f"fetch_all({self.api.url!r}, timeout={self.timeout:g})\n"
                       f"{'':10}API: {self.scenario.describe()}"),
            received=Prose(self.result_text()),
            expected=expected if isinstance(expected, Prose) else Prose(show(expected)),
            note="The API's log of your requests (connection = TCP connection, time since the first):\n"
                 + textwrap.indent(self.api.transcript(), "  "),
            output=self.outcome.output or None,
            reproduce=hand_command(self.scenario))


def hand_command(scenario):
    """Commands that serve this scenario on HAND_PORT and run the learner's file against it."""
    return (f"{scenario.command(HAND_PORT)}\n{'':10}then, in another terminal: "
            f"python {learner_file('paginator')} http://127.0.0.1:{HAND_PORT}{ENTRY_PATH}")


def run(learner, api, scenario, what, *, timeout=TIMEOUT, limit=LIMIT):
    """Serve ``scenario`` on ``api`` and call fetch_all once against it."""
    api.use(scenario)
    outcome = learner.call(api.url, limit=limit, timeout=timeout)
    return Trial(scenario, api, outcome, timeout, limit, what)


# --- what went wrong, in the learner's terms ------------------------------------------------------

def link_context(trial, page):
    """A sentence about the next link of ``page``: what it says and where urljoin takes it."""
    scenario, origin = trial.scenario, trial.api.origin
    link = scenario.next_link(page, origin)
    if link is None:
        return f"Page {page} is the last page: its next is null."
    target = page + 1 if page + 1 < len(scenario.pages) else scenario.loop_to
    joined = scenario.url(target, origin)
    said = f"Page {page}'s next is {link!r}"
    if page == 0 and scenario.redirect_entry:
        said = f"Page 0 came from {scenario.url(0, origin)!r} after a 302; its next is {link!r}"
    if link != joined:
        said += f", and urljoin(response.url, next) gives {joined!r}"
    return said + "."


def wandered(trial):
    """A sentence about the first request to a URL no next link gave (or None)."""
    unlinked = trial.api.unlinked_requests()
    if not unlinked:
        return None
    first = unlinked[0]
    served = [r.page for r in trial.requests[: first.number - 1] if r.page is not None]
    context = f" {link_context(trial, max(served))}" if served else ""
    return (f"fetch_all requested {first.target!r}, a URL no next link gave it "
            f"(the API answered {first.status}).{context}")


def expect_settled(trial, expected):
    """Raise unless fetch_all finished by itself and requested only URLs the API linked to."""
    counts = Counter(trial.pages_requested())
    if trial.api.never_stopped:
        again = sorted(page for page, count in counts.items() if count > 1)
        if len(again) > 1:
            often = f", going round pages {again[0]}-{again[-1]}"
        else:
            often = "".join(f", {counts[page]} of them to page {page}" for page in again)
        raise trial.failure(f"fetch_all never stopped: it made {trial.api.max_requests} requests{often}, "
                            "and the API refused the rest (410).", expected)
    if trial.outcome.timed_out:
        last = trial.requests[-1] if trial.requests else None
        waiting = f"; its last request was #{last.number}, for page {last.page}" if last else ""
        raise trial.failure(f"fetch_all did not return within {trial.limit:g} s{waiting}.", expected)
    if trial.outcome.exit_status is not None:
        raise trial.failure("your program exited while fetch_all was running.", expected)
    problem = wandered(trial)
    if problem:
        raise trial.failure(problem, expected)


def pages_problem(trial, tries, exactly=True):
    """What is wrong with the pages requested (or None): in order, each once, a faulty one ``tries``
    times (with ``exactly=False``: each at least that often, in any order)."""
    pages = range(len(trial.scenario.pages))
    wanted = [page for page in pages for _ in range(tries.get(page, 1))]
    requested = trial.pages_requested()
    counts = Counter(requested)
    if requested == wanted or not exactly and all(counts[page] >= tries.get(page, 1) for page in pages):
        return None
    for page in pages:
        want, got = tries.get(page, 1), counts[page]
        if got == 0:
            if page == 0:
                return "fetch_all never requested the first page."
            return f"fetch_all stopped after page {page - 1}, whose next is not null. " \
                   + link_context(trial, page - 1)
        if got < want or got > want and exactly:
            times = {1: "once", 2: "twice"}.get(got, f"{got} times")
            return f"fetch_all requested page {page} {times}" + (f", not {want} times." if want > 1 else ".")
    return f"fetch_all requested the pages in the order {requested}."


def expect_every_page(trial, *, tries=None, exactly=True):
    """Every item in order, each page requested once (a page with faults ``tries[page]`` times)."""
    tries = tries or {}
    items = trial.scenario.items
    expect_settled(trial, items)
    problem = pages_problem(trial, tries, exactly)
    if trial.raised is not None:
        raise trial.failure(f"fetch_all raised {trial.raised.type}. {problem or ''}".rstrip(), items)
    difference = describe_difference(trial.scenario.pages, trial.outcome.value)
    if difference:
        raise trial.failure(f"{difference}. {problem or ''}".rstrip(), items)
    if problem:
        wanted = ", ".join(f"page {p} {n} times" for p, n in sorted(tries.items())) or "each page once"
        raise trial.failure(f"the items are right, but {problem}", Prose(f"{wanted}, in order"))


def expect_raised(trial, kind, expected):
    """fetch_all raised ``kind`` (an exception class name, bases count)."""
    expect_settled(trial, expected)
    if trial.raised is None:
        raise trial.failure(f"fetch_all returned instead of raising {kind}.", expected)
    if not trial.raised.is_a(kind):
        raise trial.failure(f"fetch_all raised {trial.raised.type}, not {kind}.", expected)


def waited(earlier, later):
    """Seconds from just before ``earlier`` was answered to ``later``'s arrival (see the top)."""
    return later.at - earlier.answered


def gaps(requests):
    return [waited(a, b) for a, b in zip(requests, requests[1:])]


def seconds(values):
    return ", ".join(f"{v:.2f} s" for v in values)


TOO_SLOW = (f"the backoff waits for one page may add up to {MAX_PAGE_WAITS:g} s at most (README, \"What the "
            "grader keeps to\"): a first wait of 0.1 to 0.5 s that then doubles, or grows more slowly, keeps to it.")


# --- the calls that wait, run at the same time ----------------------------------------------------

def run_alone(learner, scenario, what, *, timeout=TIMEOUT, limit=LIMIT):
    """``run`` against an API of its own, closed once the call is over (a call in the background)."""
    with PaginatedAPI(scenario, max_requests=CAP) as api:
        return run(learner, api, scenario, what, timeout=timeout, limit=limit)


# The grader's bound on each waiting call: its requests (LIMIT, as for every call) and the longest
# waits a client that keeps to the README may make (MAX_PAGE_WAITS for each page that is retried).
RETRY_AFTER_LIMIT = LIMIT + 3 * RETRY_AFTER  # three times the 2 s a correct client waits (1 s without the header)
PERSISTENT_LIMIT = LIMIT + MAX_PAGE_WAITS + WAITS_SLACK
STALL_LIMIT = LIMIT + 2 * STALL_TIMEOUT + MAX_PAGE_WAITS + WAITS_SLACK
STALLS_LIMIT = LIMIT + 4 * STALL_TIMEOUT + MAX_PAGE_WAITS + WAITS_SLACK  # 4 requests, 3 backoffs
TRANSIENT_LIMIT = LIMIT + 3 * (MAX_PAGE_WAITS + WAITS_SLACK)

# Four errors in all, two of them for one page: a client that counts its retries over the whole
# call, not per page, gives up on the fourth.
TRANSIENT_FAULTS = {0: [error(502)], 1: [error(503), error(503)], 2: [error(504)]}
TRANSIENT_TRIES = {page: 1 + len(faults) for page, faults in TRANSIENT_FAULTS.items()}

WAITING = {
    # the check that reads it: a call of ``run_alone``; the longest wait first
    "check_retry_after": BackgroundCall(
        run_alone, Scenario.numbered([2, 2, 2], faults={1: [too_many_requests(RETRY_AFTER)]}),
        f"page 1 answering 429 with Retry-After: {RETRY_AFTER} once", timeout=TIMEOUT, limit=RETRY_AFTER_LIMIT),
    "check_retry_after/no_header": BackgroundCall(  # (beside the other, not after it: 2 s in all, not 3)
        run_alone, Scenario.numbered([2, 2, 2], faults={2: [too_many_requests(None)]}),
        "page 2 answering 429 without Retry-After once", timeout=TIMEOUT, limit=RETRY_AFTER_LIMIT),
    "check_persistent_error": BackgroundCall(
        run_alone, Scenario.numbered([1, 1], broken={1: error(503)}), "page 1 answering 503 every time",
        timeout=TIMEOUT, limit=PERSISTENT_LIMIT),
    "check_stall": BackgroundCall(
        run_alone, Scenario.numbered([2, 2, 2], faults={1: [stall(STALL), stall(STALL)]}),
        f"page 1 staying silent the first two times (timeout={STALL_TIMEOUT:g})", timeout=STALL_TIMEOUT,
        limit=STALL_LIMIT),
    "check_stall/every_time": BackgroundCall(
        run_alone, Scenario.numbered([1, 1], broken={1: stall(STALL)}),
        f"page 1 staying silent every time (timeout={STALL_TIMEOUT:g})", timeout=STALL_TIMEOUT,
        limit=STALLS_LIMIT),
    "check_transient_errors": BackgroundCall(
        run_alone, Scenario.numbered([1, 1, 1], faults=TRANSIENT_FAULTS),
        "pages 0, 1 and 2 first answering 502, then 503 twice, then 504 (4 retries in all, 3 at most per page)",
        timeout=TIMEOUT, limit=TRANSIENT_LIMIT),
}
waiting_calls = background_calls(WAITING)


@pytest.fixture
def api():
    """One check's API; every call loads its own scenario into it (``run``)."""
    with PaginatedAPI(Scenario([[]]), max_requests=CAP) as api:
        yield api


# --- the checks -----------------------------------------------------------------------------------

@check("fetches every item of a three-page collection, in order", points=1,
       hint="Loop: GET the page, add its items, then go to its next link; stop when next is null. "
            "Every page's items count, the first and the last too, once each.")
def check_three_pages(learner, api, waiting_calls):
    """The dependency of the rest: the learner's file loads here (the ``learner`` fixture).

    ``waiting_calls`` is set up first (module fixtures are), so the slow calls start loading the
    file in their own children now, and wait while the quick checks run.
    """
    expect_every_page(run(learner, api, Scenario.numbered([3, 3, 2]), "three pages of 3, 3 and 2 items"))


@check("makes one request for a one-page collection, and returns [] for an empty one", points=0.5,
       hint="\"next\": null is the end: return without another request. A page number you add yourself "
            "(?page=2) is a URL the API never gave you.")
def check_one_page_and_empty(learner, api):
    expect_every_page(run(learner, api, Scenario.numbered([2]), "a single page of 2 items"))
    expect_every_page(run(learner, api, Scenario([[]]), "an empty collection (one page, no items)"))


@check("keeps going past a short page and an empty page until next is null", points=0.5,
       hint="Page sizes vary; a page may even be empty and still have a next link. Only \"next\": null "
            "says the collection is over.")
def check_uneven_pages(learner, api):
    expect_every_page(run(learner, api, Scenario.numbered([4, 1, 0, 4, 4]), "pages of 4, 1, 0, 4 and 4 items"))


@check("resolves relative next links with urljoin", points=1,
       hint="A relative link is relative to the page that held it: urljoin(response.url, next). Gluing "
            "strings together (base + next) works only for some links.")
def check_relative_links(learner, api):
    scenario = Scenario.numbered([2, 2, 2, 1], links=("relative", "root", "relative", "absolute"))
    expect_every_page(run(learner, api, scenario, "relative next links"))


@check("resolves next against the final URL after a redirect", points=0.5,
       hint="requests follows redirects for you, so the page may come from another URL than the one you "
            "asked for: response.url. Resolve next against that.")
def check_redirect(learner, api):
    scenario = Scenario.numbered([2, 2, 1], links="relative", redirect_entry=True)
    expect_every_page(run(learner, api, scenario, "a first URL that redirects (302) to page 0"))


@check("returns every item for any page layout (Hypothesis)", points=1,
       hint="Follow next until it is null, whatever the page sizes; resolve every link with "
            "urljoin(response.url, next).")
def check_any_layout(learner, api):
    unfinished = []  # a call that ran into the bound or the cap: reported as it is, never shrunk

    @given(scenarios())
    @example(Scenario.numbered([2, 1, 0, 2]))  # the usual bugs first, readable without shrinking
    @example(Scenario.numbered([1, 1, 1], links=("relative", "root", "relative"), redirect_entry=True))
    def every_layout(scenario):
        if unfinished:
            return  # shrinking a call that does not finish would repeat its wait many times
        trial = run(learner, api, scenario, "this layout")
        if trial.outcome.timed_out or api.never_stopped:
            unfinished.append(trial)
            return
        expect_every_page(trial)

    every_layout()
    if unfinished:
        expect_every_page(unfinished[0])


@check("fetches every page over one kept-alive connection (one Session)", points=1,
       hint="requests.get() opens a new connection each time. Make one requests.Session() (a with block) "
            "and call session.get() for every page: it reuses the connection.")
def check_one_connection(learner, api):
    trial = run(learner, api, Scenario.numbered([2, 2, 2, 2]), "four pages")
    expect_every_page(trial)
    if api.connections != 1:
        raise trial.failure(f"the items are right, but the 4 pages took {api.connections} TCP connections "
                            "(see the connection column of the log).", Prose("one connection for every page"))


@check("raises HTTPError at once on 404 and 500, without retrying", points=0.5,
       hint="A 404 or 500 will be the same next time. Only 429, 502, 503, 504 and timeouts are worth another "
            "try; call raise_for_status() for the rest.")
def check_permanent_errors(learner, api):
    for page, status in ((1, 404), (2, 500)):
        trial = run(learner, api, Scenario.numbered([1, 1, 1], broken={page: error(status)}),
                    f"page {page} answering {status}")
        expected = Prose(f"one request to page {page}, then HTTPError")
        expect_raised(trial, "HTTPError", expected)
        tries = len(trial.requests_for(page))
        if tries != 1:
            raise trial.failure(f"fetch_all requested page {page} {tries} times before raising HTTPError.",
                                expected)


@check("raises ValueError for a page that is not JSON or lacks items/next", points=0.5,
       hint="response.json() raises ValueError for a body that is not JSON: let it propagate. Then check you "
            "got a dict with a list \"items\" and a key \"next\"; raise ValueError if not.")
def check_bad_pages(learner, api):
    for reply in (not_json(), json_body({"items": [3]}), json_body({"next": None}), json_body([3])):
        trial = run(learner, api, Scenario.numbered([1, 1], broken={1: reply}),
                    f"page 1 answering 200 with {reply.label}")
        expect_raised(trial, "ValueError", Prose("ValueError, as that is not a page"))


@check("stops with RuntimeError on a loop of next links, requesting no page twice", points=1,
       hint="Keep a set of the URLs you fetched (the first one too, and response.url); if the resolved next "
            "is in it, raise RuntimeError before requesting it.")
def check_loop(learner, api):
    trial = run(learner, api, Scenario.numbered([1, 1, 1, 1], loop_to=0), "page 3's next pointing back to page 0")
    expected = Prose("pages 0, 1, 2 and 3 once each, then RuntimeError")
    expect_raised(trial, "RuntimeError", expected)
    requested = trial.pages_requested()
    if requested != [0, 1, 2, 3]:
        raise trial.failure(f"fetch_all raised RuntimeError, but it requested the pages {requested}.", expected)


@check("waits Retry-After seconds after a 429, then asks again", points=1,
       hint="429 means slow down, not fail: sleep int(response.headers.get('Retry-After', 1)) seconds, "
            "then request the same page again.")
def check_retry_after(waiting_calls):
    for name, page, wait, said in ((check_retry_after.__name__, 1, RETRY_AFTER, "the 429"),
                                   ("check_retry_after/no_header", 2, 1, "its 429, which had no Retry-After header")):
        trial = waiting_calls.take(name)
        if trial.raised is not None and trial.raised.is_a("HTTPError") and len(trial.requests_for(page)) == 1:
            raise trial.failure("fetch_all gave up on the first 429 instead of waiting and asking again.",
                                trial.scenario.items)
        expect_every_page(trial, tries={page: 2})
        first, again = trial.requests_for(page)
        if waited(first, again) < wait - 0.005:
            missing = "" if page == 1 else " (the wait when Retry-After is missing)"
            raise trial.failure(f"fetch_all asked for page {page} again {waited(first, again):.2f} s after {said}.",
                                Prose(f"the second request at least {wait} s after the first{missing}"))


@check("gives up with HTTPError after 5 answers of 429 in a row", points=0.5,
       hint="Count the 429s for a page in a row; on the 5th, raise (response.raise_for_status() does it).")
def check_gives_up_on_429(learner, api):
    # Retry-After: 0 costs nothing; one who sleeps 1 s even then is within the contract and takes 5 s.
    # Five 429s in all, never five in a row for one page: a count over the whole call gives up.
    faults = {1: [too_many_requests(0)] * 3, 2: [too_many_requests(0)] * 2}
    trial = run(learner, api, Scenario.numbered([1, 1, 1], faults=faults),
                "page 1 answering 429 with Retry-After: 0 three times, then page 2 twice", limit=8.0)
    if trial.raised is not None and trial.raised.is_a("HTTPError") and trial.requests_for(2):
        raise trial.failure(f"fetch_all raised HTTPError after {len(trial.requests_for(2))} request(s) to page 2: "
                            "5 answers of 429 in all, but never 5 in a row for one page.", trial.scenario.items)
    expect_every_page(trial, tries={1: 4, 2: 3})
    # Retry-After: 0 costs nothing; one who sleeps 1 s even then is within the contract and takes 4 s.
    trial = run(learner, api, Scenario.numbered([2, 2], broken={1: too_many_requests(0)}),
                "page 1 answering 429 with Retry-After: 0 every time", limit=7.0)
    expected = Prose("5 requests to page 1 (5 answers of 429 in a row), then HTTPError")
    expect_raised(trial, "HTTPError", expected)
    tries = len(trial.requests_for(1))
    if tries != 5:
        raise trial.failure(f"fetch_all raised HTTPError after {tries} request(s) to page 1.", expected)


@check("retries 502, 503 and 504 after a backoff, then carries on", points=1,
       hint="502, 503 and 504 are often momentary: sleep a little (0.1 s at first) and request the same "
            "page again.")
def check_transient_errors(waiting_calls):
    trial = waiting_calls.take(check_transient_errors)
    if trial.raised is not None and trial.raised.is_a("HTTPError") and len(trial.requests_for(2)) == 1:
        raise trial.failure(f"fetch_all raised HTTPError at page 2's {trial.requests[-1].status}, its first error: "
                            "it had retried 3 times already, but for other pages. At most 3 retries per page; "
                            "count them for each page afresh.", trial.scenario.items)
    expect_every_page(trial, tries=TRANSIENT_TRIES)
    for page in range(3):
        requests = trial.requests_for(page)
        for first, again in zip(requests, requests[1:]):
            if waited(first, again) < MIN_BACKOFF:
                raise trial.failure(f"fetch_all retried page {page} {waited(first, again):.3f} s after its "
                                    f"{first.status}, without a backoff.",
                                    Prose("each retry at least 0.1 s after the error"))
        if sum(gaps(requests)) > MAX_PAGE_WAITS + WAITS_SLACK:
            raise trial.failure(f"fetch_all waited {seconds(gaps(requests))} before retrying page {page}: {TOO_SLOW}",
                                Prose(f"each retry at least 0.1 s after the error, and a page's waits "
                                      f"{MAX_PAGE_WAITS:g} s at most"))


@check("gives up on a page that keeps answering 503 after 3 retries, waiting longer each time", points=1,
       hint="Retry at most 3 times, doubling the wait (0.1, 0.2, 0.4 s); if the 3rd retry fails too, raise "
            "(raise_for_status()).")
def check_persistent_error(waiting_calls):
    trial = waiting_calls.take(check_persistent_error)
    expected = Prose("4 requests to page 1 (1 + 3 retries), the waits between them at least 0.1 s and "
                     f"growing, {MAX_PAGE_WAITS:g} s at most in all, then HTTPError")
    tries = trial.requests_for(1)
    if trial.outcome.timed_out and not trial.api.never_stopped and trial.api.unlinked_requests() == []:
        so_far = f", after waits of {seconds(gaps(tries))}" if len(tries) > 1 else ""
        raise trial.failure(f"fetch_all was still retrying after {trial.limit:g} s: {len(tries)} requests "
                            f"to page 1 so far{so_far}. {TOO_SLOW}", expected)
    expect_raised(trial, "HTTPError", expected)
    if len(tries) != 4:
        raise trial.failure(f"fetch_all raised HTTPError after {len(tries)} request(s) to page 1.", expected)
    waits = gaps(tries)
    if min(waits) < MIN_BACKOFF:
        raise trial.failure(f"fetch_all waited {seconds(waits)} between its requests to page 1: a retry came "
                            "without a backoff.", expected)
    if waits[-1] < min(GROWN, waits[0] + MIN_GROWTH):
        raise trial.failure(f"fetch_all waited {seconds(waits)} between its requests to page 1: the backoff "
                            "does not grow.", expected)
    if sum(waits) > MAX_PAGE_WAITS + WAITS_SLACK:
        raise trial.failure(f"fetch_all waited {seconds(waits)} between its requests to page 1, "
                            f"{sum(waits):.2f} s in all: {TOO_SLOW}", expected)


@check("times out a stalled request and retries it", points=1,
       hint="Pass timeout=timeout to every session.get(), the retries' too. Catch requests.Timeout and retry it "
            "like a 503 (at most 3 times, with the backoff).")
def check_stall(waiting_calls):
    trial = waiting_calls.take(check_stall)
    once = len(trial.requests_for(1)) == 1
    if trial.outcome.timed_out and once:
        raise trial.failure(f"fetch_all was still waiting for page 1 after {trial.limit:g} s: the API stalled "
                            f"on purpose, and timeout={STALL_TIMEOUT:g} was passed.", trial.scenario.items)
    if trial.outcome.timed_out and len(trial.requests_for(1)) == 2:
        raise trial.failure(f"fetch_all timed out the first request for page 1 and asked again, but was still "
                            f"waiting for that retry after {trial.limit:g} s: the API stalled on it too, and the "
                            f"retry went without timeout={STALL_TIMEOUT:g}.", trial.scenario.items)
    if trial.raised is not None and trial.raised.is_a("Timeout") and once:
        raise trial.failure("fetch_all raised on the first timeout instead of requesting page 1 again.",
                            trial.scenario.items)
    # A page that took longer than the timeout to be answered (a busy machine) may be asked again.
    expect_every_page(trial, tries={1: 3}, exactly=False)
    # The stalled request was never answered. It was sent after an answer for page 0 had been
    # written, so the retry comes at least the timeout plus the backoff after the first of those.
    page_0 = min((r for r in trial.requests_for(0) if r.answered), key=lambda r: r.answered)
    again = trial.requests_for(1)[1]
    if waited(page_0, again) > STALL_TIMEOUT + MAX_PAGE_WAITS + WAITS_SLACK:
        raise trial.failure(f"fetch_all asked for page 1 again {waited(page_0, again):.2f} s after page 0 was "
                            f"answered, {STALL_TIMEOUT:g} s of which were the timeout: {TOO_SLOW}",
                            Prose(f"the retry after the timeout and a backoff of 0.1 to {MAX_PAGE_WAITS:g} s"))
    if waited(page_0, again) < MIN_AFTER_STALL:
        raise trial.failure(f"fetch_all asked for page 1 again {waited(page_0, again):.2f} s after page 0 was "
                            f"answered: a timeout of {STALL_TIMEOUT:g} s, then no backoff.",
                            Prose(f"the retry at least {STALL_TIMEOUT + 0.1:.2f} s after page 0's answer "
                                  f"(the timeout, then a backoff of at least 0.1 s)"))
    # The same fault on every retry: after 3 retries, the timeout's requests.Timeout.
    trial = waiting_calls.take("check_stall/every_time")
    expected = Prose("4 requests to page 1 (1 + 3 retries), each timed out, then requests.Timeout")
    tries = len(trial.requests_for(1))
    if trial.outcome.timed_out and not trial.api.never_stopped and trial.api.unlinked_requests() == []:
        raise trial.failure(f"fetch_all was still retrying after {trial.limit:g} s: {tries} requests to page 1 "
                            "so far, each of them timed out. At most 3 retries per page, timeouts included.",
                            expected)
    expect_raised(trial, "Timeout", expected)
    if tries != 4:
        raise trial.failure(f"fetch_all raised {trial.raised.type} after {tries} request(s) to page 1.", expected)
