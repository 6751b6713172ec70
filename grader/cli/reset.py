"""``grader reset EXERCISE``: put the original stub back, keeping the learner's file.

    grader reset EXERCISE [--path TREE] [--yes]

The original comes from the copy shipped in the grader package (grader/katas/<exercise>/stub.py, which says why
not from git). Before anything is overwritten the learner is asked (y/N); without a terminal to
ask on, it refuses unless ``--yes`` was given. The learner's file is first copied next to it,
as ``<exercise>.py.<timestamp>.bak`` (not ``.py``, so it is never mistaken for the exercise),
and only then replaced, in one rename, so an interruption leaves either file whole.
"""

import argparse
import os
import shutil
import time
from pathlib import Path

from grader.track import EXERCISES


def parser():
    p = argparse.ArgumentParser(
        prog="grader reset",
        description="Restore an exercise's original stub. Your file is kept as a timestamped .bak "
                    "copy beside it.",
        epilog="Exit status: 0 restored (or already the stub), 1 not confirmed, 2 usage error.")
    p.add_argument("exercise", metavar="EXERCISE", help="one of: " + ", ".join(e.name for e in EXERCISES))
    p.add_argument("--path", metavar="TREE", type=Path,
                   help="the implementation tree (default: the project's exercises/ folder)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask before replacing the file")
    return p


def backup_path(path, now=None):
    """A name beside ``path`` for a copy of it that is not taken yet: echo_server.py.20250114-093012.bak."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    candidate = path.with_name(f"{path.name}.{stamp}.bak")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{stamp}-{number}.bak")
    return candidate


def restore(path, stub, backup=None):
    """Copy ``path`` to ``backup`` (a fresh name when None; none when ``path`` does not exist),
    then replace it with ``stub``; the backup's path."""
    if path.exists():
        backup = backup if backup is not None and not backup.exists() else backup_path(path)
        shutil.copy2(path, backup)
    else:
        backup = None
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.reset.tmp")
    temporary.write_bytes(stub)
    os.replace(temporary, path)
    return backup


def main(argv):
    from grader.cli.common import run_guarded

    args = parser().parse_args(argv)
    args.solutions = False
    return run_guarded("grader reset", lambda: reset(args))


def reset(args):
    from grader.cli.common import ExitStatus, UsageError, select_exercises, select_tree
    from grader.cli.terminal import ask_yes_no, interactive
    from grader.reports.common import shown_path

    (exercise,) = select_exercises([args.exercise])
    path = exercise.file_in(select_tree(args))
    stub = exercise.stub_path.read_bytes()
    current = path.read_bytes() if path.exists() else None
    if current == stub:
        print(f"{shown_path(path)} is already the original stub; nothing to do.")
        return ExitStatus.PASSED
    backup = backup_path(path)  # named once: the file the question names is the file written
    if current is not None and not args.yes:
        if not interactive():
            raise UsageError(f"not replacing {shown_path(path)} without asking, and there is no terminal "
                             "to ask on: run it in a terminal, or add --yes")
        print(f"This replaces {shown_path(path)} with the original stub of {exercise.name}.\n"
              f"Your file is kept beside it, as {backup.name}.")
        if not ask_yes_no("Replace it?"):
            print("Nothing was changed.")
            return ExitStatus.NOT_PASSED
    try:
        backup = restore(path, stub, backup)
    except OSError as exc:
        raise UsageError(f"cannot restore {shown_path(path)}: {exc.strerror or exc}") from None
    print(f"Restored the original stub of {exercise.name} in {shown_path(path)}.")
    if backup is not None:
        print(f"Your previous file is {shown_path(backup)}.")
    return ExitStatus.PASSED
