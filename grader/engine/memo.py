"""Remembered grades, so that ``grader list`` and the start of ``grader watch`` answer at once for
the exercises whose files have not changed since they were last graded.

This is not a progress file. Nothing here says "exercise 3 is done": progress is always derived
from grading the learner's files as they are now. A memo entry says "these exact files, graded
by this exact grader, got this result", under a key that is the SHA-256 of everything the
result depends on:

- every file of the exercise's folder, by name and content (so a helper module counts too);
- every file of the grader package (its checks, their servers, the engine), the Python version
  and the versions of the libraries the checks use (pytest, Hypothesis, requests, h11).

Change any of them and the key changes, so a stale answer cannot be read back; the entry for
the old content is simply never asked for again. Deleting the folder only makes ``list``
slower. It lives in the user's cache (``$XDG_CACHE_HOME/netkata/results``, beside Hypothesis's
folder), never in the learner's tree. Only the learner's own loop writes it (``grader``, ``watch``
and ``list`` on the project's exercises/ tree): never ``--path``, ``batch`` or the autograder, which
grade other people's trees.

Timing-dependent learner code (a race in a threaded server) can pass one run and fail the next;
the memo keeps the latest run of the same content. ``grader list --fresh`` and ``grader
EXERCISE`` always grade again.
"""

import hashlib
import json
import os
import sys
from functools import cache
from pathlib import Path

from grader import DEPENDENCIES
from grader.learner.source import inspect_file
from grader.results import ERROR, PASSED, CheckResult, ExerciseResult, Report

KEEP = 200  # entries kept; older ones are removed when there are PRUNE_AT
PRUNE_AT = 250
MAX_FILES = 100  # an exercise folder with more files, or bigger ones, is not remembered
MAX_BYTES = 4 * 1024 * 1024
GRADER_DIR = Path(__file__).resolve().parent.parent  # the whole grader package: a change anywhere in it forgets


def memo_home():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "netkata" / "results"


@cache
def grader_digest():
    """A digest of everything in the grader that a result depends on (computed once, ~0.1 s)."""
    from importlib import metadata

    digest = hashlib.sha256(sys.version.encode())
    for name in DEPENDENCIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none;".encode())
    for path in sorted(GRADER_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".ini"):
            digest.update(path.relative_to(GRADER_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def key(exercise, tree):
    """The memo key of ``exercise`` in ``tree`` as its files are now; None when not rememberable."""
    folder = Path(tree) / exercise.name
    digest = hashlib.sha256(f"{grader_digest()}\0{exercise.name}\0".encode())
    total = 0
    try:
        files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        if len(files) > MAX_FILES:
            return None
        for path in files:
            data = path.read_bytes()
            total += len(data)
            if total > MAX_BYTES:
                return None
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(data).digest())
    except OSError:
        return None
    return digest.hexdigest()


def look_up(memo_key, path):
    """The ExerciseResult remembered under ``memo_key`` (its file shown as ``path``), or None."""
    if memo_key is None:
        return None
    entry = memo_home() / f"{memo_key}.json"
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        os.utime(entry)  # recently used: kept longest when old entries are pruned
        checks = [CheckResult.from_json(c) for c in data["checks"]]
        return ExerciseResult(data["name"], data["status"], checks, str(path), float(data["duration"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def keep(memo_key, result):
    """Keep ``result`` under ``memo_key``; quietly nothing when it cannot be written."""
    if memo_key is None or any(check.status == ERROR for check in result.checks):
        return  # a grader error is not a property of the learner's files
    data = {"name": result.name, "status": result.status, "duration": result.duration,
            "checks": [_remembered(c) for c in result.checks]}
    home = memo_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        temporary = home / f".{memo_key}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, home / f"{memo_key}.json")
        _prune(home)
    except OSError:
        pass


def _remembered(check):
    """A check as the memo keeps it: its JSON with the hint and the exact duration, without the
    transcript (a remembered result is shown only where no transcript was asked for)."""
    data = {**check.to_json(), "hint": check.hint, "duration": check.duration}
    data.pop("transcript", None)
    return data


def _prune(home):
    entries = list(home.glob("*.json"))
    if len(entries) < PRUNE_AT:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEEP]:
        try:
            old.unlink()
        except OSError:
            pass


def current_exercise(tree, exercises):
    """The exercise a learner is on, without grading anything: the first that is not known to
    pass (untouched, missing, or not remembered as passed as its files are now); the last when
    every one passes."""
    for exercise in exercises:
        if inspect_file(exercise.file_in(tree), exercise.function).kind != "ready":
            return exercise
        remembered = look_up(key(exercise, tree), exercise.file_in(tree))
        if remembered is None or remembered.status != PASSED:
            return exercise
    return exercises[-1]


def grade_track(tree, exercises, *, recall=False, remember=False, verbose=False, stop_early=False):
    """Grade ``exercises`` of ``tree`` in one grading call; returns (Report, names answered from
    the memo). ``recall``: answer unchanged exercises from the memo; ``remember``: keep what ran
    (a result cut short by ``stop_early`` only when it passed, so every check ran).

    Ctrl-C raises grader.engine.run.Interrupted, whose report then covers every exercise asked for;
    nothing of an interrupted grading is remembered (its results are partial)."""
    from grader.engine import interrupt
    from grader.engine.run import Interrupted, grade

    keys, results, recalled = {}, {}, []
    for exercise in exercises:
        if (recall or remember) and inspect_file(exercise.file_in(tree), exercise.function).kind == "ready":
            keys[exercise.name] = key(exercise, tree)
            remembered = look_up(keys[exercise.name], exercise.file_in(tree)) if recall and not verbose else None
            if remembered is not None:
                results[exercise.name] = remembered
                recalled.append(exercise.name)
    to_grade = [e for e in exercises if e.name not in results]
    duration = 0.0
    if to_grade:
        try:
            report = grade(tree, to_grade, verbose=verbose, stop_early=stop_early)
        except Interrupted as stop:
            results.update((result.name, result) for result in stop.report.exercises)
            stop.report = Report([results[e.name] for e in exercises], str(tree), stop.report.duration,
                                 interrupted=True)
            raise
        duration = report.duration
        with interrupt.protected():  # Ctrl-C now waits until the memo entries are written
            for result in report.exercises:
                results[result.name] = result
                if remember and result.name in keys and (result.status == PASSED or not stop_early):
                    keep(keys[result.name], result)
    return Report([results[e.name] for e in exercises], str(tree), duration), recalled
