"""What the paginator exercise's API answers to each request, decided without sockets.

A ``Scenario`` is one check's API: the pages of a collection, how each page's ``next`` link is
written, and the scripted misbehaviour (429, 5xx, a stall, a body that is not a page, a loop).
``paginated_api.py`` only moves bytes and keeps the log; every decision about what a request
gets is made here, so it can be tested with plain function calls (the sans-I/O habit of h11).

Page URLs are opaque cursors (``/api/v1/pages/3f9c1a0b7d2e``), never page numbers. A client
that counts pages itself (``?page=2``) instead of following ``next`` therefore asks for a URL
that no link pointed to, and the log shows it. Relative links are written so that joining them
by string concatenation gives a wrong URL: ``pages/<cursor>`` from the entry URL, ``<cursor>``
between pages, ``../items`` back to the entry. The page's items and its link are all a client
needs; nothing in a page says how many pages there are.
"""

import hashlib
import json
import posixpath
import shlex
from dataclasses import dataclass, field
from http import HTTPStatus

ENTRY_PATH = "/api/v1/items"  # the URL the grader passes to fetch_all is origin + this
PAGES_PATH = "/api/v1/pages/"  # every other page lives here, under its cursor

LINK_STYLES = ("absolute", "root", "relative")
# absolute: "http://127.0.0.1:PORT/api/v1/pages/<cursor>"
# root:     "/api/v1/pages/<cursor>" (a relative reference starting with "/")
# relative: "<cursor>", "pages/<cursor>" or "../items" (relative to the page holding it)

JSON = (("Content-Type", "application/json"),)


def cursor(page):
    """Page ``page``'s cursor: stable, so transcripts are reproducible, but nothing to count up."""
    return hashlib.sha256(f"netkata page {page}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Reply:
    """A scripted answer. ``body=None`` means the page itself (after ``delay`` seconds)."""

    status: int = 200
    headers: tuple = ()
    body: bytes | None = None
    delay: float = 0.0  # seconds the server keeps silent first: a stall when above the timeout
    label: str = ""  # how a scenario's description names it
    spec: str = ""  # how the command line names it (reply_from_spec reads it back)


def _error_body(status, message=None):
    return json.dumps({"error": message or HTTPStatus(status).phrase}).encode()


def too_many_requests(retry_after=1):
    """429; ``retry_after=None`` leaves the Retry-After header out (the client then waits 1 s)."""
    headers = JSON if retry_after is None else JSON + (("Retry-After", str(retry_after)),)
    label = "429" if retry_after is None else f"429 Retry-After: {retry_after}"
    spec = "429" if retry_after is None else f"429:{retry_after}"
    return Reply(429, headers, _error_body(429), label=label, spec=spec)


def error(status):
    """Any error status with a small JSON body, as a real API sends."""
    return Reply(status, JSON, _error_body(status), label=str(status), spec=str(status))


def stall(seconds):
    """The page, but only after ``seconds`` of silence (or never, if the server closes first)."""
    return Reply(delay=seconds, label=f"stall {seconds:g} s", spec=f"stall:{seconds:g}")


def not_json():
    """A 200 whose body is HTML, as a proxy or a captive portal sends: not JSON at all."""
    body = b"<html><body><h1>Service temporarily unavailable</h1></body></html>"
    return Reply(200, (("Content-Type", "text/html; charset=utf-8"),), body, label="an HTML body",
                 spec="html")


def json_body(value):
    """A 200 with valid JSON that is not a page (a list, an object missing "next", ...)."""
    text = json.dumps(value)
    return Reply(200, JSON, text.encode(), label=f"the JSON {text}", spec="json:" + text)


def reply_from_spec(spec):
    """The Reply a command-line spec names: 429, 429:N, a status, stall:S, html or json:VALUE."""
    kind, _, argument = spec.partition(":")
    if kind == "429":
        return too_many_requests(int(argument) if argument else None)
    if kind == "stall":
        return stall(float(argument))
    if kind == "html" and not argument:
        return not_json()
    if kind == "json":
        return json_body(json.loads(argument))
    if kind.isdigit() and not argument and 400 <= int(kind) <= 599:
        return error(int(kind))
    raise ValueError(f"not a reply: {spec!r} (use 429, 429:N, a 4xx/5xx status, stall:S, html or json:VALUE)")


@dataclass
class Scenario:
    """One check's API.

    pages: the items of each page, in order; ``[[]]`` is an empty collection.
    links: how every ``next`` is written (one of LINK_STYLES), or one style per page.
    faults: page -> replies given to its first requests, in order; then the page is served.
    broken: page -> the reply given to every request of that page.
    loop_to: the last page's ``next`` points back to this page instead of being null.
    redirect_entry: the entry URL answers 302 to page 0's own URL under PAGES_PATH, so a
        relative ``next`` on page 0 must be resolved against the final URL, not the one asked.
    """

    pages: list
    links: str | tuple = "absolute"
    faults: dict = field(default_factory=dict)
    broken: dict = field(default_factory=dict)
    loop_to: int | None = None
    redirect_entry: bool = False

    def __post_init__(self):
        if not self.pages:
            raise ValueError("a collection has at least one page; [[]] is an empty one")
        styles = [self.links] if isinstance(self.links, str) else list(self.links)
        if isinstance(self.links, str):
            styles = styles * len(self.pages)
        if len(styles) != len(self.pages) or not set(styles) <= set(LINK_STYLES):
            raise ValueError(f"links must be one of {LINK_STYLES} or one per page: {self.links!r}")
        self._styles = styles
        for page in [*self.faults, *self.broken, *([] if self.loop_to is None else [self.loop_to])]:
            if not 0 <= page < len(self.pages):
                raise ValueError(f"there is no page {page} in {len(self.pages)} pages")

    @classmethod
    def numbered(cls, sizes, **options):
        """Pages of the given sizes holding the items 1, 2, 3, ... in order."""
        pages, start = [], 1
        for size in sizes:
            pages.append(list(range(start, start + size)))
            start += size
        return cls(pages, **options)

    @property
    def items(self):
        """What fetch_all must return: every page's items, in order."""
        return [item for page in self.pages for item in page]

    def path(self, page):
        """The request-target at which page ``page`` is served."""
        if page == 0 and not self.redirect_entry:
            return ENTRY_PATH
        return PAGES_PATH + cursor(page)

    def url(self, page, origin):
        """Page ``page``'s absolute URL, as a correct client ends up requesting it."""
        return origin + self.path(page)

    def next_link(self, page, origin):
        """The ``next`` written on page ``page``: a link in that page's style, or None."""
        target = page + 1 if page + 1 < len(self.pages) else self.loop_to
        if target is None:
            return None
        style = self._styles[page]
        if style == "absolute":
            return self.url(target, origin)
        if style == "root":
            return self.path(target)
        here, there = self.path(page), self.path(target)
        return posixpath.relpath(there, posixpath.dirname(here))

    def page_target(self, target):
        """The page served at ``target`` (a path with any query), or None."""
        for page in range(len(self.pages)):
            if self.path(page) == target:
                return page
        return None

    def answer(self, target, nth, origin):
        """(page or None, complete Reply) for the ``nth`` request (0-based) of ``target``."""
        if self.redirect_entry and target == ENTRY_PATH:
            return None, Reply(302, (("Location", self.url(0, origin)),) + JSON, b"{}")
        page = self.page_target(target)
        if page is None:
            return None, Reply(404, JSON, _error_body(404, "no page at this URL"))
        scripted = self.broken.get(page)
        if scripted is None and nth < len(self.faults.get(page, ())):
            scripted = self.faults[page][nth]
        if scripted is not None and scripted.body is not None:
            return page, scripted
        body = json.dumps({"items": self.pages[page], "next": self.next_link(page, origin)})
        delay = scripted.delay if scripted else 0.0
        return page, Reply(200, JSON, body.encode(), delay=delay)

    def command(self, port, program="python -m grader.peers.pagination"):
        """A command line that serves this scenario on ``port`` (see paginated_api's main)."""
        numbered = Scenario.numbered([len(p) for p in self.pages]).pages == self.pages
        if not numbered:
            raise ValueError("only a scenario of numbered items has a command line")
        argv = ["--port", str(port), "--sizes", ",".join(str(len(p)) for p in self.pages)]
        styles = set(self._styles)
        if styles != {"absolute"}:
            argv += ["--links", self._styles[0] if len(styles) == 1 else ",".join(self._styles)]
        for page, replies in sorted(self.faults.items()):
            for reply in replies:
                argv += ["--fault", f"{page}={reply.spec}"]
        for page, reply in sorted(self.broken.items()):
            argv += ["--broken", f"{page}={reply.spec}"]
        if self.loop_to is not None:
            argv += ["--loop-to", str(self.loop_to)]
        if self.redirect_entry:
            argv.append("--redirect")
        return program + " " + " ".join(shlex.quote(arg) for arg in argv)

    def describe(self):
        """One line for a failure message: the layout, the links and the scripted faults."""
        sizes = ", ".join(str(len(p)) for p in self.pages)
        parts = [f"{len(self.pages)} page(s) of {sizes} item(s)"]
        styles = sorted(set(self._styles), key=LINK_STYLES.index)
        parts.append(f"{'/'.join(styles)} next links")
        if self.redirect_entry:
            parts.append("the first URL redirects (302) to page 0")
        for page, replies in sorted(self.faults.items()):
            parts.append(f"page {page} first answers " + ", then ".join(r.label for r in replies))
        for page, reply in sorted(self.broken.items()):
            parts.append(f"page {page} always answers {reply.label}")
        if self.loop_to is not None:
            parts.append(f"the last page's next points back to page {self.loop_to}")
        return "; ".join(parts)


def _position(index, count):
    if count == 1:
        return " (the only page)"
    return {0: " (the first)", count - 1: " (the last)"}.get(index, "")


def describe_difference(pages, returned):
    """Say in page terms how ``returned`` differs from the pages' items, or None if it does not.

    A learner fixes "the last page is missing" faster than "list differs at index 17". The
    page-level guesses need items that are unique across pages (Scenario.numbered makes them so).
    """
    expected = [item for page in pages for item in page]
    if returned == expected:
        return None
    if not isinstance(returned, list):
        return f"returned {type(returned).__name__}, not a list"
    for index, page in enumerate(pages):
        if not page:
            continue
        name = f"page {index}" + _position(index, len(pages))
        without = [item for other, p in enumerate(pages) if other != index for item in p]
        if returned == without:
            return f"the items of {name} are missing"
        twice = [item for other, p in enumerate(pages) for item in (p * 2 if other == index else p)]
        if returned == twice:
            return f"the items of {name} appear twice"
    for index, (want, got) in enumerate(zip(expected, returned)):
        if want != got:
            return f"item {index} should be {want!r} but is {got!r}"
    if len(returned) < len(expected):
        return f"only the first {len(returned)} of {len(expected)} items were returned"
    return f"{len(returned) - len(expected)} item(s) too many after the last one: {returned[len(expected):][:5]!r}"
