"""Watch the limits that no kernel enforces for us: processes at once, memory of all of them.

``setrlimit`` limits each process on its own (see grader/learner/limits.py), and RLIMIT_NPROC counts
every process of the user (and nothing at all for root, which Gradescope and containers run
as). So one thread of the grader looks at every running learner program's process tree a few
times a second and stops a program that has too many processes, or too much memory in all of
them together, naming the limit it passed. Walking a tree reads only that tree's /proc entries
(about a millisecond), so the watch costs the grader little; it runs only while some learner
program runs, and needs /proc (elsewhere the per-process limits are all there is).
"""

import threading

from grader.learner import procfs
from grader.peers import run_state

INTERVAL = 0.05  # seconds between looks; a program that forks without end is stopped this soon


class LimitWatch:
    """Looks at registered programs every INTERVAL seconds; calls ``program.exceed(name)`` when
    one passes a limit. A program provides ``tree()``: (root pid, pids of subtrees that are
    programs of their own)."""

    def __init__(self, interval=INTERVAL):
        self.interval = interval
        self._programs = set()
        self._lock = threading.Lock()
        self._thread = None

    def watch(self, program):
        if not procfs.available():
            return
        with self._lock:
            self._programs.add(program)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="limit-watch", daemon=True)
                self._thread.start()

    def forget(self, program):
        with self._lock:
            self._programs.discard(program)

    def _run(self):
        wake = threading.Event()
        while True:
            with self._lock:
                programs = list(self._programs)
                if not programs:
                    self._thread = None  # ends with the last program: no thread outlives a run
                    return
            for program in programs:
                look_at(program)
            wake.wait(self.interval)


def look_at(program):
    """Stop ``program`` if its processes, together, pass the process or memory limit."""
    root, prune = program.tree()
    if root is None:
        return
    limits = program.limits
    running, memory = procfs.usage([root] + procfs.descendants(root, prune))
    if running > limits.processes:
        program.exceed("processes")
    elif memory > limits.memory:
        program.exceed("memory")


def for_this_run():
    """The limit watch of the grading run in progress (grader/peers/run_state.py)."""
    return run_state.current().owned(LimitWatch)
