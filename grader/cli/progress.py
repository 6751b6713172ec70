"""Where a learner stands on the track, and ``grader list``.

    grader list [--path TREE | --solutions] [--fresh]

Progress is derived from grading the learner's files as they are, never read from a state
file: an exercise is *not started* while its stub is untouched (settled by reading the file, at
once), *missing* without a file, and otherwise *passed* or *failing* as its checks say. The
exercises that need a run are graded together in one grading call; those whose files are
unchanged since they were last graded are answered from grader/engine/memo.py (``--fresh`` grades
them again).
"""

import argparse
import sys
from pathlib import Path

from grader.track import EXERCISES
from grader.learner.source import inspect_file
from grader.results import MISSING, NOT_STARTED, PASSED, Report

STATUS_WORDS = {PASSED: "passed", NOT_STARTED: "not started", MISSING: "missing"}


def status_word(status):
    return STATUS_WORDS.get(status, "failing")


def progress_bar(passed, total):
    """``Progress: [###>-] 3/5``: one mark per exercise, as rustlings draws it."""
    if passed >= total:
        bar = "#" * total
    else:
        bar = "#" * passed + ">" + "-" * (total - passed - 1)
    return f"Progress: [{bar}] {passed}/{total}"


def grade_track(tree, exercises, *, recall=False, remember=False, verbose=False, stop_early=False):
    """Grade ``exercises`` of ``tree`` in one grading call; returns (Report, names answered from
    the memo). ``recall``: answer unchanged exercises from the memo; ``remember``: keep what ran
    (a result cut short by ``stop_early`` only when it passed, so every check ran).

    Ctrl-C raises grader.engine.run.Interrupted, whose report then covers every exercise asked for;
    nothing of an interrupted grading is remembered (its results are partial)."""
    from grader.engine import interrupt
    from grader.engine import memo
    from grader.engine.run import Interrupted, grade

    keys, results, recalled = {}, {}, []
    for exercise in exercises:
        if (recall or remember) and inspect_file(exercise.file_in(tree), exercise.function).kind == "ready":
            keys[exercise.name] = memo.key(exercise, tree)
            remembered = memo.recall(keys[exercise.name], exercise.file_in(tree)) if recall and not verbose else None
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
                    memo.remember(keys[result.name], result)
    return Report([results[e.name] for e in exercises], str(tree), duration), recalled


def parser():
    p = argparse.ArgumentParser(
        prog="grader list",
        description="Every exercise with its status (not started, failing, passed), score and what it is. "
                    "The status comes from grading your files as they are now.",
        epilog="Exit status: 0 listed, 2 usage error, 3 internal grader error.")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--path", metavar="TREE", type=Path,
                       help="list this implementation tree (default: the project's exercises/ folder)")
    where.add_argument("--solutions", action="store_true", help="list the reference solutions")
    p.add_argument("--fresh", action="store_true",
                   help="grade every started exercise again, even those unchanged since they were last graded")
    return p


def table(report, stream, recalled=()):
    """The list: number, name, status, score, one-line description; then progress and what next."""
    from grader.reports.common import shown_path
    from grader.reports.text import BOLD, DIM, GREEN, RED, Painter

    paint = Painter(stream)
    tone = {PASSED: GREEN, NOT_STARTED: DIM, MISSING: DIM}
    summaries = {e.name: e.summary for e in EXERCISES}
    width = max(len(e.name) for e in report.exercises)
    lines = [paint(f"   {'exercise':<{width}}  {'status':<11}  {'score':>5}", BOLD)]
    for number, result in enumerate(report.exercises, 1):
        word = status_word(result.status)
        score = f"{result.score:g}/{result.max_score:g}"
        lines.append(f"{number}  {result.name:<{width}}  {paint(f'{word:<11}', tone.get(result.status, RED))}  "
                     f"{score:>5}  {summaries.get(result.name, '')}")
    passed = sum(1 for r in report.exercises if r.status == PASSED)
    lines += ["", progress_bar(passed, len(report.exercises))]
    current = report.next_unfinished()
    if current is None:
        lines.append("Every exercise passes. Well done!")
    else:
        lines.append(f"Next: {current.name} ({shown_path(current.file)}). "
                     f"Run: grader watch {current.name}")
    if recalled:
        lines.append(paint(f"(remembered, as their files are unchanged since last graded: {', '.join(recalled)}; "
                           "--fresh grades again)", DIM))
    stream.write("\n".join(lines) + "\n")


def main(argv):
    from grader.cli.main import run_guarded, select_tree

    args = parser().parse_args(argv)

    def work():
        tree = select_tree(args)
        own = args.path is None and not args.solutions  # the learner's own exercises/: use the memo
        report, recalled = grade_track(tree, list(EXERCISES), recall=own and not args.fresh, remember=own)
        table(report, sys.stdout, recalled)
        return 0

    return run_guarded("grader list", work)
