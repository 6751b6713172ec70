"""What one grading run owns: the ports it chose, the learner programs it started, their watch.

Grading learns a few things as it goes that must be forgotten when it ends: the ports the
grader chose (every message shows them as PORT, so that the same submission gets the same
report whatever the OS picked), the learner programs still running (stopped when the run ends
or is interrupted) and the thread that watches their limits (grader/learner/limit_watch.py).
They used to be module-level globals, so a long ``grader watch`` session, which grades again on
every save in one process, kept every port it had ever chosen. Now they live in one
``RunState``: ``grader.engine.run.grade`` makes a fresh one for each run (``fresh()``), and
everything below the engine reaches it through ``current()``. Outside a run (a script, a test,
``python -m grader.peers.lines``) ``current()`` is one state for the whole process, as before.

It lives here, in the lowest layer that records into it (the grader-side servers note their
ports), and knows nothing of the types it holds: the learner layer keeps its programs and its
limit watch here (``owned``) without this module importing it. The files a run hands to the
learner's program (``HandedOver``) are kept here too, so the sandbox can show that one folder.
"""

import contextlib
import os
import shutil
import tempfile
import threading
from pathlib import Path


class RunState:
    def __init__(self):
        self._lock = threading.RLock()  # (a kind made by owned() may own another)
        self._ports = set()
        self._programs = set()
        self._owned = {}

    # -- ports --------------------------------------------------------------------------------

    def chose_port(self, port):
        """Note a port the grader chose for a server (the learner's or its own)."""
        with self._lock:
            self._ports.add(port)

    @property
    def ports(self):
        with self._lock:
            return frozenset(self._ports)

    # -- learner programs ---------------------------------------------------------------------

    def started(self, program):
        """Note a running learner program (it has a ``stop()``), for ``running()``."""
        with self._lock:
            self._programs.add(program)

    def stopped(self, program):
        with self._lock:
            self._programs.discard(program)

    def running(self):
        """The learner programs started and not yet stopped in this run."""
        with self._lock:
            return list(self._programs)

    # -- what a lower layer keeps per run -----------------------------------------------------

    def owned(self, kind):
        """This run's one instance of ``kind`` (a class made without arguments), made at first
        use: how the learner layer keeps its limit watch per run. One with a ``close()`` is
        closed when the run ends (its temporary files go with it)."""
        with self._lock:
            if kind not in self._owned:
                self._owned[kind] = kind()
            return self._owned[kind]

    def close(self):
        with self._lock:
            owned, self._owned = list(self._owned.values()), {}
        for thing in owned:
            if callable(getattr(thing, "close", None)):
                thing.close()


class HandedOver:
    """The folder of files a run hands to the learner's program (tls_client's cafile): the only
    grader-made files the sandbox shows it (read-only, at the same path), made with the run."""

    def __init__(self):
        self._temporary = tempfile.TemporaryDirectory(prefix="netkata-handed-")
        self.folder = Path(self._temporary.name)
        os.chmod(self.folder, 0o755)  # readable by the unprivileged uid the learner runs as

    def close(self):
        self._temporary.cleanup()

    def place(self, source, name):
        """A read-only copy of ``source`` in the folder, for the learner; its path."""
        target = self.folder / name
        shutil.copyfile(source, target)
        os.chmod(target, 0o644)
        return target


_process_wide = RunState()  # outside a grading run
_current = None  # the RunState of the run in progress, if any


def current():
    """The state of the grading run in progress (the process-wide one outside a run)."""
    return _current or _process_wide


@contextlib.contextmanager
def fresh():
    """A new RunState for the duration of the block (one grading run); the previous one after it."""
    global _current
    previous, _current = _current, RunState()
    try:
        yield _current
    finally:
        _current.close()
        _current = previous
