"""Gradescope's side of the grader: grade a submission, always leave a results.json behind.

    python -m grader.cli.autograder [EXERCISE ...] [--root /autograder] [--time-limit SECONDS] [--check TEXT]

``gradescope/run_autograder`` runs this with the grader installed (by ``gradescope/setup.sh``)
from the autograder's own copy of the project. The learner's upload supplies nothing but the
exercise modules: for each exercise of the assignment, the one file that grader/cli/submission.py
picks (the rule ``grader batch`` follows too, so both give an upload one grade) is copied into a
fresh tree, and everything else in the upload is ignored; nothing from it is ever on the
grader's import path, and the feedback names the learner's own files. The grader runs in a process of its own with a hard time
bound; whatever happens (a crash, a timeout, an exception here), ``ROOT/results/results.json``
is written and valid, and says what happened.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from grader.cli import submission
from grader.cli.batch import run_bounded
from grader.cli.common import select_exercises
from grader.track import EXERCISES
from grader.reports.json_report import write_json

DEFAULT_TIME_LIMIT = 480.0  # seconds; under Gradescope's default 10-minute bound, with a margin
def build_tree(upload, tree, exercises):
    """Copy each exercise's graded file of the upload into ``tree``; return the lines that tell
    the learner which file was graded for each exercise, and what was found."""
    found = submission.copy_into(upload, tree, exercises)
    lines = []
    for located in found:
        if located.file is None:
            lines.append(f"{located.exercise}: {located.problem}")
        else:
            lines.append(f"{located.exercise}: graded {located.file}")
    return lines, found


def failure_results(text, elapsed=0.0):
    """A valid results.json for a submission the grader could not grade."""
    return {"score": 0.0, "execution_time": round(elapsed), "output": text, "output_format": "text",
            "visibility": "visible", "tests": []}


def write_results(path, results):
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as file:
        write_json(results, file)  # a lone surrogate in a message must not cost the results
    os.replace(partial, path)


def grade(root, time_limit, focus=None, exercises=EXERCISES):
    """The results.json content for ``root/submission``."""
    started = time.monotonic()
    upload = root / "submission"
    if not upload.is_dir():
        return failure_results("No submission was found to grade (the submission folder is missing). "
                               "Please submit again; if this persists, tell the course staff.")
    with tempfile.TemporaryDirectory(prefix="netkata-") as work:
        tree = Path(work) / "submission"
        tree.mkdir()
        notes, found = build_tree(upload, tree, exercises)
        out = Path(work) / "results.json"
        names = [e.name for e in exercises] if len(exercises) < len(EXERCISES) else []
        command = [sys.executable, "-m", "grader", *names, "--path", str(tree), "--format", "gradescope",
                   "--output", str(out)]
        if focus:
            command += ["--check", focus]
        finished = run_bounded(command, timeout=time_limit)
        print(finished.stdout, end="")
        print(finished.stderr, end="", file=sys.stderr)
        elapsed = time.monotonic() - started
        files = "Files:\n" + "\n".join("  " + note for note in notes)
        if finished.timed_out:
            return failure_results(
                f"Score 0: grading did not finish within {time_limit:g} seconds, so it was stopped and "
                "nothing was scored. The grader bounds every check, so this points at a problem with "
                "the autograder or its machine rather than at your code: please submit again, and tell "
                f"the course staff if it happens again.\n\n{files}", elapsed)
        if finished.returncode == 2:
            return failure_results(
                "Score 0: the grader refused to grade this submission. This is not a judgement of your "
                f"code: please tell the course staff.\n\n{finished.stderr.strip()[-2000:]}\n\n{files}", elapsed)
        if finished.returncode not in (0, 1):
            return failure_results(
                f"Score 0: the grader failed (exit status {finished.returncode}) and could not grade this "
                "submission. This is a problem with the autograder, not a judgement of your code: "
                f"please tell the course staff.\n\n{files}", elapsed)
        try:
            results = submission.renamed(json.loads(out.read_text(encoding="utf-8")),
                                         submission.path_names(tree, "submission", found))
        except (OSError, ValueError) as exc:
            return failure_results(
                f"Score 0: the grader finished but wrote no readable results ({exc}). Please tell the "
                f"course staff.\n\n{files}", elapsed)
        results["output"] = files + "\n\n" + results.get("output", "")
        return results


def parser():
    p = argparse.ArgumentParser(prog="python -m grader.cli.autograder",
                                description="Grade a Gradescope submission; always write results.json.")
    p.add_argument("exercises", metavar="EXERCISE", nargs="*",
                   help="the assignment's exercises, scored out of them alone (default: every exercise)")
    p.add_argument("--root", type=Path, default=Path(os.environ.get("NETKATA_AUTOGRADER_ROOT", "/autograder")),
                   help="the autograder folder holding submission/ and results/ (default: /autograder)")
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                   help=f"hard bound on grading (default: {DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--check", metavar="TEXT", dest="focus", help="grade only the checks containing TEXT")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    results_path = args.root / "results" / "results.json"
    from grader.cli.common import UsageError
    from grader.cli.main import isolate

    try:  # NETKATA_ISOLATION=required: no grade at all rather than one a submission could forge
        isolate(None)
    except UsageError as exc:
        print(f"grader.cli.autograder: {exc}", file=sys.stderr)
        write_results(results_path, failure_results(
            "Score 0: this autograder requires isolation that its machine cannot give, so it did not "
            f"grade this submission. This is not a judgement of your code: please tell the course staff.\n\n{exc}"))
        return 2
    try:
        results = grade(args.root, args.time_limit, args.focus, select_exercises(args.exercises))
    except Exception:  # the promise is a results.json whatever happens
        traceback.print_exc()
        results = failure_results("Score 0: the autograder failed before it could grade this submission. "
                                  "This is not a judgement of your code: please tell the course staff.")
    write_results(results_path, results)
    print(f"results: {results.get('score')} points; written to {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
