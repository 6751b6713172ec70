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
from grader.results import FAILED, MISSING, NOT_STARTED, PASSED, STATUS_WORDS

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
    from grader.reports.text import BOLD, DIM, GREEN, RED, Painter, next_command, progress_bar

    paint = Painter(stream)
    tone = {PASSED: GREEN, NOT_STARTED: DIM, MISSING: DIM}
    summaries = {e.name: e.summary for e in EXERCISES}
    width = max(len(e.name) for e in report.exercises)
    words = max(len(word) for word in STATUS_WORDS.values())
    digits = len(str(len(report.exercises)))
    lines = [paint(f"{'':<{digits}}  {'exercise':<{width}}  {'status':<{words}}  {'score':>5}", BOLD)]
    for number, result in enumerate(report.exercises, 1):
        word = STATUS_WORDS.get(result.status, STATUS_WORDS[FAILED])
        score = f"{result.score:g}/{result.max_score:g}"
        lines.append(f"{number:>{digits}}  {result.name:<{width}}  {paint(f'{word:<{words}}', tone.get(result.status, RED))}  "
                     f"{score:>5}  {summaries.get(result.name, '')}")
    passed = sum(1 for r in report.exercises if r.status == PASSED)
    lines += ["", progress_bar(passed, len(report.exercises))]
    current = report.next_unfinished()
    if current is None:
        lines.append("Every exercise passes. Well done!")
    else:
        lines.append(f"Next: {current.name}. Edit {shown_path(current.file)}, then run: {next_command(current.name)}")
    if recalled:
        lines.append(paint(f"(remembered, as their files are unchanged since last graded: {', '.join(recalled)}; "
                           "--fresh grades again)", DIM))
    stream.write("\n".join(lines) + "\n")


def main(argv):
    from grader.cli.common import run_guarded, select_tree

    args = parser().parse_args(argv)

    def work():
        from grader.cli.main import isolate

        isolate(None)  # NETKATA_ISOLATION: the learner's program runs isolated here too
        tree = select_tree(args)
        own = args.path is None and not args.solutions  # the learner's own exercises/: use the memo
        from grader.engine.memo import grade_track

        report, recalled = grade_track(tree, list(EXERCISES), recall=own and not args.fresh, remember=own)
        table(report, sys.stdout, recalled)
        return 0

    return run_guarded("grader list", work)
