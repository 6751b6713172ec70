"""Learner calls that run in the background, started before the checks that read them.

Some checks spend their time waiting: a server that goes silent until the learner's timeout,
a Retry-After of a second, backoffs, a copy of megabytes. Run one after the other, their waits
add up; so such a call starts early, each in a process of its own (against its own grader-side
peer, which the kata's function makes), while the quick checks run, and the check that judges
it only collects it. Grading a correct solution then costs about its longest wait. On POSIX
those processes are forks of one child that loaded the learner's module once (ForkedFunction,
grader/learner/process.py), each printing to a pipe of its own.

The policy, one for every exercise:

- ``start()`` (the fixture's setup, before the first check) plans the calls of the checks that
  were selected (``grader --check``), and starts the first at once, loading the learner's file
  while the first check's own child loads; the others start once it has loaded (or its load
  failed: then each runs when its check takes it), so at most two children load together.
- ``take(check)`` waits for one call, within a bound, stops its child and returns what the
  kata's function returned; a load failure or ``NotStarted`` is raised there, in that check.
  Nothing of a call outlives the check that takes it.
- ``close()`` (the fixture's teardown) stops the calls no check took (the exercise stopped
  early): it does not wait for their outcome.
- With ``--verbose`` every check shows the grader's traffic while it ran, all threads' alike, so
  a call running beside other checks would show up in theirs: then nothing starts early, and
  each call runs in the check that takes it, at the cost of its wait.
"""

import threading
import time
from dataclasses import dataclass

import pytest

from grader.engine.plugin import recording_transcripts
from grader.learner.process import LOAD_TIMEOUT

STOP_BOUND = 6.0  # seconds a LearnerFunction may take to stop (SIGTERM, grace, SIGKILL, reap)
FIRST_LOAD_BOUND = LOAD_TIMEOUT + 1.0  # how long the other calls wait for the first child to load


class BackgroundCall:
    """One call to make in the background: ``run(learner, *args, limit=limit, **kwargs)``, where
    ``learner`` is a function of its own (ForkedFunction or LearnerFunction), loaded; ``limit``
    is the grader's bound on the learner's call (seconds), which also bounds how long ``take``
    waits."""

    def __init__(self, run, *args, limit, **kwargs):
        self.run = run
        self.args = args
        self.limit = limit
        self.kwargs = kwargs


@dataclass
class _Running:
    """A planned call on its way: its child, its thread and what came of it."""

    name: str
    planned: BackgroundCall
    function: object  # a ForkedFunction (POSIX) or LearnerFunction of its own
    thread: threading.Thread | None = None
    result: object = None
    error: BaseException | None = None
    deferred: bool = False  # the first call's load failed: this one runs when taken
    cancelled: bool = False  # close() stops it: it is not started, or no longer waited for


class BackgroundCalls:
    """The background calls of one exercise's checks (see the module's docstring).

    ``planned`` maps the name of the check function that reads a call to its BackgroundCall, in
    the order they start (the longest wait first); a check that reads a second call names it
    ``<check>/<what>`` and takes it by that name; ``exercise`` is the plugin's ExerciseRun;
    ``request`` the module fixture's request (which checks were selected; ``--verbose``)."""

    def __init__(self, exercise, planned, request):
        self.exercise = exercise
        self.overlap = not recording_transcripts(request)
        selected = {getattr(item, "originalname", item.name) for item in request.session.items
                    if getattr(item, "module", None) is request.module}
        self.planned = {name: call for name, call in planned.items() if name.partition("/")[0] in selected}
        self.calls = {}
        self._first_loaded = threading.Event()
        self._first_failed = False

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        if not self.overlap:
            return
        for number, name in enumerate(self.planned):
            self._launch(name, first=number == 0)

    def _launch(self, name, first):
        call = _Running(name, self.planned[name], self.exercise.new_function())
        call.thread = threading.Thread(target=self._run, args=(call, first), daemon=True,
                                       name=f"background-{self.exercise.exercise.name}-{name}")
        self.calls[name] = call
        call.thread.start()

    def _run(self, call, first):
        try:
            if not first:
                self._first_loaded.wait(FIRST_LOAD_BOUND)
                if self._first_failed:
                    call.deferred = True
                    return
            if call.cancelled:
                return
            call.function.start()
        except BaseException as exc:  # a load Failure: the check that takes it raises it
            call.error = exc
            self._first_failed = self._first_failed or first
            return
        finally:
            if first:
                self._first_loaded.set()
        if call.cancelled:
            return
        planned = call.planned
        try:
            call.result = planned.run(call.function, *planned.args, limit=planned.limit, **planned.kwargs)
        except BaseException as exc:  # NotStarted, a Failure: the check that takes it raises it
            call.error = exc

    def take(self, check):
        """What the call read by ``check`` (its function, or its name) came to; raises what it raised."""
        name = getattr(check, "__name__", check)
        call = self.calls.get(name)
        if call is None or call.deferred:
            self._launch(name, first=True)
        call = self.calls.pop(name)
        try:
            call.thread.join(FIRST_LOAD_BOUND + LOAD_TIMEOUT + call.planned.limit + STOP_BOUND)
            if call.thread.is_alive():
                raise RuntimeError(f"the background call of {name} did not end within its bound")
        finally:
            call.function.close()
        if call.deferred:  # its thread ended as this check took it (the first load had failed)
            return self.take(name)
        if call.error is not None:
            raise call.error
        return call.result

    def close(self):
        """Stop the calls no check took: their outcome does not matter, so their children are
        stopped at once rather than waited for (again and again, until the thread has ended: a
        child may be loading while it is first stopped)."""
        for call in self.calls.values():
            call.cancelled = True
        self._first_loaded.set()  # the calls still waiting for the first to load stop waiting
        for name in list(self.calls):
            call = self.calls.pop(name)
            deadline = time.monotonic() + FIRST_LOAD_BOUND + STOP_BOUND
            while call.thread.is_alive() and time.monotonic() < deadline:
                call.function.close()  # a call in progress returns at once: its child is gone
                call.thread.join(0.05)
            call.function.close()


def background_calls(planned, name="waiting_calls"):
    """A module-scoped fixture ``name`` giving the BackgroundCalls of ``planned``: a check that
    takes one asks for the fixture; the first check asks for it too, so that the calls start
    with it."""

    @pytest.fixture(scope="module", name=name)
    def fixture(exercise, request):
        with BackgroundCalls(exercise, planned, request) as calls:
            yield calls

    return fixture
