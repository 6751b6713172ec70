"""Helpers for testing the grader as its users run it: a real `python -m grader` process.

Grading runs learner code in child processes and pytest in-process; running the grader in its
own process keeps each test as close to a learner's run as it can be, and keeps one test's
pytest session out of another's.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from preloaded_grader import PRELOADED

ROOT = Path(__file__).resolve().parent.parent
IMPLEMENTATIONS = Path(__file__).resolve().parent / "implementations"
GRADER_TIMEOUT = 100  # seconds; a last guard, far above any exercise's own grading, and below
# pytest-timeout's 120: a hung grading is reported by its stacks, not by pytest's


# Most tests talk to their learner programs through files and variables of their own (a log in
# tmp_path, DAEMON_FILE), which the sandbox (grader/learner/sandbox.py) rightly closes to them: they
# grade without isolation unless NETKATA_ISOLATION says otherwise. tests/test_isolation.py and
# tests/test_hostile.py ask for it themselves.
os.environ.setdefault("NETKATA_ISOLATION", "off")
ISOLATED = {"NETKATA_ISOLATION": "auto"}


def run_grader(*args, cwd=ROOT, env=None, timeout=GRADER_TIMEOUT, fresh=False):
    """Run `python -m grader ARGS`; return the CompletedProcess (text mode).

    A fork of a grader that imported everything once (tests/preloaded_grader.py) unless
    ``fresh``: the same command line, folder, environment and streams, without the half second
    of CPU a new interpreter spends importing pytest, Hypothesis and the checks."""
    full_env = {**os.environ, **(env or {})}
    command = [sys.executable, "-m", "grader", *map(str, args)]
    if fresh or not hasattr(os, "pidfd_open"):
        return subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)
    status, out, err = PRELOADED.run([str(a) for a in args], cwd, full_env, timeout)
    return subprocess.CompletedProcess(command, status, out, err)


MAX_MESSAGE_LINES = 60  # lines of one check's message
MAX_QUOTED_LINE = 200  # characters of one quoted line of the learner's output or traceback
GUTTER = "  | "


def grade_json(*args, **kwargs):
    """Run the grader with --format json and return (exit status, parsed report). Every message in
    it is held to its bounds (``assert_readable``): every test that grades checks them."""
    result = run_grader(*args, "--format", "json", **kwargs)
    assert result.stdout, f"no report on stdout; stderr:\n{result.stderr}"
    report = json.loads(result.stdout)
    assert_readable(report)
    return result.returncode, report


def assert_readable(report):
    """No check's message is longer than MAX_MESSAGE_LINES lines, and no line of learner text quoted
    in one (behind the gutter) is longer than MAX_QUOTED_LINE characters."""
    for exercise in report["exercises"]:
        for check in exercise["checks"]:
            lines = check["message"].splitlines()
            assert len(lines) <= MAX_MESSAGE_LINES, (check["name"], len(lines), check["message"][:3000])
            for line in lines:
                if line.startswith(GUTTER):
                    assert len(line) - len(GUTTER) <= MAX_QUOTED_LINE, (check["name"], line[:300])


def pristine_exercises(dest):
    """A copy of exercises/ at ``dest`` with every exercise's stub as the project ships it (the
    grader's pristine copy), so no test reads a learner's work in progress: a learner who runs
    the project's tests in their own clone gets the project's results, not their own."""
    from grader.track import EXERCISES

    shutil.copytree(ROOT / "exercises", dest, ignore=shutil.ignore_patterns("__pycache__", "*.bak"))
    for exercise in EXERCISES:
        shutil.copyfile(exercise.stub_path, dest / exercise.name / exercise.filename)
    return dest


@pytest.fixture(scope="session")
def pristine_project(tmp_path_factory):
    """A project folder (exercises/ alone, as a learner's repository) holding the untouched stubs."""
    project = tmp_path_factory.mktemp("project")
    pristine_exercises(project / "exercises")
    return project


def tree_with(tmp_path, exercise, implementation):
    """An implementation tree holding one file as `<tree>/<exercise>/<exercise>.py`."""
    folder = tmp_path / "tree" / exercise
    folder.mkdir(parents=True)
    shutil.copy(implementation, folder / f"{exercise}.py")
    return tmp_path / "tree"


def implementations(exercise, kind):
    """The files tests/implementations/<exercise>/<kind>_*.py, as pytest params named by file."""
    files = sorted((IMPLEMENTATIONS / exercise).glob(f"{kind}_*.py"))
    return [pytest.param(f, id=f.stem) for f in files]


def learner_processes(grader_pid):
    """Pids of the live processes that the grader ``grader_pid`` started for learner code (Linux):
    every one carries NETKATA_LEARNER=<grader pid> in its environment."""
    from grader.learner import procfs

    return procfs.marked_processes(f"NETKATA_LEARNER={grader_pid}".encode())


def checks_by_status(report):
    (exercise,) = report["exercises"]
    return {c["name"]: c["status"] for c in exercise["checks"]}
