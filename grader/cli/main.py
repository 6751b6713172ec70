"""The ``grader`` command line, as docs/command-line.md fixes it.

    grader [EXERCISE ...] [--path TREE | --solutions] [--format FORMAT] [--output FILE] [--check TEXT]
           [--verbose]
    grader watch [EXERCISE]          grader list          grader hint EXERCISE     grader reset EXERCISE
    grader batch SUBMISSIONS [--jobs N] [--out DIR] [--timeout SECONDS] [--check TEXT] [--shard K/N]
    grader merge DIR... --out DIR
    grader report REPORT.json [--format FORMAT] [--output FILE]

The sub-commands are sub-commands only as the first argument (no exercise has any of their
names). The learner's loop: ``watch`` is grader/cli/watch.py, ``list`` grader/cli/progress.py, ``hint``
grader/cli/hint.py, ``reset`` grader/cli/reset.py. For instructors: ``batch`` is grader/cli/batch.py;
``merge`` (the shards of ``batch --shard``) grader/cli/merge.py; ``report`` writes a saved JSON report
in another format.

Exit status: 0 when every selected check passed, 1 when any did not, 2 for a usage error,
3 when the grader itself failed (a bug to report, never the learner's fault), 130 on Ctrl-C.
Ctrl-C while grading stops every learner process, then writes the report of what was graded so
far (the checks that did not run are skipped, and the report says it is partial) in the format
asked for; a second Ctrl-C waits for that (grader/engine/interrupt.py).
"""

import argparse
import sys
from pathlib import Path

from grader.cli.common import (ExitStatus, UsageError, check_limits, missing_dependencies, run_guarded,
                               select_exercises, select_tree, use_lenient_stdout)
from grader.engine import interrupt
from grader.engine.catalog import checks_of
from grader.reports import FORMATS
from grader.track import EXERCISES

def parser():
    p = argparse.ArgumentParser(
        prog="grader",
        description="Grade the netkata exercises: run hidden checks against your code over real sockets.",
        epilog="Working through the track: `grader watch` grades the exercise you are on each time "
               "you save it; `grader list` shows every exercise's status; `grader hint EXERCISE` gives "
               "its hints one at a time; `grader reset EXERCISE` restores its stub. "
               "Exit status: 0 all selected checks passed, 1 some did not, 2 usage error, "
               "3 internal grader error, 130 interrupted (Ctrl-C: the report then covers the checks "
               "that ran and says it is partial). For instructors: `grader batch --help` grades a folder of "
               "submissions; `grader merge --help` joins the shards of one; `grader report --help` rewrites "
               "a saved JSON report in another format.")
    p.add_argument("exercises", nargs="*", metavar="EXERCISE",
                   help="exercises to grade, by name (default: all, in learning order: "
                        + ", ".join(e.name for e in EXERCISES) + ")")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--path", metavar="TREE", type=Path,
                       help="grade this implementation tree (default: the project's exercises/ folder)")
    where.add_argument("--solutions", action="store_true", help="grade the reference solutions")
    p.add_argument("--format", default="text", choices=list(FORMATS),
                   help="report format (default: text)")
    p.add_argument("--output", metavar="FILE", type=Path, help="write the report to FILE instead of stdout (- is stdout)")
    p.add_argument("--check", metavar="TEXT", dest="focus",
                   help="run only the checks whose sentence contains TEXT (and the checks they need); "
                        "the score then covers those checks only")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="show every byte each check sent and received, passing checks too "
                        "(in JSON: a \"transcript\" list per check)")
    add_isolation_option(p)
    return p


def add_isolation_option(p):
    p.add_argument("--isolation", choices=("auto", "required", "off"), default=None,
                   help="run the learner's program offline, unprivileged and blind to the grader's files: "
                        "auto (default; NETKATA_ISOLATION) uses every layer this machine allows and the "
                        "report says which; required refuses to grade (exit status 2) without all of them; "
                        "off does not try")


def isolate(mode):
    """Enter the grader's isolation (grader/learner/sandbox.py) before any thread or fork."""
    from grader.learner import sandbox

    try:
        sandbox.enter(mode)
    except (sandbox.IsolationUnavailable, ValueError) as exc:
        raise UsageError(str(exc)) from None
    return sandbox.describe()


SUBCOMMANDS = {"watch": "grader.cli.watch", "list": "grader.cli.progress", "hint": "grader.cli.hint",
               "reset": "grader.cli.reset", "batch": "grader.cli.batch", "merge": "grader.cli.merge"}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    if argv[:1] and argv[0] in SUBCOMMANDS:
        import importlib
        return importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:])
    if argv[:1] == ["report"]:
        return report_main(argv[1:])
    args = parser().parse_args(argv)
    return run_guarded("grader", lambda: grade_and_report(args))


def grade_and_report(args):
    isolation = isolate(args.isolation)
    exercises = select_exercises(args.exercises)
    if args.focus and not any(args.focus.lower() in c.name.lower()
                              for e in exercises for c in checks_of(e.name)):
        raise UsageError(f"no check of {', '.join(e.name for e in exercises)} contains {args.focus!r}")
    tree = select_tree(args)
    if missing := missing_dependencies():
        raise UsageError(f"{', '.join(missing)} not installed for {sys.executable}: install the project "
                         "(pip install -e .) in the Python you run grader with")
    check_limits()
    try:
        from grader.engine.memo import grade_track
        from grader.engine.run import grade

        if args.path is None and not args.solutions and not args.focus:
            # The learner's own tree: always graded afresh, and remembered so that
            # `grader list` can answer at once while these files stay as they are.
            report, _ = grade_track(tree, exercises, remember=True, verbose=args.verbose)
        else:
            report = grade(tree, exercises, args.focus, verbose=args.verbose)
    except KeyboardInterrupt as stop:
        return report_interrupted(getattr(stop, "report", None), tree, exercises, args, isolation)
    report.isolation = isolation
    write_report(report, args)
    return ExitStatus.PASSED if report.all_passed else ExitStatus.NOT_PASSED


def report_interrupted(report, tree, exercises, args, isolation=""):
    """After Ctrl-C: stop every learner process, write the partial report, exit 130.

    ``report`` is what grading got done (None when the Ctrl-C came before grading began: then
    every check is listed as not run). Nothing here can be cut by another Ctrl-C."""
    from grader.engine.run import interrupted_report

    interrupt.note_interrupted()
    interrupt.stop_learners()
    if report is None:
        report = interrupted_report(tree, exercises, {}, args.focus, args.verbose)
    report.isolation = isolation
    try:
        write_report(report, args)
    except UsageError as exc:
        print(f"grader: {exc}", file=sys.stderr)
    not_run = report.checks_not_run()
    print(f"\ngrader: interrupted (Ctrl-C); {not_run} check{'' if not_run == 1 else 's'} did not run, "
          "so the report is partial", file=sys.stderr)
    return ExitStatus.INTERRUPTED


def write_report(report, args):
    """Write ``report`` as ``args`` ask; a Ctrl-C meanwhile waits until it is whole."""
    with interrupt.protected():
        _write_report(report, args)


def _write_report(report, args):
    write = FORMATS[args.format]
    if args.output is None or str(args.output) == "-":  # (the usual spelling of standard output)
        use_lenient_stdout()
        write(report, sys.stdout)
        return
    try:
        with open(args.output, "w", encoding="utf-8") as stream:
            write(report, stream)
    except OSError as exc:
        raise UsageError(f"cannot write the report to {args.output}: {exc.strerror}") from None


def report_parser():
    p = argparse.ArgumentParser(
        prog="grader report",
        description="Write a saved JSON report (from --format json or grader batch) in another format.",
        epilog="Exit status: 0 every exercise in the report passed, 1 some did not, 2 usage error.")
    p.add_argument("report", metavar="REPORT.json", type=Path, help="a report written with --format json")
    p.add_argument("--format", default="text", choices=list(FORMATS), help="report format (default: text)")
    p.add_argument("--output", metavar="FILE", type=Path, help="write the report to FILE instead of stdout (- is stdout)")
    return p


def report_main(argv):
    import json

    from grader.reports.load import NotAReport, report_from_json

    args = report_parser().parse_args(argv)

    def work():
        try:
            data = json.loads(args.report.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot read {args.report}: {exc.strerror}") from None
        except ValueError as exc:
            raise UsageError(f"{args.report} is not JSON: {exc}") from None
        try:
            report = report_from_json(data)
        except NotAReport as exc:
            raise UsageError(f"{args.report}: {exc}") from None
        write_report(report, args)
        return ExitStatus.PASSED if report.all_passed else ExitStatus.NOT_PASSED

    return run_guarded("grader report", work)
