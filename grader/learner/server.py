"""Start a learner's server on a free loopback port and know when it is ready.

Readiness is polled every few milliseconds while the child is watched for an early exit: no
fixed sleep, so a fast server is graded at once and a broken one is reported as soon as it is
clearly broken. On Linux the poll reads /proc for a listening socket of the learner's process
instead of connecting: a readiness connect would itself be a client that connects and sends
nothing, which some checks test on purpose and which must not happen before them. Elsewhere a
connect is the poll. What went wrong is said in the learner's terms: ``serve()`` returned,
raised, exited, or listens on another port.
"""

import time

from grader.learner import limits
from grader.learner import procfs
from grader.failures import Failure, NotStarted
from grader.learner.process import CHANNEL_LOST, raised_error
from grader.peers.net import LOOPBACK, accepts_connections, free_port

READY_TIMEOUT = 5.0  # seconds from the call of serve() to a successful connect
POLL_INTERVAL = 0.002  # seconds between looks at whether the server listens
WRONG_PORT_CHECK = 0.1  # seconds between looks at the ports the learner's process listens on


class LearnerServer:
    """A learner's ``serve(host, port)`` running in a child process."""

    def __init__(self, runner):
        # Runs serve(): a ForkedCall of a loaded LearnerProcess, or a LearnerProcess of its own.
        self.process = runner
        self.port = None
        self.ended = None  # the control event that said serve() is over (returned or raised)
        self._death = None
        self.started_at = None

    @property
    def address(self):
        return (LOOPBACK, self.port)

    def start(self):
        self.port = free_port()
        self.process.start_call(LOOPBACK, self.port)
        started = self.started_at = time.monotonic()
        next_port_look = started + WRONG_PORT_CHECK
        while True:
            event = self.process.next_event(POLL_INTERVAL)
            if event is not None:
                self.ended = event
                if event["event"] == "raised" and event["not_implemented"]:
                    self.stop()
                    raise NotStarted(event["message"], event.get("line"))
                failure = self._describe_end(" before it accepted a connection")
                error = raised_error(event) if event["event"] == "raised" else None
                failure.port_taken = bool(error and error.is_a("OSError") and "in use" in error.message)
                raise failure
            if self._listening():
                return self
            now = time.monotonic()
            if now >= next_port_look:
                next_port_look = now + WRONG_PORT_CHECK
                ports = self.listening_ports()
                if ports:
                    self.stop()
                    raise self._wrong_port(ports)
            if now - started > READY_TIMEOUT:
                self.stop()
                raise Failure(
                    f"Nothing accepted connections on {LOOPBACK}:{self.port} within {READY_TIMEOUT:g} s "
                    f"after serve({LOOPBACK!r}, {self.port}) was called.",
                    hint="Create a socket, bind it to (host, port), call listen(), then accept() in a loop. "
                         "Is something slow or blocking before listen()?",
                    output=self.process.last_output())

    def _listening(self):
        """Is the server listening yet? Asked of the kernel (no connection made) where it can be."""
        listening = procfs.listening_now(self.port)
        return accepts_connections(self.address) if listening is None else listening

    def wait_until_connections_closed(self, bound):
        """Wait (at most ``bound`` seconds) until the server has accepted every connection and
        holds no socket but its listener.

        After clients vanished, what the server still does for them (a thread echoing their
        last data) must be over before the next client comes, or whether it shows would depend
        on timing. Linux only; elsewhere this returns at once."""
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline and self.alive():
            waiting = procfs.accept_queue(self.port)
            count = procfs.open_sockets(self._pids())
            if waiting is None or count is None or (waiting == 0 and count <= 1):
                return
            time.sleep(POLL_INTERVAL)

    def listening_addresses(self):
        """The addresses the server's own listening sockets on its port are bound to (None where
        the kernel cannot tell us): ["127.0.0.1"] for a server that binds the host it is given."""
        return procfs.listening_addresses(self.port, self._pids())

    def listening_ports(self):
        """Ports other than the expected one on which the learner's processes listen."""
        return [p for p in procfs.listening_ports(self._pids()) if p != self.port]

    def _pids(self):
        """The server's processes: its tree, daemons it double-forked included (grader/learner/procfs.py)."""
        return [self.process.pid] + procfs.descendants(self.process.pid)

    def _wrong_port(self, ports):
        shown = ", ".join(map(str, ports))
        return Failure(
            f"Your server is listening on port {shown}, but the grader called serve({LOOPBACK!r}, {self.port}) "
            f"and nothing listens on {self.port}.",
            hint="Bind to the host and port passed to serve(), not to a fixed port: "
                 "sock.bind((host, port)).")

    def alive(self):
        """True while the process runs and serve() has neither returned nor raised."""
        if self.ended is None and self.process is not None:
            self.ended = self.process.next_event(0)
        return self.ended is None and self.process is not None and self.process.alive()

    def died_message(self, when):
        """A Failure saying the server is gone, and how, with its last output (said once)."""
        if self._death is None:
            self.alive()
            self._death = self._describe_end(f" {when}")
        return self._death

    def _describe_end(self, when):
        """Stop what is left of the server, then say how it ended (after all its output is in)."""
        after = time.monotonic() - self.started_at
        kind = self.ended["event"] if self.ended else "closed"
        # The channel to the grader closed while the process runs on: the learner's code closed it.
        status = self.process.exit_status(wait=0.2) if kind == "closed" else None
        lost = kind == "closed" and (status == CHANNEL_LOST or status is None and self.process.alive())
        self.stop()
        call = f"serve({LOOPBACK!r}, {self.port})"
        output = self.process.last_output()
        error = raised_error(self.ended) if kind == "raised" else None
        limit = (error.limit if error else None) or self.process.limit_hit()
        if limit:
            why = limits.because(limit, self.process.limits)
            text = (f"{call} raised {error.type}{when}: your server {why}." if error else
                    f"The grader stopped your server{when}: it {why}.")
            return Failure(text, hint=limits.HINTS[limit], output=output)
        if kind == "returned":
            return Failure(f"{call} returned after {after:.2f} s{when}; a server keeps serving until it is stopped.",
                           hint="Put accept() in a `while True:` loop; do not return from serve().",
                           output=output)
        if error and error.is_a("builtins.SystemExit"):
            return Failure(f"Your server called sys.exit({error.message or 'None'}) after {after:.2f} s{when}; "
                           "a server keeps serving until it is stopped.",
                           hint="sys.exit() ends the whole program. Leave serve() running; the grader stops it.",
                           output=output)
        if error:
            where = f" at line {error.line}" if error.line else ""
            return Failure(f"Your server stopped: {call} raised {error.type}{where}{when}.", line=error.line,
                           note="Traceback (your code):\n" + error.traceback.rstrip(),
                           hint=_hint_for(error), output=output)
        if lost:
            return Failure(f"Your server closed file descriptors it had not opened{when}, among them the "
                           "grader's connection to your program, so the grader stopped it.",
                           hint="Close only the sockets and files your own code opened.", output=output)
        return Failure(f"Your server's process exited with status {self.process.exit_status()} after {after:.2f} s{when}, "
                       "while it should keep serving.",
                       hint="An exception that escapes your accept loop ends the whole server, and so do "
                            "sys.exit() and os._exit(). Catch errors per connection (ConnectionResetError, "
                            "BrokenPipeError) and keep serving.",
                       output=output)

    def stopped_for(self):
        """The limit for which the grader (or the kernel) stopped the whole server, or None. A
        thread that died of a limit while the server runs on is not counted here (limit_note)."""
        process = self.process
        parent = getattr(process, "parent", None)
        return (process.exceeded or (parent.exceeded if parent is not None else None)
                or limits.from_exit_status(process.exit_status()))

    def printed(self):
        """Bytes the server printed since it was started."""
        return self.process.printed()

    def last_output(self):
        """The last lines it printed since it was started (bounded, as every quoted output is)."""
        return self.process.last_output()

    def limit_note(self):
        """What a limit hit by a thread of the server said (the server itself may still run), or None."""
        limit = self.process.limit_hit()
        return limits.sentence(limit, self.process.limits, who="part of your server") if limit else None

    def stop(self):
        if self.process is not None:
            self.process.stop()


def _hint_for(error):
    if error.is_a("ConnectionError"):
        return ("A client may vanish at any time (ConnectionResetError, BrokenPipeError): catch that "
                "around the one connection's recv()/sendall() and go on serving the others.")
    if error.is_a("OSError") and "in use" in error.message:
        return ("The port is taken: bind to the port passed to serve(). If you restart your own server "
                "quickly, set SO_REUSEADDR before bind().")
    if error.is_a("TypeError"):
        return "serve() takes two arguments, host (a str) and port (an int); check how you use them."
    return "Read the traceback: the last line in your file is where it went wrong."
