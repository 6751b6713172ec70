"""The paginator exercise's API: real HTTP/1.1 on 127.0.0.1, in background threads of the grader.

The learner's ``fetch_all`` runs in a child process and talks to this server over loopback, so
the checks see what it really did on the wire: every request (target, time, connection) and
every TCP connection. What each request gets is decided by a ``Scenario``
(``pagination_scenario.py``); this module only moves bytes and keeps the log.

Design choices, each for a check:
* HTTP/1.1 with keep-alive (``protocol_version``), so a client with one ``requests.Session``
  uses one connection and a client without one is seen opening a connection per page.
* A request cap: past ``max_requests`` every request gets 410 with ``Connection: close`` and
  the run is marked ``never_stopped``, so a client that loops forever is reported, not waited for.
* Stalls wait on an Event, not in ``sleep``: closing the server ends them at once.
* ``close()`` stops accepting, shuts down every kept-alive connection and joins every thread
  with a bound, and says so if one is left: nothing outlives the ``with`` block.

Run by hand, it serves one check's scenario until Ctrl-C, printing each request; a failing
check prints the command (``python -m grader.peers.pagination --port 9000 --sizes 3,3,2 ...``).
"""

import argparse
import dataclasses
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from grader.peers.net import chosen_port
from grader.peers.pagination.scenario import ENTRY_PATH, JSON, LINK_STYLES, Reply, Scenario, reply_from_spec

MAX_REQUESTS = 200  # far more than any scenario needs; a client past it is not stopping
IDLE_TIMEOUT = 10.0  # seconds a kept-alive connection may sit idle (a 429 wait is 1 s)
JOIN_TIMEOUT = 2.0  # seconds close() waits for each thread
CAP_REPLY = Reply(410, JSON + (("Connection", "close"),),
                  b'{"error": "request limit of the grader reached"}')


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    number: int  # 1 for the first request since the scenario was loaded
    target: str  # path and query, as sent
    connection: int  # 1 for the first TCP connection since the scenario was loaded
    at: float  # time.monotonic() when its head had been read
    page: int | None  # the page served at that target; None when none is
    status: int  # the status answered (a stalled one may never have been delivered)
    delay: float = 0.0  # seconds the answer was held back (a stall)
    answered: float | None = None  # time.monotonic() just before the answer's first byte was written

# Timing a client's waits: ``later.at - earlier.answered`` is never less than the client really
# waited between the answer and its next request. The client cannot read an answer before it is
# written, and ``at`` is taken after the next request has arrived. A busy grader can only delay
# the recording of either, which makes the measured wait longer, so a lower bound on a wait
# ("at least 1 s after the 429") never fails a client that did wait. ``at - at`` has no such
# guarantee: a late ``at`` for the first request shortens it.


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be counted
    disable_nagle_algorithm = True  # head and body leave at once, no 40 ms delayed-ACK stall

    def setup(self):
        self.timeout = self.server.api.idle_timeout
        super().setup()
        self.connection_id = self.server.api._count_connection()

    def do_GET(self):
        self.server.api._serve(self)

    def log_message(self, format, *args):
        """Quiet: the grader reports from the request log, not from stderr."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # close() joins the threads itself, with a bound

    def __init__(self, api, port):
        self.api = api
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request, client_address):
        """Like ThreadingMixIn's, but keeps the thread and socket so close() can end them."""
        thread = threading.Thread(target=self.process_request_thread,
                                  args=(request, client_address), daemon=True,
                                  name=f"paginated-api-connection-{client_address[1]}")
        self.api._track(thread, request)
        thread.start()

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.api._untrack(request)

    def handle_error(self, request, client_address):
        """A client that resets its connection is normal here; anything else is a grader bug."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def _answer(request):
    if request.delay:
        return f"(stalled: {request.status} only after {request.delay:g} s)"
    return str(request.status)


class PaginatedAPI:
    """A paginated JSON API serving one scenario at a time; use it as a context manager.

    ``api.url`` is what the grader passes to ``fetch_all``. ``use()`` loads another scenario
    and clears the log, so one server can serve many Hypothesis examples.
    """

    def __init__(self, scenario, *, max_requests=MAX_REQUESTS, idle_timeout=IDLE_TIMEOUT, port=0,
                 on_request=None):
        self.max_requests = max_requests
        self.idle_timeout = idle_timeout
        self.port = port  # 0: one the OS picks (the grader); a fixed one when run by hand
        self.on_request = on_request  # called with each Request as it is logged (run by hand)
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._threads = []
        self._sockets = set()
        self._server = None
        self.use(scenario)

    def __enter__(self):
        self._server = _Server(self, self.port)
        host, port = self._server.server_address[:2]
        chosen_port(port)
        self.origin = f"http://{host}:{port}"
        self._accepting = threading.Thread(target=self._server.serve_forever,
                                           kwargs={"poll_interval": 0.02},
                                           name="paginated-api", daemon=True)
        self._accepting.start()
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def url(self):
        """The collection's first URL."""
        return self.origin + ENTRY_PATH

    def use(self, scenario):
        """Serve ``scenario`` from now on, with an empty log and fresh counters."""
        with self._lock:
            self.scenario = scenario
            self._log = []
            self._seen = Counter()
            self._connections = 0
            self.never_stopped = False

    @property
    def requests(self):
        """Every request since the scenario was loaded, in order of arrival."""
        with self._lock:
            return list(self._log)

    @property
    def connections(self):
        """TCP connections accepted since the scenario was loaded."""
        with self._lock:
            return self._connections

    def requests_for(self, page):
        """The requests that reached page ``page``'s URL."""
        return [r for r in self.requests if r.page == page]

    def unlinked_requests(self):
        """Requests for URLs at which no page lives: built, badly joined, or past the last page."""
        return [r for r in self.requests if r.page is None and r.target != ENTRY_PATH]

    def transcript(self, limit=30):
        """The request log as lines a learner can read; the middle is cut when it is long."""
        log = self.requests
        if not log:
            return "(no request reached the API)"
        start = log[0].at
        lines = [f"#{r.number:<3} connection {r.connection:<2} +{r.at - start:6.3f} s  GET {r.target}"
                 f"  -> {_answer(r)}" + (f" (page {r.page})" if r.page is not None else "")
                 for r in log]
        if len(lines) > limit:
            cut = len(lines) - limit
            lines = lines[: limit // 2] + [f"... {cut} more requests ..."] + lines[-(limit - limit // 2):]
        return "\n".join(lines)

    def close(self):
        """Stop serving; end stalls, kept-alive connections and threads, each wait bounded."""
        self._closing.set()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._accepting.join(JOIN_TIMEOUT)
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a handler blocked reading the next request
            except OSError:
                pass  # already closed by its handler
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        left = [t.name for t in [self._accepting, *threads] if t.is_alive()]
        if left:
            raise RuntimeError(f"paginated API threads still running after close: {left}")

    # --- called from the server's threads ---

    def _track(self, thread, sock):
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
            self._sockets.add(sock)

    def _untrack(self, sock):
        with self._lock:
            self._sockets.discard(sock)

    def _answering(self, request):
        with self._lock:
            index = request.number - 1
            if index < len(self._log) and self._log[index] is request:  # not a new scenario's log
                self._log[index] = dataclasses.replace(request, answered=time.monotonic())

    def _count_connection(self):
        with self._lock:
            self._connections += 1
            return self._connections

    def _serve(self, handler):
        at = time.monotonic()
        target = handler.path
        with self._lock:
            number = len(self._log) + 1
            if number > self.max_requests:
                self.never_stopped = True
                page, reply = None, CAP_REPLY
            else:
                page, reply = self.scenario.answer(target, self._seen[target], self.origin)
                self._seen[target] += 1
            request = Request(number, target, handler.connection_id, at, page, reply.status, reply.delay)
            self._log.append(request)
        if self.on_request is not None:
            self.on_request(request)
        if reply.delay and self._closing.wait(reply.delay):
            handler.close_connection = True  # closing: give up the stalled answer
            return
        self._answering(request)
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers:
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            handler.wfile.write(reply.body)
        except OSError:  # the client gave up waiting (a timeout) and closed
            handler.close_connection = True


# --- run by hand ----------------------------------------------------------------------------------

def scenario_from_args(args):
    """The Scenario a command line names (the inverse of ``Scenario.command``)."""
    sizes = [int(size) for size in args.sizes.split(",")]
    links = args.links.split(",")
    faults, broken = {}, {}
    for option, into in ((args.fault, faults), (args.broken, broken)):
        for spec in option:
            page, _, reply = spec.partition("=")
            if into is faults:
                faults.setdefault(int(page), []).append(reply_from_spec(reply))
            else:
                broken[int(page)] = reply_from_spec(reply)
    return Scenario.numbered(sizes, links=links[0] if len(links) == 1 else tuple(links), faults=faults,
                             broken=broken, loop_to=args.loop_to, redirect_entry=args.redirect)


def parser():
    p = argparse.ArgumentParser(
        prog="python -m grader.peers.pagination",
        description="Serve the paginator checks' API on 127.0.0.1 until Ctrl-C, printing each request.")
    p.add_argument("--port", type=int, default=9000)
    p.add_argument("--sizes", default="3,3,2", help="items per page, e.g. 3,0,2 (default: 3,3,2)")
    p.add_argument("--links", default="absolute",
                   help=f"how next links are written: one of {', '.join(LINK_STYLES)}, or one per page")
    p.add_argument("--fault", action="append", default=[], metavar="PAGE=REPLY",
                   help="the page's first requests get these replies, in order (repeatable): "
                        "429, 429:N (Retry-After: N), a status (503), stall:S, html, json:VALUE")
    p.add_argument("--broken", action="append", default=[], metavar="PAGE=REPLY",
                   help="every request of the page gets this reply")
    p.add_argument("--loop-to", type=int, help="the last page's next points back to this page")
    p.add_argument("--redirect", action="store_true", help="the first URL answers 302 to page 0")
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    try:
        scenario = scenario_from_args(args)
    except ValueError as problem:
        p.error(str(problem))

    def show(request):
        page = f" (page {request.page})" if request.page is not None else ""
        print(f"#{request.number:<3} connection {request.connection:<2} GET {request.target} -> "
              f"{_answer(request)}{page}", flush=True)

    api = PaginatedAPI(scenario, port=args.port, on_request=show)
    try:
        api.__enter__()
    except OSError as problem:
        p.exit(1, f"cannot listen on 127.0.0.1:{args.port}: {problem.strerror} (try another --port)\n")
    try:  # (entered above, to say why it cannot listen; entering twice would bind twice)
        print(f"Serving {scenario.describe()}\nFirst URL: {api.url}\n"
              f"Faults happen on a page's first requests only, and after {api.max_requests} requests every "
              "answer is 410: restart to begin again. Ctrl-C stops.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        api.__exit__(None, None, None)


if __name__ == "__main__":
    main()
