"""Grade an implementation tree: read the files, run the checks, return one Report.

Files that are missing, untouched stubs or not valid Python are settled here by reading them,
without starting pytest or any process: a learner who has not begun gets an answer at once.
The rest run as pytest checks in this process, pinned to the grader's own configuration so
that nothing in the learner's environment (an ini file, a conftest.py, PYTEST_ADDOPTS, a
plugin that reorders or reruns tests) changes a grade.

Ctrl-C at any moment of grading raises ``Interrupted``, a KeyboardInterrupt that carries the
partial Report, once every learner process is stopped: the command line writes it (and exits
130); ``watch`` and ``list`` simply stop, remembering nothing.
"""

import contextlib
import os
import sys
import time
from pathlib import Path

from grader.engine import interrupt
from grader.engine.catalog import KATAS_DIR, checks_in, module_of, selected_checks
from grader.learner.source import inspect_file, one_file_note
from grader.peers import run_state
from grader.quoting import inline, printable
from grader.track import BY_NAME
from grader.results import (FAILED, INTERRUPTED, MISSING, NOT_STARTED, SKIPPED, CheckResult, ExerciseResult,
                            FailureDetails, Report)


class GraderError(Exception):
    """The grader itself could not finish (never the learner's fault)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped grading, and every learner process has been stopped.

    A KeyboardInterrupt, so that whatever does not want a partial result (``watch``, ``list``,
    the memo) stops as on any Ctrl-C. ``report``: what was graded until then, every exercise
    asked for, with the checks that did not run skipped (``INTERRUPTED``). On its way out of
    ``run_checks`` it carries ``results`` instead: the exercises whose checks had begun.
    """

    def __init__(self, report=None, results=None):
        super().__init__()
        self.report = report
        self.results = results or {}


def grade(tree, exercises, focus=None, verbose=False, stop_early=False):
    """Grade ``exercises`` of ``tree``; ``focus`` keeps only the checks whose sentence contains it
    (and the checks they depend on); ``verbose`` records every check's wire transcript;
    ``stop_early`` skips an exercise's remaining checks after its first failure.
    Ctrl-C raises ``Interrupted`` with the partial report.

    Each call is one run with a state of its own (the ports it chose, the learner programs it
    started: grader/peers/run_state.py), so grading again in one process (``grader watch``)
    carries nothing over."""
    with run_state.fresh():
        return _grade(tree, exercises, focus, verbose, stop_early)


def _grade(tree, exercises, focus, verbose, stop_early):
    started = time.monotonic()
    tree = Path(tree)
    results = {}
    try:
        to_run = []
        for exercise in exercises:
            settled = settle_without_running(exercise, tree, focus)
            if settled is None:
                to_run.append(exercise)
            else:
                if verbose:
                    for check in settled.checks:
                        check.transcript = []
                results[exercise.name] = settled
        if to_run:
            results.update(run_exercises(tree, to_run, focus, verbose, stop_early))
    except KeyboardInterrupt as stop:
        interrupt.note_interrupted()  # from here on, Ctrl-C waits for the cleanup
        interrupt.stop_learners()
        results.update(getattr(stop, "results", {}))
        raise Interrupted(interrupted_report(tree, exercises, results, focus, verbose,
                                             time.monotonic() - started)) from None
    for exercise in exercises:
        if note := one_file_note(exercise.file_in(tree)):
            results[exercise.name].notes = (note, *results[exercise.name].notes)
    return Report([results[e.name] for e in exercises], str(tree), time.monotonic() - started)


def interrupted_report(tree, exercises, results, focus=None, verbose=False, duration=0.0):
    """The Report of a grading that Ctrl-C stopped: ``results`` as far as they got, and for every
    check that did not run (an exercise not reached: all of its checks) a skipped check that says
    why, so that the report still lists every check with its points."""
    tree = Path(tree)
    return Report([_with_checks_not_run(results.get(e.name), e, tree, focus, verbose) for e in exercises],
                  str(tree), duration, interrupted=True)


def _with_checks_not_run(result, exercise, tree, focus, verbose):
    """``result`` (None: its checks never began) with its missing checks added as skipped.

    An exercise that lost checks to the interrupt is "failed": the contract has no other status
    for "not passed", and "passed" would claim checks that never ran. Its ``interrupted`` flag
    and the checks' message say why. One found not started keeps that status: the checks it
    lost would have been skipped as "not started" anyway."""
    if result is None:
        result = ExerciseResult(exercise.name, FAILED, [], str(exercise.file_in(tree)))
    ran = {check.id or check.name: check for check in result.checks}  # (a result made by hand may lack ids)
    not_started = result.status == NOT_STARTED
    checks = []
    for info in focused_checks(exercise, focus):
        check = ran.pop(info.id, None) or ran.pop(info.name, None)
        if check is None:
            check = CheckResult(info.name, SKIPPED, info.points, "not started" if not_started else INTERRUPTED,
                                hint=info.hint, transcript=[] if verbose else None, id=info.id)
        checks.append(check)
    checks += ran.values()  # (none: the catalog lists every check a run can have)
    lost = any(check.message == INTERRUPTED for check in checks) and not not_started
    status = FAILED if lost else result.status
    return ExerciseResult(result.name, status, checks, result.file, result.duration, interrupted=lost,
                          printed=result.printed, notes=result.notes)


def focused_checks(exercise, focus):
    """The catalog's checks of an exercise (an Exercise, or its name) that a focus keeps (all of
    them without one)."""
    infos = checks_in(module_of(BY_NAME[exercise] if isinstance(exercise, str) else exercise))
    if not focus or not infos:
        return list(infos)
    kept = set(selected_checks(infos, focus, keep_first=True))
    return [i for i in infos if i.id in kept]


def settle_without_running(exercise, tree, focus=None):
    """An ExerciseResult decided by reading the learner's file alone, or None if checks must run."""
    path = exercise.file_in(tree)
    state = inspect_file(path, exercise.function)
    if not checks_in(module_of(exercise)):  # an exercise still being written: nothing to grade yet
        return ExerciseResult(exercise.name, MISSING if state.kind == "missing" else NOT_STARTED, [], str(path))
    if state.kind == "ready":
        return None
    checks = [CheckResult(info.name, SKIPPED, info.points, hint=info.hint, id=info.id)
              for info in focused_checks(exercise, focus)]
    if state.kind == "missing":
        for check in checks:
            check.message = f"missing: there is no {exercise.name}/{exercise.filename} in {tree}"
        return ExerciseResult(exercise.name, MISSING, checks, str(path))
    if state.kind == "untouched":
        for check in checks:
            check.message = "not started"
        return ExerciseResult(exercise.name, NOT_STARTED, checks, str(path))
    first, rest = checks[0], checks[1:]
    first.status = FAILED
    first.message = state.detail + "\nHint:     " + READ_FIRST
    summary, _, excerpt = state.detail.partition("\n")
    first.failure = FailureDetails(inline(summary), note=printable(excerpt) or None, hint=READ_FIRST, line=state.line)
    for check in rest:
        check.message = f"skipped because \u201c{first.name}\u201d failed"
    return ExerciseResult(exercise.name, FAILED, checks, str(path))


READ_FIRST = "Fix this first: no check can run until Python can read your file."


def hypothesis_home():
    """Hypothesis's working folder: the user's cache, never the learner's tree."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "netkata", "hypothesis")


SHRINK_SECONDS = 10  # Hypothesis's own bound is 300 s; a learner should not wait for a smaller example


def _uses_hypothesis(module):
    """Whether a check module's kata (its folder) uses Hypothesis: importing it costs a tenth of
    a second, which a kata without property checks need not pay."""
    return "hypothesis" in sys.modules or any(
        "hypothesis" in path.read_text(encoding="utf-8", errors="replace") for path in module.parent.glob("*.py"))


def configure_hypothesis():
    from hypothesis import HealthCheck, settings
    from hypothesis.configuration import set_hypothesis_home_dir
    from hypothesis.internal.conjecture import engine

    # Documented in Hypothesis's source as monkeypatchable. When every failing example costs a
    # timeout, shrinking is slow; past this bound the smallest example found so far is shown.
    # (The verdict never depends on it: only how small the example in the message is.)
    engine.MAX_SHRINKING_SECONDS = SHRINK_SECONDS
    _without_local_constants()

    set_hypothesis_home_dir(hypothesis_home())
    settings.register_profile(
        "netkata",
        derandomize=True,  # the same submission always meets the same inputs
        database=None,  # nothing is written into the learner's tree, nothing replays from it
        deadline=None,  # network round trips vary; checks have their own deadlines
        max_examples=20,
        print_blob=False,
        report_multiple_bugs=False,  # one failure, the smallest, is what a learner can act on
        suppress_health_check=list(HealthCheck),
    )
    settings.load_profile("netkata")


def _prepare_hypothesis_for_forks():
    """Make Hypothesis's own Random before forking: making it runs a full garbage collection
    (hypothesis.internal.entropy.register_random), which each worker would otherwise repeat."""
    try:
        from hypothesis.internal.entropy import deterministic_PRNG
    except ImportError:  # (an internal name: without it, each worker makes its own)
        return
    with deterministic_PRNG():
        pass


def _without_local_constants():
    """Keep Hypothesis's inputs independent of which modules happen to be loaded.

    Since 6.131 Hypothesis mixes string and number literals of the loaded "local" modules into
    its draws, derandomized or not: grading one exercise or all five (other check modules
    loaded), or an editable install against a site-packages one, would meet different inputs,
    and a submission could get a different grade. There is no public switch; its private
    source of local constants is given a fixed empty set. Guarded, so that a Hypothesis
    without it is simply left alone.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:
        return
    if hasattr(providers, "_get_local_constants") and hasattr(providers, "Constants"):
        empty = providers.Constants()
        providers._get_local_constants = lambda: empty


@contextlib.contextmanager
def _pytest_environment():
    """Hide the learner's pytest settings for the duration of a grading run."""
    saved = {name: os.environ.pop(name, None) for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    saved["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _StopOnInterrupt:
    """Stops every learner process as soon as pytest has caught a Ctrl-C, before it tears the
    checks' fixtures down: a fixture that waits for a learner call in progress (multi_message_client,
    paginator) then finds it ended at once, instead of waiting out the call's time bound."""

    def pytest_keyboard_interrupt(self, excinfo):
        interrupt.note_interrupted()
        interrupt.stop_learners()


def run_exercises(tree, exercises, focus=None, verbose=False, stop_early=False):
    """The checks of ``exercises``: in this process for one, side by side in workers for more
    (grader/engine/parallel.py), where the system can fork."""
    if len(exercises) == 1 or not hasattr(os, "fork"):
        return run_checks(tree, exercises, focus, verbose, stop_early)
    import gc
    import importlib

    import pytest  # noqa: F401  (imported once here, not once per worker)

    from grader.engine import parallel
    from grader.engine.plugin import EXERCISE_BUDGET
    from grader.learner import process  # noqa: F401  (its run-wide marker is this process's)

    configure_hypothesis()
    for exercise in exercises:
        if module_of(exercise).parent.parent == KATAS_DIR:  # (a kata elsewhere, as in the engine's
            importlib.import_module(f"grader.katas.{exercise.name}.checks")  # tests: its worker imports it)
    _prepare_hypothesis_for_forks()
    gc.freeze()  # what the workers inherit is never traced by their collector: no copy-on-write of it
    return parallel.run_in_workers(lambda exercise: run_checks(tree, [exercise], focus, verbose, stop_early),
                                   exercises, EXERCISE_BUDGET)


def run_checks(tree, exercises, focus=None, verbose=False, stop_early=False):
    import pytest

    from grader.learner.process import stop_all
    from grader.engine.plugin import GradingPlugin

    modules = [module_of(e) for e in exercises]
    if any(_uses_hypothesis(module) for module in modules):
        configure_hypothesis()
    plugin = GradingPlugin(tree, exercises, focus=focus, verbose=verbose, stop_early=stop_early)
    args = [
        "-s", "--assert=plain", "--rootdir", str(KATAS_DIR.parent.parent),
        "-c", str(Path(__file__).with_name("pytest.ini")), "--confcutdir", str(modules[0].parent.parent),
        "-p", "pytest_timeout", "-p", "no:cacheprovider", "-p", "no:terminal",
        "-p", "no:logging", "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:doctest",
        "-p", "no:stepwise", "-p", "no:faulthandler", "-p", "no:debugging", "-p", "no:unittest",
        "-p", "no:setuponly", "-p", "no:setupplan", "-p", "no:subtests", "-p", "no:warnings", "-p", "no:unraisableexception",
    ] + [str(module) for module in modules]
    code = None
    try:
        with _pytest_environment():
            code = pytest.main(args, plugins=[plugin, _StopOnInterrupt()])
    except KeyboardInterrupt:  # outside a check; pytest turns one during a check into INTERRUPTED
        code = pytest.ExitCode.INTERRUPTED
    except Exception:
        if not interrupt.requested():
            raise
        code = pytest.ExitCode.INTERRUPTED  # a fixture's teardown failed after the Ctrl-C
    finally:
        interrupted = code == pytest.ExitCode.INTERRUPTED or interrupt.requested()
        if interrupted:
            interrupt.stop_learners()
        else:
            with interrupt.protected():
                stop_all()
    results = plugin.results()
    if interrupted or interrupt.requested():  # (a Ctrl-C during stop_all was held until its end)
        raise Interrupted(results=results)
    # (NO_TESTS_COLLECTED: a focus that keeps none of this exercise's checks)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED) \
            or len(results) != len(exercises):
        raise GraderError(f"the checks could not run (pytest exit status {int(code)})")
    return results
