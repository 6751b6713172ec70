"""The engine graded in this process against tiny synthetic katas: a fake kata folder (its
``checks.py``) and a learner tree, written by pytester into a temporary folder.

Each test grades with ``grader.engine.run.grade`` as the command line does, but with checks
written for the test, so that one behaviour of the engine is seen alone and fast: dependencies
(``needs``), focus (``--check``), constants in ``@check``, ids, failing, erroring and skipped
checks, the structured failure, a server's readiness and output, per-run state and the
background calls. pytester keeps each grading's imports and working folder to its own test;
what every grading imports (the engine, Hypothesis, pytest-timeout) is imported with this
module, so that it is not imported again, and assertion-rewritten, in every test.
"""

import json
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import hypothesis  # noqa: F401  (imported here, before pytester's snapshot of sys.modules: see below)
import pytest
import pytest_timeout  # noqa: F401

import grader.authoring  # noqa: F401
from grader.engine import run
from grader.engine.catalog import CatalogError, checks_in, module_of
from grader.engine.plugin import INTERNAL_ERROR_HINT
from grader.peers import run_state
from grader.results import ERROR, FAILED, PASSED, SKIPPED
from grader.track import Exercise

pytest_plugins = ["pytester"]


@dataclass(frozen=True)
class Kata(Exercise):
    """An exercise whose checks live in a folder of the test's, not in grader/katas/."""

    katas: Path = Path()

    @property
    def home(self):
        return self.katas / self.name


def kata(pytester, checks, learner, *, function="solve", name="fake_kata"):
    """Write a kata (its checks) and a learner tree holding ``learner``; the Kata and the tree."""
    pytester.makepyfile(**{f"katas/{name}/checks": textwrap.dedent(checks),
                           f"tree/{name}/{name}": textwrap.dedent(learner)})
    return Kata(name, function, "A kata of the engine's tests.", katas=pytester.path / "katas"), pytester.path / "tree"


def grade(exercise, tree, **options):
    (result,) = run.grade(tree, [exercise], **options).exercises
    return result


def by_function(result):
    return {check.id.rpartition(".")[2]: check for check in result.checks}


ADDING = '''
    from grader.authoring import Failure, Prose, check

    POINTS = 2
    SENTENCE = "adds " + "two numbers"
    HINT = f"Return a + b, not {'a - b'!r}."

    @check(SENTENCE, points=POINTS, hint=HINT)
    def check_adds(learner):
        outcome = learner.call(1, 2, limit=5)
        if outcome.value != 3:
            raise Failure("solve(1, 2) did not return 3.", sent=Prose("solve(1, 2)"),
                          received=Prose(outcome.ending(5)), expected=3, output=outcome.output or None)

    @check("adds negative numbers", points=POINTS / 2, needs=check_adds)
    def check_negative(learner):
        assert learner.call(-1, -2, limit=5).value == -3

    @check("adds zero", points=1, needs="adds two numbers")
    def check_zero(learner):
        assert learner.call(0, 0, limit=5).value == 0

    @check("keeps the grader working", points=1)
    def check_grader_bug(learner):
        {}["missing"]

    @check("subtracts when asked", points=1, needs=(check_adds, check_zero))
    def check_subtracts(learner):
        assert learner.call(5, 3, limit=5).value in (2, 8)
'''


def test_constants_in_check_and_ids_reach_the_catalog_and_the_results(pytester):
    exercise, tree = kata(pytester, ADDING, "def solve(a, b):\n    return a + b\n")
    infos = checks_in(module_of(exercise))
    assert [(i.id, i.name, i.points) for i in infos[:2]] == [
        ("fake_kata.check_adds", "adds two numbers", 2.0), ("fake_kata.check_negative", "adds negative numbers", 1.0)]
    assert infos[0].hint == "Return a + b, not 'a - b'."
    assert infos[2].needs == ("adds two numbers",) and infos[2].needs_ids == ("fake_kata.check_adds",)
    assert infos[4].needs_ids == ("fake_kata.check_adds", "fake_kata.check_zero")
    result = grade(exercise, tree)
    checks = by_function(result)
    assert [c.id for c in result.checks] == [i.id for i in infos]
    assert [c.name for c in result.checks] == [i.name for i in infos]
    assert checks["check_adds"].status == PASSED and checks["check_adds"].max_score == 2.0
    data = checks["check_adds"].to_json()
    assert list(data)[:2] == ["id", "name"] and data["id"] == "fake_kata.check_adds" and "failure" not in data


def test_a_failing_check_keeps_its_fields_and_its_dependents_are_skipped(pytester):
    exercise, tree = kata(pytester, ADDING, "def solve(a, b):\n    print('adding', a, b)\n    return a - b\n")
    checks = by_function(grade(exercise, tree))
    adds = checks["check_adds"]
    assert adds.status == FAILED
    failure = adds.failure
    assert (failure.summary, failure.sent, failure.received, failure.expected) == (
        "solve(1, 2) did not return 3.", "solve(1, 2)", "returned -1", "3")
    assert failure.hint == "Return a + b, not 'a - b'." and failure.output == "adding 1 2"
    assert adds.message.splitlines()[0] == failure.summary and "  | adding 1 2" in adds.message
    assert json.loads(json.dumps(adds.to_json()))["failure"]["output"] == "adding 1 2"
    skipped = "skipped because \u201cadds two numbers\u201d did not pass"
    for name in ("check_negative", "check_zero", "check_subtracts"):  # by function, by sentence, by both
        assert (checks[name].status, checks[name].message, checks[name].failure) == (SKIPPED, skipped, None)


def test_a_grader_error_is_an_error_with_its_fields(pytester):
    exercise, tree = kata(pytester, ADDING, "def solve(a, b):\n    return a + b\n")
    bug = by_function(grade(exercise, tree))["check_grader_bug"]
    assert bug.status == ERROR
    assert bug.failure.summary == "The grader failed while running this check: KeyError: 'missing'"
    assert bug.failure.hint == INTERNAL_ERROR_HINT


def test_a_focus_runs_the_checks_it_names_and_what_they_need(pytester):
    exercise, tree = kata(pytester, ADDING, "def solve(a, b):\n    return a + b\n")
    result = grade(exercise, tree, focus="SUBTRACTS")
    assert [c.id for c in result.checks] == ["fake_kata.check_adds", "fake_kata.check_zero",
                                             "fake_kata.check_subtracts"]
    assert [i.id for i in run.focused_checks(exercise, "SUBTRACTS")] == [c.id for c in result.checks]
    assert {c.status for c in result.checks} == {PASSED}


def test_a_focus_on_one_exercise_still_runs_the_first_check_of_the_others(pytester):
    adding, tree = kata(pytester, ADDING, "def solve(a, b):\n    return a + b\n")
    other, _ = kata(pytester, '''
        from grader.authoring import check

        @check("starts", points=1)
        def check_starts(learner):
            pass

        @check("goes on", points=1)
        def check_goes_on(learner):
            pass
    ''', "def solve(a, b):\n    return a\n", name="other_kata")
    report = run.grade(tree, [adding, other], focus="zero")
    assert [[c.id for c in e.checks] for e in report.exercises] == [
        ["fake_kata.check_adds", "fake_kata.check_zero"], ["other_kata.check_starts"]]


def test_a_file_that_cannot_load_fails_the_first_check_at_its_line(pytester):
    exercise, tree = kata(pytester, ADDING, "x = 1\nraise ValueError('at import')\n\ndef solve(a, b):\n    pass\n")
    result = grade(exercise, tree)
    first, *rest = result.checks
    assert first.status == FAILED and first.failure.line == 2
    assert first.failure.summary == "Importing fake_kata.py, line 2 raised ValueError: at import"
    assert "raise ValueError('at import')" in first.failure.traceback
    assert {c.status for c in rest} == {SKIPPED}


def test_a_syntax_error_is_settled_by_reading_with_its_line(pytester):
    exercise, tree = kata(pytester, ADDING, "def solve(a, b):\n    return a +\n")
    first = grade(exercise, tree).checks[0]
    assert first.status == FAILED and first.id == "fake_kata.check_adds" and first.failure.line == 2
    assert first.failure.summary.startswith("Python cannot read fake_kata.py, line 2")


def test_what_the_catalog_cannot_read_is_said_with_its_line(pytester):
    exercise, _ = kata(pytester, '''
        from grader.authoring import check
        from elsewhere import HINT

        @check("a sentence", points=1, hint=HINT)
        def check_one(learner):
            pass
    ''', "def solve():\n    pass\n")
    with pytest.raises(CatalogError, match=r"checks.py, line 4: @check of check_one .* HINT is imported"):
        checks_in(module_of(exercise))


# -- a server kata: readiness, output, the line of a crash, the ports of a run --------------------

SERVING = '''
    from grader.authoring import Failure, check

    @check("starts", points=1)
    def check_starts(server):
        pass

    @check("says its port", points=1, needs=check_starts)
    def check_port(server):
        raise Failure(f"The server on port {server.port} was asked.")
'''


def test_a_server_is_graded_once_it_listens_however_late(pytester):
    exercise, tree = kata(pytester, SERVING, '''
        import socket, time

        def serve(host, port):
            time.sleep(0.3)
            with socket.create_server((host, port)) as listener:
                while True:
                    listener.accept()[0].close()
    ''', function="serve")
    checks = by_function(grade(exercise, tree))
    assert checks["check_starts"].status == PASSED
    message = checks["check_port"].message
    assert message == "The server on port PORT was asked." == checks["check_port"].failure.summary


def test_a_server_that_returns_is_told_so_with_what_it_printed(pytester):
    exercise, tree = kata(pytester, SERVING, '''
        def serve(host, port):
            print("starting on", port)
    ''', function="serve")
    starts = grade(exercise, tree).checks[0]
    assert starts.status == FAILED and "returned after" in starts.failure.summary
    assert starts.failure.output == "starting on PORT"


def test_a_server_that_crashes_is_pointed_at_its_line(pytester):
    exercise, tree = kata(pytester, SERVING, '''
        def serve(host, port):
            print("about to fail")
            raise OSError("no")
    ''', function="serve")
    starts = grade(exercise, tree).checks[0]
    assert starts.failure.line == 3 and starts.failure.output == "about to fail"
    assert starts.failure.traceback.endswith("OSError: no")


def test_every_run_forgets_its_ports_and_stops_its_programs(pytester, monkeypatch):
    exercise, tree = kata(pytester, SERVING, '''
        import socket

        def serve(host, port):
            with socket.create_server((host, port)) as listener:
                while True:
                    listener.accept()[0].close()
    ''', function="serve")
    before = run_state.current().ports
    seen = []
    original = run_state.RunState.chose_port

    def noting(state, port):
        seen.append((state, port))
        original(state, port)

    monkeypatch.setattr(run_state.RunState, "chose_port", noting)
    for _ in range(2):  # as grader watch grades again, in one process
        assert by_function(grade(exercise, tree))["check_port"].message == "The server on port PORT was asked."
    states = {state for state, _ in seen}
    assert len(states) == 2 and run_state.current() not in states
    assert run_state.current().ports == before
    assert all(state.running() == [] for state in states)


# -- background calls -------------------------------------------------------------------------------

WAITING = '''
    import time

    from grader.authoring import BackgroundCall, Failure, background_calls, check, recording_transcripts

    def call(learner, seconds, *, limit):
        return learner.call(seconds, limit=limit).value

    WAITING = {
        "check_first": BackgroundCall(call, 0.3, limit=5),
        "check_second": BackgroundCall(call, 0.31, limit=5),
        "check_never_taken": BackgroundCall(call, 30, limit=60),
    }
    waiting_calls = background_calls(WAITING)

    @check("loads", points=1)
    def check_loads(learner, waiting_calls, exercise, request):
        assert learner.call(0, limit=5).returned
        if not recording_transcripts(request):  # the calls began beside this check: wait until they have
            deadline = time.monotonic() + 20
            while not all((exercise.path.parent / f"began {s}").exists() for s in (0.3, 0.31, 30)):
                assert time.monotonic() < deadline
                time.sleep(0.01)

    @check("first", points=1)
    def check_first(waiting_calls):
        raise Failure(f"{time.time()} {waiting_calls.take(check_first)}")  # by function

    @check("second", points=1)
    def check_second(waiting_calls):
        raise Failure(f"{time.time()} {waiting_calls.take('check_second')}")  # by name

    @check("never taken", points=1, needs=check_first)
    def check_never_taken(waiting_calls):
        waiting_calls.take(check_never_taken)
'''

SLEEPER = '''
    import time

    def solve(seconds):
        started = time.time()
        if seconds:
            open(f"began {seconds}", "w").close()
        time.sleep(seconds)
        return started
'''


def _taken(check):
    """(when the check took the call, when the learner's call began), from the check's failure."""
    return tuple(float(x) for x in check.failure.summary.split())


def test_background_calls_start_before_their_checks_and_run_in_them_when_verbose(pytester):
    exercise, tree = kata(pytester, WAITING, SLEEPER)
    for verbose in (False, True):
        started = time.monotonic()
        checks = by_function(grade(exercise, tree, verbose=verbose))
        took = time.monotonic() - started
        assert checks["check_loads"].status == PASSED
        assert checks["check_never_taken"].status == SKIPPED  # its 30 s call is stopped, not waited for
        assert took < 20
        for name in ("check_first", "check_second"):
            taken_at, call_began = _taken(checks[name])
            assert (call_began < taken_at) is not verbose, (name, verbose, taken_at, call_began)


def test_a_server_that_ends_the_same_way_twice_is_described_once():
    """One bug, one block: the second check whose server returned points at the first."""
    from grader.engine.plugin import GradingPlugin
    from grader.failures import Failure

    class Run:
        death_first_seen = {}

    class Info:
        def __init__(self, name):
            self.name = name

    run = Run()
    ended = Failure("serve('127.0.0.1', 40001) returned after 0.02 s during this check; a server keeps serving.")
    assert GradingPlugin._said_once(run, Info("first"), ended) is ended
    again = Failure("serve('127.0.0.1', 40002) returned after 0.31 s during this check; a server keeps serving.")
    pointer = GradingPlugin._said_once(run, Info("second"), again)
    assert pointer.render() == "Your server ended the same way during this check as during \u201cfirst\u201d (see there)."
    other = Failure("Your server stopped: serve('127.0.0.1', 40003) raised ValueError at line 9.")
    assert GradingPlugin._said_once(run, Info("third"), other) is other
