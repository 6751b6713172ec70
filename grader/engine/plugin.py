"""The pytest plugin that runs the checks against learner code and turns outcomes into results.

It provides the fixtures checks ask for (``server`` for a server exercise: a fresh server for
every check; ``learner`` for a function exercise: one loaded module, replaced after a call
overran or crashed it), and reads each check's setup, call and teardown reports into one
``CheckResult``. Check dependencies work as in check50: when the learner's code cannot be
loaded or the server does not start, the check that found out fails with the reason, and every
later check of that exercise is skipped at once with that one reason.
"""

import os
import time
from pathlib import Path

import pytest

from grader.failures import Failure, NotStarted
from grader.learner import limits
from grader.learner.process import ForkedCall, LearnerFunction, LearnerProcess, printed_by
from grader.learner.server import LearnerServer
from grader.peers import reproduce
from grader.peers.net import without_ports
from grader.results import ERROR, FAILED, NOT_STARTED, PASSED, SKIPPED, CheckResult, ExerciseResult, exercise_status
from grader.engine.catalog import selected_checks
from grader.engine.transcript import recording

PORT_ATTEMPTS = 3  # tries at a free port before "address in use" is the learner's problem
EXERCISE_BUDGET = 90.0  # seconds for all checks of one exercise; later checks are skipped after it
PRINTED_NOTE = 1 << 20  # bytes a server printed during a failed check from which its message says so

STOPPED_EARLY = ("skipped: grader watch stops at the first failure, so that you hear back sooner "
                 "(grader {} runs every check)")

INTERNAL_ERROR_HINT = ("This is a bug in the grader, not in your code. Please report it with the "
                       "message above.")


class ExerciseRun:
    """The state of one exercise while its checks run."""

    def __init__(self, exercise, tree):
        self.exercise = exercise
        self.path = exercise.file_in(tree)
        reproduce.grading(exercise.name, self.path)  # the file its "Try it" commands run
        self.blocked = None  # why the remaining checks are skipped, once something vital failed
        self.not_started = False
        self.deadline = None
        self.server = None
        self._loaded = None  # the learner's module loaded in a child, forked for each server
        self.function = None
        self.checks = []
        self.started = None
        self.finished = None  # when its last check ended
        self.deaths = {}  # check node id -> how the server ended during or just after it
        self.printed = {}  # check node id -> how much the server printed during it (PRINTED_NOTE and up)
        self.printed_before = printed_by(exercise.name)  # by earlier gradings in this process (grader watch)

    def fresh_server(self):
        """A newly started server for one check.

        Every check gets its own server, so what one check did to it (an idle connection, a
        crash as a client left) cannot change another check's result, whatever the timing.
        On POSIX each server is a fork of one child that imported the learner's module once,
        so a fresh server costs the time of serve() reaching listen(), not of starting Python.
        """
        self.stop_server()
        for attempt in range(1, PORT_ATTEMPTS + 1):
            self.server = LearnerServer(self._runner())
            try:
                return self.server.start()
            except Failure as failure:
                # The free port the grader chose was taken before serve() could bind it (another
                # grader on the machine, in a batch): the grader's race, not the learner's bug.
                if not getattr(failure, "port_taken", False) or attempt == PORT_ATTEMPTS:
                    raise

    def _runner(self):
        if os.name != "posix":
            process = LearnerProcess(self.path, self.exercise.function, self.exercise.name)
            process.start()
            return process
        if self._loaded is None or not self._loaded.alive():
            self._loaded = LearnerProcess(self.path, self.exercise.function, self.exercise.name)
            self._loaded.start()
        return ForkedCall(self._loaded)

    def stop_server(self):
        if self.server is not None:
            self.server.stop()
            self.server = None

    def loaded_function(self):
        if self.function is None:
            self.function = LearnerFunction(self.path, self.exercise.function, self.exercise.name)
        return self.function

    def close(self):
        self.stop_server()
        if self._loaded is not None:
            self._loaded.stop()
            self._loaded = None
        if self.function is not None:
            self.function.close()


def _needs(item):
    marker = item.get_closest_marker("check")
    return marker.kwargs.get("needs", ()) if marker else ()


def _first_per_module(items):
    seen = {}
    for item in items:
        seen.setdefault(str(item.fspath), item)
    return list(seen.values())


def _sentence(item):
    marker = item.get_closest_marker("check")
    return marker.kwargs["sentence"] if marker else item.name


class GradingPlugin:
    def __init__(self, tree, exercises, budget=EXERCISE_BUDGET, focus=None, verbose=False, stop_early=False):
        self.budget = budget
        self.focus = focus
        self.verbose = verbose  # record each check's wire transcript (grader/engine/transcript.py)
        self.stop_early = stop_early  # skip an exercise's checks after its first failure (grader watch)
        self.runs = {exercise.name: ExerciseRun(exercise, tree) for exercise in exercises}
        self._phases = {}
        self._transcripts = {}

    def pytest_collection_modifyitems(self, session, config, items):
        """With a focus, run only the checks it selects and the checks those depend on."""
        if not self.focus:
            return
        names = [_sentence(item) for item in items]
        keep = set(selected_checks(names, self.focus, {_sentence(i): _needs(i) for i in items},
                                   first_of={_sentence(i) for i in _first_per_module(items)}))
        config.hook.pytest_deselected(items=[i for i in items if _sentence(i) not in keep])
        items[:] = [i for i in items if _sentence(i) in keep]

    def results(self):
        """An ExerciseResult for every exercise that ran."""
        out = {}
        for name, run in self.runs.items():
            if run.started is None:
                continue
            status = NOT_STARTED if run.not_started else exercise_status(run.checks)
            if run.not_started:
                for check in run.checks:
                    check.status, check.message = SKIPPED, "not started"
            out[name] = ExerciseResult(name, status, run.checks, str(run.path),
                                       (run.finished or time.monotonic()) - run.started,
                                       printed=printed_by(name) - run.printed_before)
        return out

    def _run_of(self, item):
        return self.runs[Path(str(item.fspath)).parent.name]

    # -- fixtures ---------------------------------------------------------------------------

    @pytest.fixture(scope="module")
    def exercise(self, request):
        run = self.runs[Path(str(request.fspath)).parent.name]
        yield run
        run.close()

    @pytest.fixture
    def server(self, exercise, request):
        """The learner's server, freshly started for this check and stopped after it.

        A server found dead after a check does not fail that check by itself: whether a server
        that exits as its last client leaves is seen before or after the check ends is a
        matter of microseconds, and a grade must not be. If the check failed, the way the
        server ended is added to its message.
        """
        server = self._start(exercise, request, exercise.fresh_server)
        yield server
        if not server.alive():
            exercise.deaths[request.node.nodeid] = server.died_message("during this check").render()
        elif note := server.limit_note():  # a thread of the server died of a limit; the server runs on
            exercise.deaths[request.node.nodeid] = note
        elif (printed := server.printed()) >= PRINTED_NOTE:  # (a death's message says it itself)
            exercise.printed[request.node.nodeid] = (
                f"Your server printed {printed:,} bytes while this check ran. Printing is allowed, "
                "but a line per chunk received makes a server slow.")
        exercise.stop_server()

    @pytest.fixture
    def learner(self, exercise, request):
        """The learner's function, loaded in a child process: ``learner.call(*args, limit=s, **kwargs)``."""
        function = exercise.loaded_function()
        self._start(exercise, request, function.start)
        return function

    def _start(self, run, request, start):
        if run.blocked:
            pytest.skip(run.blocked)
        try:
            return start()
        except NotStarted:
            run.not_started = True
            run.blocked = "not started"
            raise
        except Failure:
            run.blocked = f"skipped because \u201c{_sentence(request.node)}\u201d failed"
            raise

    # -- hooks ------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        run = self._run_of(item)
        now = time.monotonic()
        if run.started is None:
            run.started = now
            run.deadline = now + self.budget
        if run.blocked:
            pytest.skip(run.blocked)
        earlier = {check.name: check for check in run.checks}
        for needs in _needs(item):
            if needs not in earlier:
                raise ValueError(f"check {_sentence(item)!r} needs {needs!r}, which is not an earlier check")
            if earlier[needs].status == SKIPPED:  # say the first cause, not the chain
                pytest.skip(earlier[needs].message)
            if earlier[needs].status != PASSED:
                pytest.skip(f"skipped because \u201c{needs}\u201d did not pass")
        if now > run.deadline:
            pytest.skip(f"skipped: this exercise's checks used up their {self.budget:g} s")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        """With --verbose, record what the check's body sent and received (not the server's start)."""
        if not self.verbose:
            yield
            return
        with recording() as transcript:
            yield
        self._transcripts[item.nodeid] = transcript.lines()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        yield
        phases = self._phases.setdefault(item.nodeid, [])
        marker = item.get_closest_marker("check")
        hint = marker.kwargs.get("hint") if marker else None
        if call.when == "call" and isinstance(call.excinfo and call.excinfo.value, Failure) and \
                (limit := _limit_hit(item)) is not None:
            # The server hit a limit during the check: that explains the failure, and the teardown
            # adds how the server ended (with the limit's hint when the grader stopped all of it); the
            # check's hint, or "your server closed the connection", would blame the wrong thing.
            hint = None if limit == "stopped" else limits.HINTS[limit]
            call.excinfo.value.hint = hint
        phases.append(_verdict(call, hint))
        if call.excinfo is not None and isinstance(call.excinfo.value, NotStarted):
            run = self._run_of(item)  # raised from a call inside a check, not only at start
            run.not_started, run.blocked = True, "not started"
        if call.when == "teardown":
            self._finish(item, self._phases.pop(item.nodeid))

    def _finish(self, item, phases):
        marker = item.get_closest_marker("check")
        points = float(marker.kwargs["points"]) if marker else 0.0
        hint = marker.kwargs.get("hint") if marker else None
        failed = [p for p in phases if p[0] in (FAILED, ERROR)]
        status, message, _ = (failed or [p for p in phases if p[0] == SKIPPED] or [(PASSED, "", 0)])[0]
        if len(failed) > 1:
            message = "\n".join(p[1] for p in failed)
        run = self._run_of(item)
        run.finished = time.monotonic()
        death = run.deaths.get(item.nodeid)
        if status == FAILED and death and death.splitlines()[0] not in message:
            message += "\n" + death
        if status == FAILED and item.nodeid in run.printed:
            message += "\n" + run.printed[item.nodeid]
        message = without_ports(message)
        duration = sum(p[2] for p in phases)
        transcript = self._transcripts.pop(item.nodeid, []) if self.verbose else None
        run.checks.append(CheckResult(_sentence(item), status, points, message, hint, duration, transcript))
        if self.stop_early and status in (FAILED, ERROR) and not run.blocked:
            run.blocked = STOPPED_EARLY.format(run.exercise.name)


def _limit_hit(item):
    """"stopped" when the grader (or the kernel) stopped this check's server for a limit, the limit's
    name when only a thread of it died of one, else None."""
    server = getattr(item, "funcargs", {}).get("server")
    if not isinstance(server, LearnerServer):
        return None
    if server.stopped_for() is not None:
        return "stopped"
    return server.process.limit_hit()


def _verdict(call, hint):
    """(status, message, duration) for one phase of a check; ``hint`` is the check's own."""
    duration = call.duration
    if call.excinfo is None:
        return (PASSED, "", duration)
    exc = call.excinfo.value
    if isinstance(exc, BaseExceptionGroup):  # Hypothesis: a failure that did not always happen
        failures = [e for e in exc.exceptions if isinstance(e, Failure)]
        if failures:
            exc = failures[0]
            exc.note = (exc.note + "\n" if exc.note else "") + \
                "This failure did not happen every time the same input was tried."
    if isinstance(exc, NotStarted):
        return (SKIPPED, "not started", duration)
    if isinstance(exc, pytest.skip.Exception):
        return (SKIPPED, str(exc.msg), duration)
    if isinstance(exc, Failure):
        exc.hint = exc.hint or hint
        return (FAILED, _with_hypothesis_note(exc), duration)
    if isinstance(exc, pytest.fail.Exception) and str(exc.msg).startswith("Timeout"):
        return (FAILED, "This check did not finish within its time limit "
                        f"({str(exc.msg).split()[1].lstrip('>')}), so it was stopped.", duration)
    text = f"{type(exc).__name__}: {exc}"
    return (ERROR, f"The grader failed while running this check: {text}\n{INTERNAL_ERROR_HINT}", duration)


def _with_hypothesis_note(failure):
    notes = getattr(failure, "__notes__", [])
    message = failure.render()
    if any(note.startswith(("Falsifying example", "Failing test case")) for note in notes):
        message += "\n(Hypothesis tried many inputs; this is the smallest failing one it found.)"
    return message
