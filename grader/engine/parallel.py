"""Grade several exercises at the same time, each in a worker process of its own.

Most of an exercise's grading is waiting the contracts impose (a Retry-After, a client's
timeout, a reply cut slowly), not work, so exercises graded one after another take the sum of
their waits, and grading them side by side takes little more than the slowest. pytest is not
made to run two sessions at once in one process, so each exercise gets a process: a fork of
this one, made after pytest, Hypothesis and the check modules are imported (so no worker pays
for them again), in a process group of its own (a terminal's Ctrl-C reaches this process alone,
which passes it on once). A worker runs that exercise's checks exactly as a single-exercise run
does, in-process, and sends its results back pickled through a pipe.

Each exercise keeps everything of its own as before: its learner processes, its ports, its
budget. Results come back keyed by exercise, so the report keeps learning order whatever
finished first. ``NETKATA_WORKERS`` bounds how many run at once (``grader batch`` sets it for each
submission's grader, so that its jobs together grade no more exercises at once than one grader).
"""

import os
import pickle
import selectors
import signal
import time
import traceback

from grader.peers import run_state

WORKERS_VARIABLE = "NETKATA_WORKERS"
WORKER_SLACK = 60.0  # seconds past an exercise's budget before its worker is taken for hung
INTERRUPT_BOUND = 15.0  # seconds the workers get to stop their learners and send what they graded


class WorkerError(Exception):
    """A worker ended without sending its results (the grader's fault, never the learner's)."""


def machine_workers():
    """Exercises graded at once on this machine by default: mostly waiting, so more than one per
    core still overlaps; more than three per core slowed the whole track down on two cores (the
    workers' first second, loading and starting learner programs, is CPU)."""
    return 3 * (os.cpu_count() or 1)


def worker_count(exercises):
    """How many exercises may be graded at once here."""
    configured = os.environ.get(WORKERS_VARIABLE, "").strip()
    if configured.isdigit() and int(configured) >= 1:
        limit = int(configured)
    else:
        limit = machine_workers()
    return max(1, min(limit, len(exercises)))


def run_in_workers(run_one, exercises, budget):
    """``run_one(exercise)`` (-> {name: ExerciseResult}) for every exercise, each in its own forked
    worker, at most ``worker_count`` at once; returns the merged results.

    Ctrl-C raises KeyboardInterrupt carrying ``results``: every worker is told once, and what
    each had graded when it stopped comes back (bounded by INTERRUPT_BOUND)."""
    pending = sorted(exercises, key=lambda exercise: -getattr(exercise, "seconds", 0))  # the longest first (track.py)
    limit = worker_count(exercises)
    running = {}  # read end fd -> _Worker
    results = {}
    selector = selectors.DefaultSelector()
    try:
        while pending or running:
            while pending and len(running) < limit:
                worker = _Worker.start(run_one, pending.pop(0), budget, inherited=[*running, selector])
                running[worker.fd] = worker
                selector.register(worker.fd, selectors.EVENT_READ, worker)
            _collect(selector, running, results, deadline=None)
    except KeyboardInterrupt as stop:
        for worker in running.values():
            worker.interrupt()
        deadline = time.monotonic() + INTERRUPT_BOUND
        while running and time.monotonic() < deadline:
            _collect(selector, running, results, deadline)
        for worker in list(running.values()):
            _retire(selector, running, worker)
            worker.kill()
        stop.results = {**getattr(stop, "results", {}), **results}
        raise
    finally:
        for worker in list(running.values()):
            _retire(selector, running, worker)
            worker.kill()
        selector.close()
    return results


def _collect(selector, running, results, deadline):
    """Read whatever the workers sent; take in the results of those that finished."""
    now = time.monotonic()
    wake = min(w.deadline for w in running.values())
    if deadline is not None:
        wake = min(wake, deadline)
    for key, _ in selector.select(timeout=max(0.0, wake - now)):
        worker = key.data
        if worker.read():
            _retire(selector, running, worker)
            results.update(worker.finish())
    for worker in [w for w in running.values() if time.monotonic() > w.deadline]:
        _retire(selector, running, worker)
        worker.kill()
        raise WorkerError(f"grading {worker.exercise.name} did not finish within its "
                          f"{worker.deadline - worker.started:.0f} s")


def _retire(selector, running, worker):
    """Stop watching a worker's pipe, then close it, in that order: epoll watches the pipe itself,
    not its number, so a pipe closed while still registered would go on waking the selector under
    a number that os.pipe() hands to the next worker."""
    selector.unregister(worker.fd)
    del running[worker.fd]
    worker.close()


class _Worker:
    def __init__(self, exercise, pid, fd, budget):
        self.exercise = exercise
        self.pid = pid
        self.fd = fd
        self.started = time.monotonic()
        self.deadline = self.started + budget + WORKER_SLACK
        self.data = bytearray()
        self.interrupted = False

    @classmethod
    def start(cls, run_one, exercise, budget, inherited=()):
        """Fork the worker. ``inherited``: the parent's selector and the other workers' pipes,
        which the worker closes (a pipe's end of file must mean that its own worker has ended)."""
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(read_end)
            for other in inherited:
                os.close(other if isinstance(other, int) else other.fileno())
            _work(run_one, exercise, write_end)  # never returns
        os.close(write_end)
        os.set_blocking(read_end, False)
        return cls(exercise, pid, read_end, budget)

    def read(self):
        """Take what is ready; True once the worker has closed its end (it has finished)."""
        try:
            chunk = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return False
        if chunk:
            self.data += chunk
            return False
        return True

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def finish(self):
        _, status = os.waitpid(self.pid, 0)
        try:
            kind, payload = pickle.loads(bytes(self.data))
        except Exception:
            raise WorkerError(f"grading {self.exercise.name} ended without its results "
                              f"(worker status {status})") from None
        if kind == "results":
            return payload
        if kind == "interrupted":
            if not self.interrupted:  # Ctrl-C reached the worker alone: the whole run stops
                raise KeyboardInterrupt
            return payload
        raise WorkerError(f"grading {self.exercise.name} failed in its worker:\n{payload}")

    def interrupt(self):
        self.interrupted = True
        try:
            os.kill(self.pid, signal.SIGINT)
        except ProcessLookupError:
            pass

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _work(run_one, exercise, fd):
    """The worker's whole life: grade one exercise, send the results, and leave without running
    anything of the parent's (no atexit handlers, no finally blocks up the stack)."""
    status = 0
    try:
        os.setpgid(0, 0)  # a terminal's Ctrl-C goes to the grader, which passes it on once
        try:
            with run_state.fresh():  # the worker's own (what it made, its temporary files, go with it)
                payload = ("results", run_one(exercise))
        except KeyboardInterrupt as stop:  # run.Interrupted carries what was graded
            payload = ("interrupted", getattr(stop, "results", {}))
        except BaseException:
            payload = ("error", traceback.format_exc())
        data = pickle.dumps(payload)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:
        status = 1
    finally:
        os._exit(status)
