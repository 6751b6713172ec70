"""Run a learner's module in a child process and call its contract function there.

One ``LearnerProcess`` is one child (see ``learner_child.py``) with the learner's module
loaded. It runs in its own session, so stopping it stops everything it started (threads,
``multiprocessing`` workers, shell commands); what it prints is drained with a size cap; every
wait on it has a deadline. The grader's process never imports learner code.

A server exercise makes one call that never returns (``serve``); a function exercise makes many
calls to one loaded module, each bounded by a timeout, and a child that overran a timeout is
replaced, never waited for.
"""

import base64
import importlib.util
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from grader.learner import limits as limits_module
from grader.learner import procfs
from grader.learner import sandbox
from grader.failures import Failure, NotStarted, one_line
from grader.learner import attempts, limit_watch
from grader.learner.output import CappedOutput
from grader.peers import run_state

CHILD_SCRIPT = str(Path(__file__).with_name("child.py"))
LOAD_TIMEOUT = 10.0  # seconds for the learner's module to import (several children may load at
# once on a busy 2-core machine); a loop at import is reported after it
CHANNEL_LOST = 75  # a child's exit status when the learner's code closed its control channel
MARKER = "NETKATA_LEARNER"  # set in every learner process's environment, to find strays
STARTER_MARKER = "NETKATA_STARTED_BY"  # the pid of the process (grader or its worker) that started it
GRADER_PID = os.getpid()  # the grader's: a worker forked to grade one exercise keeps its parent's
CI_FILES = ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STATE", "GITHUB_STEP_SUMMARY")
FD_SOCKET_VARIABLE = "NETKATA_FD_SOCKET"  # the child's end of the socket that hands forks their pipes
PROGRAM_MARKER = "NETKATA_PROGRAM"  # which of the grader's programs a learner process belongs to
# Numbers for the markers, unique in this grader process across runs (never reset with a run's
# state): a stray of an earlier run must never carry a later program's marker.
_programs = iter(range(1, 1 << 62))

_printed = {}  # exercise -> bytes its stopped processes printed (each program drains to its own pipe)
_printed_lock = threading.Lock()


def _account(exercise, output, sandboxed, daemons=0):
    """Count what a stopped program (or fork) printed, and what its output shows it tried."""
    with _printed_lock:
        _printed[exercise] = _printed.get(exercise, 0) + output.total
    if sandboxed:  # (outside it, a refusal is the machine's, not the sandbox's)
        attempts.record(exercise, attempts.refusals_in(output.text())
                        + ([attempts.daemons_sentence(daemons)] if daemons else []))


def printed_by(exercise):
    """Bytes that the learner's processes for ``exercise`` printed, those stopped so far."""
    with _printed_lock:
        return _printed.get(exercise, 0)


@dataclass
class Opaque:
    """A returned value that could not cross the process boundary: its type and repr."""

    type: str
    repr: str
    classes: tuple = ()  # an exception's qualified class names, its bases too (returned as a value)

    def is_a(self, name):
        """True when it is an exception of the class with this (qualified) name, or of a subclass."""
        return any(c == name or c.rsplit(".", 1)[-1] == name for c in self.classes)

    def __repr__(self):
        return self.repr


def encode_argument(value):
    """An argument of a call as JSON: bytes (a TLS request, say) tagged as the child's return values
    are, so that they reach the learner's function as bytes (``learner_child.decode_argument``)."""
    if isinstance(value, (bytes, bytearray)):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [encode_argument(item) for item in value]
    return value


def decode_value(data):
    """The inverse of ``learner_child.encode_value``."""
    if isinstance(data, list):
        return [decode_value(item) for item in data]
    if isinstance(data, dict):
        if "bytes" in data:
            return base64.b64decode(data["bytes"])
        if "tuple" in data:
            return tuple(decode_value(item) for item in data["tuple"])
        if "dict" in data:
            return {_hashable(decode_value(k)): decode_value(v) for k, v in data["dict"]}
        return Opaque(data.get("type", "?"), data.get("repr", "?"), tuple(data.get("mro", ())))
    return data


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


@dataclass
class RaisedError:
    """An exception raised by learner code, described well enough to grade and to explain."""

    type: str
    classes: list  # qualified names of the class and its bases
    message: str
    traceback: str
    line: int | None = None
    limit: str | None = None  # the limit whose hit raised it (MemoryError: "memory")

    def is_a(self, name):
        """True when the exception is an instance of the class with this (qualified) name."""
        return any(c == name or c.rsplit(".", 1)[-1] == name for c in self.classes)

    def __str__(self):
        return f"{self.type}: {self.message}" if self.message else self.type


@dataclass
class Outcome:
    """What one call of the learner's function did."""

    value: object = None
    raised: RaisedError | None = None
    timed_out: bool = False
    exit_status: int | None = None  # set when the process ended during the call
    elapsed: float = 0.0
    output: str = ""
    limit: str | None = None  # the name of the limit (grader/learner/limits.py) the call hit, if any
    lost: bool = False  # the learner's code closed the grader's channel to the process
    returned_at: float | None = None  # time.monotonic() when an async function's coroutine returned

    @property
    def returned(self):
        return self.raised is None and not self.timed_out and self.exit_status is None and not self.lost

    @property
    def spoiled(self):
        """The process that made the call is not fit for another: it overran, ended, lost its
        channel or hit a limit (a call that raised, and no more, leaves it as it was)."""
        return not self.returned and bool(self.timed_out or self.exit_status is not None or self.lost
                                          or self.limit)

    def ending(self, limit, show_value=repr):
        """How the call ended, in the few words a failure message needs ("raised ValueError: ...")."""
        if self.limit:
            why = limits_module.because(self.limit)
            if self.raised is not None:
                return f"raised {self.raised.type}: your code {why}"
            return f"nothing: the grader stopped it, because it {why}"
        if self.timed_out:
            return f"nothing: still running after {limit:g} s, so the grader stopped it"
        if self.lost:
            return ("nothing: your code closed file descriptors it had not opened, among them the grader's "
                    "connection to your program, so the grader stopped it")
        if self.raised is not None and self.raised.is_a("builtins.SystemExit"):
            code = self.raised.message or "None"
            where = f" (line {self.raised.line})" if self.raised.line else ""
            return f"nothing: your code called sys.exit({code}){where}, which ends the program"
        if self.raised is not None:
            where = f" (line {self.raised.line})" if self.raised.line else ""
            return f"raised {one_line(str(self.raised), 300)}{where}"
        if self.exit_status is not None:
            return f"nothing: your code ended the process (exit status {self.exit_status}; os._exit()?)"
        return f"returned {show_value(self.value)}"


class _Events:
    """Control-channel events from the child, read by a thread so that waits have deadlines."""

    def __init__(self, stream, fork_queue=None):
        """``fork_queue``: this is the channel of one fork of its own (ForkedCall), whose events
        all go to that queue, with no ``closed`` at end of file (its parent says when it exited)."""
        self.stream = stream
        self.queue = queue.Queue() if fork_queue is None else fork_queue
        self.says_closed = fork_queue is None
        self.fork_queues = {}  # fork ID -> the queue of its events (forks may run side by side)
        self.limits_hit = {}  # fork ID (None: the child itself) -> the first limit a thread hit
        self.closed = False

    def subscribe(self, fork):
        """A queue of its own for the events of fork ``fork``; ``unsubscribe`` drops it."""
        self.fork_queues[fork] = events = queue.Queue()
        if self.closed:
            events.put({"event": "closed"})
        return events

    def unsubscribe(self, fork):
        self.fork_queues.pop(fork, None)

    def start(self):
        self.thread = threading.Thread(target=self._read, name="learner-events", daemon=True)
        self.thread.start()

    def finished(self, wait):
        """True once the channel reached end of file (waiting up to ``wait`` seconds)."""
        self.thread.join(wait)
        return not self.thread.is_alive()

    def _read(self):
        try:
            for line in self.stream:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue  # not ours: learner code wrote to the control channel
                if not isinstance(event, dict) or "event" not in event:
                    continue
                if event["event"] == "limit":  # a thread died of it; the call goes on
                    self.limits_hit.setdefault(event.get("fork"), event.get("limit"))
                elif event.get("fork") is None or not self.says_closed:
                    self.queue.put(event)
                elif (events := self.fork_queues.get(event["fork"])) is not None:
                    events.put(event)  # (a fork no longer listened to: its events are dropped)
        except (OSError, ValueError):
            pass
        self.closed = True
        if self.says_closed:
            for events in [self.queue, *list(self.fork_queues.values())]:
                events.put({"event": "closed"})

    def next(self, timeout):
        """The next event, or None if none came within ``timeout`` seconds."""
        try:
            return self.queue.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None


class _Watched:
    """What the limit watch (grader/learner/limit_watch.py) calls on a running program."""

    exceeded = None  # the limit the grader stopped this program for, once it did
    run = None  # the RunState (grader/peers/run_state.py) it was started in: stop_all() finds it there
    watch = None  # the limit watch of that run, while it watches this program

    def _started(self):
        self.run = run_state.current()
        self.run.started(self)

    def _watched(self):
        self.watch = limit_watch.for_this_run()
        self.watch.watch(self)

    def _unwatched(self):
        if self.watch is not None:
            self.watch.forget(self)

    def _stopped(self):
        if self.run is not None:
            self.run.stopped(self)

    def exceed(self, name):
        """The program passed limit ``name``: remember which, and stop all of it."""
        if self.exceeded is None:
            self.exceeded = name
        if (pid := self._own_pid()) is not None:
            procfs.stop_tree(pid)


class LearnerProcess(_Watched):
    """The learner's module loaded in a child process, ready for calls."""

    def __init__(self, path, function, exercise=None, *, fork_outputs=False):
        self.path = Path(path).resolve()
        self.function = function
        self.sandboxed = False  # set when it starts: inside bubblewrap (grader/learner/sandbox.py)
        self.exercise = exercise or self.path.stem
        self.proc = None
        self.output = None
        self._printed_counted = False
        self._events = None
        self.limits = limits_module.current()
        self.forks = set()  # live ForkedCalls of this process, each watched on its own
        # fork_outputs: each fork prints to a pipe of its own, handed over through this socket
        # (forks that run side by side: each call's message quotes its own output).
        self._fd_socket = None
        self._fork_outputs = fork_outputs
        self._request_lock = threading.Lock()
        self.forks_lock = threading.Lock()  # a fork starting, or the orphans of ended ones swept (ForkedCall)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self):
        """Start the child and wait until the module is imported; raise Failure otherwise."""
        self.spawn()
        self.wait_loaded()

    def spawn(self):
        """Start the child without waiting: it imports the module while the grader works on."""
        env = dict(os.environ, PYTHONIOENCODING="utf-8:backslashreplace", PYTHONDONTWRITEBYTECODE="1")
        env[MARKER] = str(GRADER_PID)
        env[STARTER_MARKER] = str(os.getpid())
        self.marker = f"{os.getpid()}-{next(_programs)}"
        env[PROGRAM_MARKER] = self.marker
        env["NETKATA_CHILD_LIMITS"] = self.limits.for_child()
        env["NETKATA_SYS_PATH"] = os.pathsep.join(p for p in sys.path if p and os.path.exists(p))
        env.pop("PYTHONSTARTUP", None)
        for name in CI_FILES:  # the learner's code must not write the CI job's outputs itself
            env.pop(name, None)
        kwargs = {"start_new_session": True} if os.name == "posix" else {
            "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        command = [sys.executable, "-S", "-u", CHILD_SCRIPT, str(self.path), self.function]
        child_end = None
        if self._fork_outputs:
            self._fd_socket, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            env[FD_SOCKET_VARIABLE] = str(child_end.fileno())
            kwargs["pass_fds"] = (child_end.fileno(),)
        self.sandboxed = sandbox.sandboxed()
        command, env = sandbox.wrap(command, env, self.path.parent, CHILD_SCRIPT)
        try:
            self.proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                cwd=self.path.parent, env=env, **kwargs)
        finally:
            if child_end is not None:
                child_end.close()
        self.child_pid = None if self.sandboxed else self.proc.pid
        self._started()
        self.output = CappedOutput(self.proc.stderr)
        self._events = _Events(self.proc.stdout)
        self._events.start()
        self._watched()
        return self

    # -- limits (grader/learner/limits.py) ---------------------------------------------------------

    def _own_pid(self):
        """The child's pid while it is surely still this child's: until it is reaped, no other
        process can be given it."""
        return self.proc.pid if self.proc.returncode is None else None

    def tree(self):
        """For the limit watch: this process's tree, less its forks' subtrees (watched on their own)."""
        return self._own_pid(), {f.pid for f in list(self.forks) if f.pid is not None}

    def limit_hit(self):
        """The limit this program was stopped for, or a thread of it died of."""
        return self.exceeded or self._events.limits_hit.get(None) or limits_module.from_exit_status(
            self._status(self.proc.returncode))

    def wait_loaded(self):
        """Wait until the child has imported the module; raise Failure if it cannot."""
        event = self._events.next(LOAD_TIMEOUT)
        if event is not None and event["event"] == "loaded":
            if self.sandboxed:  # the bootstrap's pid in the sandbox's PID namespace, translated
                self.child_pid = procfs.outer_pid(self.proc.pid, event.get("pid", -1))
            return
        self.stop()
        raise self._load_failure(event)

    ONE_FILE = "the exercise is one file"  # (grader batch finds the hint by these words)

    def _missing_module_hint(self, event):
        """For an import of a module nobody has (the grader's environment neither): most likely a
        file of the learner's own, left behind because the exercise is one file."""
        match = re.fullmatch(r"No module named '([\w.]+)'", event.get("message", ""))
        if event.get("type") != "ModuleNotFoundError" or match is None:
            return None
        module = match.group(1).split(".")[0]
        try:
            if importlib.util.find_spec(module) is not None:
                return None
        except (ImportError, ValueError):
            pass
        return (f"No module {module} is installed. If {module}.py is a file of yours, it was not "
                f"graded: {self.ONE_FILE}, and only {self.path.name} is taken. Put that code "
                f"into {self.path.name}.")

    def _load_failure(self, event):
        name = self.path.name
        if event is None:
            return Failure(
                f"Importing {name} did not finish within {LOAD_TIMEOUT:g} s.",
                hint="Code at the top level of your file runs on import. Put the work inside "
                     f"{self.function}() and start it only under `if __name__ == \"__main__\":`.",
                output=self.last_output())
        if event["event"] == "no_function":
            defined = ", ".join(event["defined"]) or "nothing callable"
            return Failure(
                f"{name} has no function named {self.function}() (it defines: {defined}).",
                hint=f"Did you rename or delete {self.function}? The grader calls it by that name.")
        limit = event.get("limit") if event["event"] == "load_error" else self.limit_hit()
        if limit:
            return Failure(f"The grader stopped your program while {name} was being imported: it "
                           + limits_module.because(limit, self.limits) + ".",
                           hint=limits_module.HINTS[limit], output=self.last_output())
        if event["event"] == "load_error":
            where = f"{name}, line {event['line']}" if event.get("line") else name
            return Failure(
                f"Importing {where} raised {event['type']}: {event['message']}", line=event.get("line"),
                note="Traceback (your code):\n" + event["traceback"].rstrip(),
                hint=("Remove the import of the grader: your program must run without it." if
                      "never imports the grader" in event["message"] else
                      self._missing_module_hint(event) or
                      "Run `python " + str(self.path) + "` yourself to see the same error."),
                output=self.last_output() or None)
        if self.exit_status(wait=1.0) in (None, CHANNEL_LOST):
            return Failure(
                f"While {name} was being imported, it closed file descriptors it had not opened, among "
                "them the grader's connection to your program.",
                hint="Close only the sockets and files your own code opened.",
                output=self.last_output())
        return Failure(
            f"Your program exited while {name} was being imported (exit status {self.exit_status()}).",
            hint="Is there a sys.exit() or os._exit() at the top level of your file?",
            output=self.last_output())

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        """The bootstrap's pid (in a sandbox, bubblewrap's child; before it loaded, bubblewrap's)."""
        return self.child_pid or self.proc.pid

    def last_output(self):
        """Its last lines of output, including all it printed before now."""
        self.output.settle()
        return self.output.last_lines()

    def printed(self):
        """Bytes it has printed so far."""
        return self.output.total

    def exit_status(self, wait=0.0):
        """The child's exit status, waiting up to ``wait`` seconds; None while it runs."""
        try:
            return self._status(self.proc.wait(timeout=wait) if wait else self.proc.poll())
        except subprocess.TimeoutExpired:
            return None

    def _status(self, code):
        """The bootstrap's exit status: bubblewrap says "killed by signal N" as 128 + N."""
        if self.sandboxed and code is not None and code > 128:
            return -(code - 128)
        return code

    def stop(self):
        """Stop the child and everything it started: freeze the whole tree, then kill it."""
        if self.proc is None:
            return
        self._unwatched()
        daemons = 0
        if (pid := self._own_pid()) is not None:
            daemons = len(procfs.left_session(pid)) if self.sandboxed else 0
            procfs.stop_tree(pid)  # all it started, daemons in sessions of their own too
        self._signal(signal.SIGKILL)  # the group's other members, if the leader is gone
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        # The pipes reach end of file once every process holding them is gone. One that left the
        # tree (its parent ended before the grader stopped it) is found by this program's marker.
        if not self._events.finished(1.0):
            for pid in procfs.marked_processes(f"{PROGRAM_MARKER}={self.marker}".encode()):
                procfs.stop_tree(pid)
        if self._events.finished(1.0):
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            if self.output.join():  # (closing a stream a thread still reads would wait for that read)
                self.proc.stderr.close()
        self._stopped()
        if self._fd_socket is not None:
            self._fd_socket.close()
        if self.output is not None and not self._printed_counted:
            self._printed_counted = True  # (a program is stopped once, counted once)
            _account(self.exercise, self.output, self.sandboxed, daemons)

    def _signal(self, signum):
        try:
            if os.name == "posix":
                os.killpg(self.proc.pid, signum)
            elif signum == signal.SIGKILL:
                self.proc.kill()
            else:
                self.proc.terminate()
        except (ProcessLookupError, PermissionError, OSError):
            pass

    # -- calls -----------------------------------------------------------------------------

    def send_call(self, *args, **kwargs):
        """Ask the child to call the function; the answer comes as an event."""
        self.send_request({"args": [encode_argument(a) for a in args],  # a dead child: the next event says so
                           "kwargs": {k: encode_argument(v) for k, v in kwargs.items()}})

    def next_event(self, timeout):
        return self._events.next(timeout)

    start_call = send_call  # what a server runner calls to start serve(); see ForkedCall

    def send_request(self, request, pipes=None):
        """Send one request; ``pipes``: the write ends of the output and control pipes of the
        fork it asks for (grader/learner/child.py)."""
        with self._request_lock:  # (a request and its pipes are taken in together, in order)
            try:
                self.proc.stdin.write((json.dumps({**request, "pipes": pipes is not None}) + "\n").encode())
                self.proc.stdin.flush()
                if pipes is not None:
                    socket.send_fds(self._fd_socket, [b"p"], list(pipes))
            except OSError:
                pass

    def call(self, *args, limit, **kwargs):
        """Call the function once, waiting at most ``limit`` seconds for it to finish.

        ``limit`` is the grader's bound; the learner function's own arguments (a ``timeout``
        among them) pass through ``args`` and ``kwargs`` untouched.
        """
        started = time.monotonic()
        self.send_call(*args, **kwargs)
        return _outcome(self, self.next_event(limit), started)


def _outcome(program, event, started):
    """How a call ``started`` at that time ended, told by its last event (None: none came within
    the grader's bound); ``program``: the LearnerProcess or ForkedCall that made it."""
    outcome = Outcome(elapsed=time.monotonic() - started)
    if event is None:
        outcome.timed_out = True
    elif event["event"] == "returned":
        outcome.value = decode_value(event["value"])
        outcome.returned_at = event.get("returned_at")
    elif event["event"] == "raised":
        if event["not_implemented"]:
            raise NotStarted(event["message"], event.get("line"))
        outcome.raised = raised_error(event)
        if event.get("exit_code") is not None or event["type"] == "SystemExit":
            outcome.exit_status = program.exit_status(wait=1.0)
    else:
        status = program.exit_status(wait=1.0)
        if status in (None, CHANNEL_LOST):  # the channel closed, by the learner's code
            outcome.lost = True
        else:
            outcome.exit_status = status
    outcome.limit = (outcome.raised.limit if outcome.raised else None) or (
        program.limit_hit() if not outcome.returned else None)
    outcome.output = program.last_output()
    return outcome


class ForkedCall(_Watched):
    """One call made in a fork of a loaded LearnerProcess (POSIX): a fresh server per check.

    The fork starts past the learner's imports, in a process group of its own, so it is ready
    in about a millisecond and stopping it stops what it started without touching the parent.
    It prints to a pipe of its own and says how its call went on a channel of its own, both
    handed to it through the parent (started with ``fork_outputs=True``); the parent reports
    its exit status when it ends.
    """

    _ids = iter(range(1, 1 << 62))

    def __init__(self, parent):
        self.parent = parent
        self.id = next(self._ids)
        self.pid = None
        self.status = None
        self.output = None  # what it prints: a pipe of its own (started with start_call)
        self._pending = []
        self._counted = False
        self._events = parent._events.subscribe(self.id)
        self._channel = None  # the fork's own control channel (with a pipe of its own for output)
        self._channel_drained = False
        self._streams = ()  # the grader's ends of those two pipes
        self._cancelled = False  # stopped: a start that had not begun never begins

    def start_call(self, *args, **kwargs):
        # Held until this fork's pid is known: a sibling's stop that swept the parent's other
        # children meanwhile would take this one for an orphan, and this call's own stop, made
        # from another thread, would find no pid to stop and leave the fork running.
        with self.parent.forks_lock:
            if self._cancelled:
                raise Failure("The grader stopped this call before it started.")
            self._start_call(args, kwargs)

    def _start_call(self, args, kwargs):
        output_read, output_write = os.pipe()
        channel_read, channel_write = os.pipe()
        self._streams = (os.fdopen(output_read, "rb", buffering=0), os.fdopen(channel_read, "rb"))
        self.output = CappedOutput(self._streams[0])
        self._channel = _Events(self._streams[1], fork_queue=self._events)
        self._channel.start()
        self.parent.send_request({"fork": self.id, "args": args, "kwargs": kwargs},
                                 pipes=(output_write, channel_write))
        os.close(output_write)
        os.close(channel_write)
        self._started()
        deadline = time.monotonic() + LOAD_TIMEOUT
        forked = False
        while not forked:
            event = self._event(deadline - time.monotonic())
            if event is None:
                raise Failure("The grader could not start a copy of your program (fork failed).")
            if event["event"] == "forked":
                forked = True
                self.pid = event["pid"]
                if self.parent.sandboxed:  # its pid in the sandbox's PID namespace: find it here
                    self.pid = self._outer(self.pid)  # (None: it has ended already)
                self.parent.forks.add(self)
                self._watched()
            else:
                self._pending.append(event)

    def _outer(self, inner):
        for _ in range(50):  # the fork is the bootstrap's child from the moment it reports itself
            pid = procfs.outer_pid(self.parent.pid, inner, among=procfs.children(self.parent.pid))
            if pid is not None:
                return pid
            time.sleep(0.002)
        return None

    def _event(self, timeout):
        """The next event of this call, or None."""
        try:
            event = self._events.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if event["event"] == "closed":
            self._events.put(event)  # the parent is gone: keep saying so
        elif event["event"] == "exited":
            if self._channel is not None and not self._channel_drained:
                # The parent's word that the fork exited may overtake the fork's last events
                # on its own channel: take those in first, then this.
                self._channel_drained = True
                self._channel.finished(1.0)
                if not self._events.empty():
                    self._events.put(event)
                    return self._event(timeout)
            self.status = event["status"]
            self._events.put(event)  # and keep saying so: a stop in another thread may be waiting too
        return event

    def next_event(self, timeout):
        """The next event that says how serve() ended, or None."""
        if self._pending:
            return self._pending.pop(0)
        deadline = time.monotonic() + timeout
        while (event := self._event(deadline - time.monotonic())) is not None:
            if event["event"] == "exited":
                return {"event": "closed"}
            return event
        return None

    def alive(self):
        return self.status is None and self.parent.alive()

    def exit_status(self, wait=0.0):
        deadline = time.monotonic() + wait
        while self.status is None and time.monotonic() < deadline and self.parent.alive():
            event = self._event(deadline - time.monotonic())
            if event is not None and event["event"] != "exited":
                self._pending.append(event)
        return self.status

    def last_output(self):
        self.output.settle()
        return self.output.last_lines()

    def printed(self):
        """Bytes this fork (and what it started) printed."""
        self.output.settle()
        return self.output.total

    # -- limits (grader/learner/limits.py) ---------------------------------------------------------

    @property
    def limits(self):
        return self.parent.limits

    def _own_pid(self):
        """The fork's pid while it is surely still the fork: the parent reaps it when it ends
        (and may do so before its "exited" event is read), so it must still be the parent's child."""
        if self.pid is None or self.status is not None:
            return None
        if procfs.available() and self.pid not in procfs.children(self.parent.pid):
            return None
        return self.pid

    def tree(self):
        return self._own_pid(), ()

    def limit_hit(self):
        """The limit this server was stopped for (or its whole program was), or a thread died of."""
        return (self.exceeded or self.parent.exceeded or self.parent._events.limits_hit.get(self.id)
                or (self._channel.limits_hit.get(self.id) if self._channel is not None else None)
                or limits_module.from_exit_status(self.status))

    def stop(self):
        with self.parent.forks_lock:  # a start in progress ends first: its pid is then known
            self._cancelled = True
        self._unwatched()
        if (pid := self._own_pid()) is not None:
            procfs.stop_tree(pid)
            self.exit_status(wait=2.0)
        _kill_group(self.pid)  # whatever the fork started and left behind
        self.parent.forks.discard(self)
        # A fork that ended by itself left its orphans to the parent (a subreaper): stop them too
        # (none of a sibling that is starting: see start_call).
        with self.parent.forks_lock:
            if self.parent._own_pid() is not None:  # never the pid of a reaped parent
                # (the bootstrap's own pid: in a sandbox, bubblewrap is the root of the tree)
                procfs.stop_tree(self.parent.pid, include_root=False, prune={f.pid for f in list(self.parent.forks)})
        self._stopped()
        self.parent._events.unsubscribe(self.id)
        if self.output is not None and not self._counted:
            self._counted = True  # (stopped once, counted once)
            drained = self.output.join()  # (end of file: every process holding the pipe is gone)
            drained = self._channel.finished(1.0) and drained
            _account(self.parent.exercise, self.output, self.parent.sandboxed)
            if drained:  # (closing a stream a thread still reads would wait for that read)
                for stream in self._streams:
                    stream.close()


def _kill_group(pgid):
    if pgid is None or os.name != "posix":
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def raised_error(event):
    return RaisedError(type=event["type"], classes=event["mro"], message=event["message"],
                       traceback=event["traceback"], line=event.get("line"), limit=event.get("limit"))


def stop_all():
    """Stop every learner process of this run still running (the grader is finishing or was
    interrupted), then any process that escaped it."""
    running = run_state.current().running()
    for forked in [r for r in running if isinstance(r, ForkedCall)]:  # before their parents
        forked.stop()
    for process in running:
        process.stop()
    for pid in procfs.marked_processes(f"{STARTER_MARKER}={os.getpid()}".encode()):
        procfs.stop_tree(pid)


def stop_strays(grader_pid):
    """Stop any process still marked as started by the grader ``grader_pid`` (Linux).

    The last sweep: every learner process carries the marker in its environment, so one that
    escaped both its process group and the grader's tree (its parent killed first) is found too."""
    for pid in procfs.marked_processes(f"{MARKER}={grader_pid}".encode()):
        procfs.stop_tree(pid)


class ForkedFunction:
    """A LearnerFunction whose every call runs in a fork of one loaded child, shared with other
    ForkedFunctions (POSIX): calls that run side by side (grader/engine/background.py) then cost
    a fork each, not a new interpreter importing the learner's module and its libraries again
    (aiohttp alone is a third of a second of CPU). Each fork prints to a pipe of its own, so a
    call's message quotes what that call printed. ``loaded`` returns the shared child, loaded
    (a load failure raises Failure there)."""

    def __init__(self, loaded):
        self._loaded = loaded
        self.fork = None
        self._lock = threading.Lock()  # close() may come from another thread (a cancelled background call)

    def start(self):
        self._loaded()

    def call(self, *args, limit, **kwargs):
        self.close()
        started = time.monotonic()
        fork = ForkedCall(self._loaded())
        with self._lock:
            self.fork = fork
        fork.start_call(*map(encode_argument, args), **{k: encode_argument(v) for k, v in kwargs.items()})
        outcome = _outcome(fork, fork.next_event(max(0.0, limit - (time.monotonic() - started))), started)
        if outcome.spoiled:
            self.close()  # as LearnerFunction does: what it left behind goes with it
        return outcome

    def close(self):
        with self._lock:
            fork, self.fork = self.fork, None
        if fork is not None:
            fork.stop()


class LearnerFunction:
    """Calls a function exercise's contract function, one loaded child for many calls.

    A child that overran a call's timeout, crashed or exited is stopped and the next call gets
    a fresh one, so one hanging input costs one timeout, not the rest of the exercise.
    """

    def __init__(self, path, function, exercise=None):
        self._args = (path, function, exercise)
        self.process = None

    def start(self):
        """Load the module now if no child has it loaded (a load failure raises Failure)."""
        if self.process is None or not self.process.alive():
            process = LearnerProcess(*self._args)
            process.start()
            self.process = process

    def call(self, *args, limit, **kwargs):
        self.start()
        outcome = self.process.call(*args, limit=limit, **kwargs)
        if outcome.spoiled:
            self.close()
        return outcome

    def close(self):
        if self.process is not None:
            self.process.stop()
            self.process = None
