"""``grader hint EXERCISE``: the exercise's hints, one level at a time.

    grader hint EXERCISE [--level N | --all]

Level 1 is a nudge; each next level gives more of the way (the numbered list at the end of the
exercise's README, read by grader/cli/readme.py). Which level a learner has seen is not stored
anywhere: ``grader hint echo_server`` shows level 1, ``--level 2`` the next, ``--all`` every one;
in a terminal it then asks whether to show the next, so one command walks through them.
"""

import argparse

from grader.track import EXERCISES


def parser():
    p = argparse.ArgumentParser(
        prog="grader hint",
        description="Show an exercise's hints, one level at a time: a nudge first, then more.",
        epilog="The hints are the last section of exercises/EXERCISE/README.md. "
               "Exit status: 0 shown, 2 usage error.")
    p.add_argument("exercise", metavar="EXERCISE", nargs="?",
                   help="one of: " + ", ".join(e.name for e in EXERCISES) + " (default: the one you are on, "
                        "the first not known to pass)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--level", type=int, default=1, metavar="N", help="show hint N (default: 1)")
    which.add_argument("--all", action="store_true", help="show every hint")
    return p


def hints_of(exercise):
    """The exercise's hints, from the README in the project's exercises/ folder."""
    from grader.cli.common import UsageError, project_root
    from grader.cli.readme import hints, readme_of

    root = project_root()
    if root is None:
        raise UsageError("cannot find the netkata project (a folder with exercises/), "
                         "where the hints are: run grader inside your clone")
    path = readme_of(exercise, root / "exercises")
    try:
        found = hints(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    if not found:
        raise UsageError(f"{path} has no hints (a numbered list under ## Hints)")
    return found


def format_hint(exercise_name, hints, level):
    """Hint ``level`` (1-based) as the lines a learner reads."""
    lines = [f"{exercise_name}, hint {level} of {len(hints)}:", ""]
    lines += ["  " + line if line else "" for line in hints[level - 1].splitlines()]
    return lines


def main(argv):
    from grader.cli.common import run_guarded

    args = parser().parse_args(argv)
    return run_guarded("grader hint", lambda: show_hints(args))


def show_hints(args):
    from grader.cli.common import ExitStatus, UsageError, select_exercises
    from grader.cli.terminal import ask_yes_no, interactive

    if args.exercise is None:
        from grader.cli.common import select_tree
        from grader.engine.memo import current_exercise

        args.path, args.solutions = None, False
        exercise = current_exercise(select_tree(args), list(EXERCISES))
    else:
        (exercise,) = select_exercises([args.exercise])
    hints = hints_of(exercise)
    if not args.all and not 1 <= args.level <= len(hints):
        raise UsageError(f"{exercise.name} has hints 1 to {len(hints)}; there is no hint {args.level}")
    levels = range(1, len(hints) + 1) if args.all else [args.level]
    for level in levels:
        print("\n".join(format_hint(exercise.name, hints, level)) + "\n")
    level = levels[-1]
    asking = interactive()
    while level < len(hints):
        if not asking:
            print(f"More: grader hint {exercise.name} --level {level + 1}   (or --all for every hint)")
            break
        if not ask_yes_no(f"Show hint {level + 1} of {len(hints)}?"):
            break
        level += 1
        print("\n" + "\n".join(format_hint(exercise.name, hints, level)) + "\n")
    return ExitStatus.PASSED
