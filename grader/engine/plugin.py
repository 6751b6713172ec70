"""The pytest plugin that runs the checks against learner code and turns outcomes into results.

It provides the fixtures checks ask for (``server`` for a server exercise: a fresh server for
every check; ``learner`` for a function exercise: one loaded module, replaced after a call
overran or crashed it), and reads each check's setup, call and teardown reports into one
``CheckResult``. Check dependencies work as in check50: when the learner's code cannot be
loaded or the server does not start, the check that found out fails with the reason, and every
later check of that exercise is skipped at once with that one reason.
"""

import dataclasses
import os
import re
import threading
import time
from pathlib import Path

import pytest

from grader.engine.catalog import selected_checks
from grader.engine.check import check_infos
from grader.engine.transcript import recording
from grader.engine.verdict import INTERNAL_ERROR_HINT, combined, verdict
from grader.failures import WHILE_THIS_CHECK_RAN, Failure, NotStarted, output_heading
from grader.quoting import printable, quote
from grader.learner import limits
from grader.learner import attempts
from grader.learner.process import ForkedCall, ForkedFunction, LearnerFunction, LearnerProcess, printed_by
from grader.learner.server import LearnerServer
from grader.peers import reproduce
from grader.peers.net import without_ports
from grader.results import ERROR, FAILED, NOT_STARTED, PASSED, SKIPPED, CheckResult, ExerciseResult, exercise_status

PORT_ATTEMPTS = 3  # tries at a free port before "address in use" is the learner's problem
EXERCISE_BUDGET = 90.0  # seconds for all checks of one exercise; later checks are skipped after it
PRINTED_NOTE = 1 << 20  # bytes a server printed during a failed check from which its message says so

STOPPED_EARLY = ("skipped: grader watch stops at the first failure, so that you hear back sooner "
                 "(grader {} runs every check)")

__all__ = ["INTERNAL_ERROR_HINT", "ExerciseRun", "GradingPlugin", "recording_transcripts"]


class ExerciseRun:
    """The state of one exercise while its checks run."""

    def __init__(self, exercise, tree):
        self.exercise = exercise
        self.path = exercise.file_in(tree)
        reproduce.grading(exercise.name, self.path)  # the file its "Try it" commands run
        self.blocked = None  # why the remaining checks are skipped, once something vital failed
        self.not_started = False
        self.not_started_line = None  # the line that raised NotImplementedError, when known
        self.deadline = None
        self.server = None
        self._loaded = None  # the learner's module loaded in a child, forked for each server or call beside the checks
        self._loaded_lock = threading.Lock()
        self.function = None
        self.checks = []
        self.started = None
        self.finished = None  # when its last check ended
        self.deaths = {}  # check node id -> a Failure: how the server ended during or just after it
        self.printed = {}  # check node id -> how much the server printed during it (PRINTED_NOTE and up)
        self.death_first_seen = {}  # how a server ended (numbers left out) -> the first check it ended so in
        self.outputs = {}  # check node id -> the last lines the server printed during it (a running server's)
        self.shown_output = None  # the output last added to a failed check's message (said once, not under each)
        self.printed_before = printed_by(exercise.name)  # by earlier gradings in this process (grader watch)
        self.attempts_before = len(attempts.since(exercise.name))  # (the same)

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
        return ForkedCall(self._loaded_child())

    def _loaded_child(self):
        """The child that loaded the learner's module, forked for each server and for each call
        made beside the checks: loaded once (again if it ended); a load failure raises Failure
        in each caller. Its forks print to pipes of their own, so forks side by side never mix."""
        with self._loaded_lock:
            if self._loaded is None or not self._loaded.alive():
                if self._loaded is not None:
                    self._loaded.stop()
                self._loaded = LearnerProcess(self.path, self.exercise.function, self.exercise.name,
                                              fork_outputs=True)
                self._loaded.start()
            return self._loaded

    def stop_server(self):
        if self.server is not None:
            self.server.stop()
            self.server = None

    def loaded_function(self):
        """The LearnerFunction the checks call one after the other: one child for many calls."""
        if self.function is None:
            self.function = LearnerFunction(self.path, self.exercise.function, self.exercise.name)
        return self.function

    def new_function(self):
        """A function of its own (not yet loaded), for a call beside the others: its caller closes
        it (grader/engine/background.py). On POSIX a fork of one loaded child, the same for every
        such call; elsewhere a LearnerFunction with a child of its own."""
        if os.name != "posix":
            return LearnerFunction(self.path, self.exercise.function, self.exercise.name)
        return ForkedFunction(self._loaded_child)

    def close(self):
        self.stop_server()
        if self._loaded is not None:
            self._loaded.stop()
            self._loaded = None
        if self.function is not None:
            self.function.close()


def _exercise_name(item):
    return Path(str(item.fspath)).parent.name


def recording_transcripts(request):
    """Whether this run records every check's wire traffic (``--verbose``): calls that run beside
    other checks would then show up in those checks' transcripts, so they run in their own."""
    return any(isinstance(plugin, GradingPlugin) and plugin.verbose
               for plugin in request.config.pluginmanager.get_plugins())


class GradingPlugin:
    def __init__(self, tree, exercises, budget=EXERCISE_BUDGET, focus=None, verbose=False, stop_early=False):
        self.budget = budget
        self.focus = focus
        self.verbose = verbose  # record each check's wire transcript (grader/engine/transcript.py)
        self.stop_early = stop_early  # skip an exercise's checks after its first failure (grader watch)
        self.runs = {exercise.name: ExerciseRun(exercise, tree) for exercise in exercises}
        self._phases = {}
        self._transcripts = {}
        self._infos = {}  # node id -> CheckInfo

    def pytest_collection_modifyitems(self, session, config, items):
        """Know every check by id; with a focus, run only the checks it selects and the checks
        those depend on."""
        self._infos = check_infos(items)
        if not self.focus:
            return
        # Every exercise graded runs its first check too (as it always has): the learner hears
        # whether that one starts. (The command line refuses a focus that selects no check at
        # all; an exercise graded alone in a worker is focused as it would be beside the others.)
        keep = set()
        for exercise in dict.fromkeys(_exercise_name(i) for i in items):
            infos = [self._infos[i.nodeid] for i in items if _exercise_name(i) == exercise]
            keep.update(selected_checks(infos, self.focus, keep_first=True))
        config.hook.pytest_deselected(items=[i for i in items if self._infos[i.nodeid].id not in keep])
        items[:] = [i for i in items if self._infos[i.nodeid].id in keep]

    def info(self, item):
        return self._infos.get(item.nodeid) or check_infos([item])[item.nodeid]

    def results(self):
        """An ExerciseResult for every exercise that ran."""
        out = {}
        for name, run in self.runs.items():
            if run.started is None:
                continue
            status = NOT_STARTED if run.not_started else exercise_status(run.checks)
            if run.not_started:
                said = "not started"
                if run.not_started_line is not None:  # the learner wrote code, but the stub's raise is still there
                    said = (f"not started: your {run.exercise.function}() still raises NotImplementedError at "
                            f"line {run.not_started_line}: delete that line")
                for check in run.checks:
                    check.status, check.message = SKIPPED, said
            out[name] = ExerciseResult(name, status, run.checks, str(run.path),
                                       (run.finished or time.monotonic()) - run.started,
                                       printed=printed_by(name) - run.printed_before,
                                       notes=tuple(filter(None, [attempts.note(attempts.since(name, run.attempts_before))])))
        return out

    def _run_of(self, item):
        return self.runs[_exercise_name(item)]

    # -- fixtures ---------------------------------------------------------------------------

    @pytest.fixture(scope="module")
    @staticmethod
    def exercise(request):
        """The ExerciseRun of the check module (a static method: pytest deprecates module-scoped
        fixtures that are instance methods; the plugin is found through the config)."""
        plugin = next(p for p in request.config.pluginmanager.get_plugins() if isinstance(p, GradingPlugin))
        run = plugin.runs[Path(str(request.fspath)).parent.name]
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
            exercise.deaths[request.node.nodeid] = server.died_message("during this check")
        elif note := server.limit_note():  # a thread of the server died of a limit; the server runs on
            exercise.deaths[request.node.nodeid] = Failure(note)
        else:
            if (printed := server.printed()) >= PRINTED_NOTE:  # (a death's message says it itself)
                exercise.printed[request.node.nodeid] = (
                    f"Your server printed {printed:,} bytes while this check ran. Printing is allowed, "
                    "but a line per chunk received makes a server slow.")
            if output := server.last_output():  # its prints, a handler thread's traceback: shown if it failed
                exercise.outputs[request.node.nodeid] = output
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
        except NotStarted as exc:
            run.not_started, run.not_started_line = True, exc.line
            run.blocked = "not started"
            raise
        except Failure:
            run.blocked = f"skipped because \u201c{self.info(request.node).name}\u201d failed"
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
        earlier = {check.id: check for check in run.checks}
        info = self.info(item)
        for needs in info.needs_ids:
            if needs not in earlier:
                raise ValueError(f"check {info.id} needs {needs}, which is not an earlier check")
            if earlier[needs].status == SKIPPED:  # say the first cause, not the chain
                pytest.skip(earlier[needs].message)
            if earlier[needs].status != PASSED:
                pytest.skip(f"skipped because \u201c{earlier[needs].name}\u201d did not pass")
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
        hint = self.info(item).hint
        if call.when == "call" and isinstance(call.excinfo and call.excinfo.value, Failure) and \
                (limit := _limit_hit(item)) is not None:
            # The server hit a limit during the check: that explains the failure, and the teardown
            # adds how the server ended (with the limit's hint when the grader stopped all of it); the
            # check's hint, or "your server closed the connection", would blame the wrong thing.
            hint = None if limit == "stopped" else limits.HINTS[limit]
            call.excinfo.value.hint = hint
        phases.append(verdict(call, hint))
        if call.excinfo is not None and isinstance(call.excinfo.value, NotStarted):
            run = self._run_of(item)  # raised from a call inside a check, not only at start
            run.not_started, run.blocked = True, "not started"
            run.not_started_line = call.excinfo.value.line
        if call.when == "teardown":
            self._finish(item, self._phases.pop(item.nodeid))

    @staticmethod
    def _said_once(run, info, death):
        """How the server ended during a check, in full the first time; when a later check's
        server ends the same way (serve() returned, the same exception on the same line), one
        line pointing at the first, so one bug does not print the same block under every check."""
        if death is None:
            return None
        same = re.sub(r"\d+(\.\d+)?", "N", death.render().splitlines()[0])
        first = run.death_first_seen.setdefault(same, info.name)
        if first == info.name:
            return death
        return Failure(f"Your server ended the same way during this check as during \u201c{first}\u201d (see there).")

    def _finish(self, item, phases):
        info = self.info(item)
        run = self._run_of(item)
        run.finished = time.monotonic()
        status, message, failure = combined(phases, self._said_once(run, info, run.deaths.get(item.nodeid)))
        if status == FAILED and item.nodeid in run.printed:
            message += "\n" + run.printed[item.nodeid]
        output = run.outputs.pop(item.nodeid, None)
        if status == FAILED and output and not (failure and failure.output):
            if str(output) == run.shown_output:
                message += "\nYour server printed the same as in the check above while this one ran."
            else:  # what the learner's own prints and a dead handler thread said, next to what failed
                message += "\n" + "\n".join(quote(output_heading(output, WHILE_THIS_CHECK_RAN), output))
                run.shown_output = str(output)
                if failure is not None:
                    failure = dataclasses.replace(failure, output=printable(output))
        transcript = self._transcripts.pop(item.nodeid, []) if self.verbose else None
        run.checks.append(CheckResult(info.name, status, info.points, without_ports(message), info.hint,
                                      sum(p.duration for p in phases), transcript, id=info.id,
                                      failure=failure and failure.with_text(without_ports)))
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

