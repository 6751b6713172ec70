"""What every sub-command shares: its errors and exit statuses, and where the work is.

Each sub-command (grader/cli/*.py) runs its work through ``run_guarded``, so a usage error, a
Ctrl-C and a bug in the grader end every command the same way, with the statuses the command
line documents (docs/command-line.md); none imports another sub-command's module for them.
"""

import difflib
import enum
import os
import sys
import traceback
from pathlib import Path

from grader import DEPENDENCIES
from grader.engine import interrupt
from grader.track import BY_NAME, EXERCISES


class ExitStatus(enum.IntEnum):
    """The grader's exit statuses, for every sub-command."""

    PASSED = 0  # every selected check passed (batch: every submission was graded)
    NOT_PASSED = 1  # some check did not pass (batch: some submission could not be graded)
    USAGE = 2  # the command line, or what it names, is wrong
    INTERNAL = 3  # the grader itself failed: a bug to report, never the learner's fault
    INTERRUPTED = 130  # Ctrl-C


class UsageError(Exception):
    """Something the person at the command line can fix: said in one line, exit status 2."""


def project_root():
    """The netkata checkout to use: the one around the current folder, else the grader's own.

    A learner's repository has exercises/ and no solutions/ (an instructor removes them before
    handing it out), so exercises/ holding an exercise's folder is what makes a checkout."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents, Path(__file__).resolve().parents[2]):
        if any((folder / "exercises" / e.name).is_dir() for e in EXERCISES):
            return folder
    return None


def select_exercises(names):
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, BY_NAME, n=1)
        maybe = f" Did you mean {close[0]}?" if close else ""
        raise UsageError(f"unknown exercise {name!r}.{maybe} The exercises are: " + ", ".join(BY_NAME))
    chosen = set(names)
    return [e for e in EXERCISES if not chosen or e.name in chosen]


def select_tree(args):
    """The tree ``args`` name: ``--path``, else the project's solutions/ or exercises/."""
    if args.path is not None:
        if not args.path.is_dir():
            raise UsageError(f"no such folder: {args.path}")
        return args.path.resolve()
    root = project_root()
    if root is None:
        raise UsageError("cannot find the netkata project (a folder with exercises/): "
                         "run grader inside your clone, or pass --path TREE")
    if not getattr(args, "solutions", False):
        return root / "exercises"
    if not (root / "solutions").is_dir():
        raise UsageError(f"{root} has no solutions/ folder (a learner's copy of the track has none)")
    return root / "solutions"


def run_guarded(prog, work, interrupted="interrupted"):
    """Run a command's ``work()``, turning what goes wrong into the documented exit statuses:
    a UsageError is 2 with its message, Ctrl-C is 130, and anything else is the grader's own
    bug (3), said as such with its traceback, never blamed on the learner.

    Ctrl-C ends the command with no learner process left and no traceback, however many times
    it is pressed (grader/engine/interrupt.py); one that came while something that must not be cut
    (stopping processes, writing a report) ran is honoured once that is done."""
    with interrupt.handling_ctrl_c(prog):
        try:
            code = work()
        except UsageError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return ExitStatus.USAGE
        except KeyboardInterrupt:
            interrupt.note_interrupted()
            interrupt.stop_learners()
            print(f"\n{prog}: {interrupted}", file=sys.stderr)
            return ExitStatus.INTERRUPTED
        except BrokenPipeError:  # `grader ... | head`: the reader has what it wanted
            interrupt.stop_learners()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so that the interpreter's final flush says nothing
            return ExitStatus.NOT_PASSED
        except Exception:
            traceback.print_exc()
            print(f"{prog}: internal error (above). This is a bug in the grader, not in your code; "
                  "please report it.", file=sys.stderr)
            return ExitStatus.INTERNAL
        if code != ExitStatus.INTERRUPTED and interrupt.requested():
            print(f"\n{prog}: {interrupted}", file=sys.stderr)
            return ExitStatus.INTERRUPTED
        return code


def use_lenient_stdout():
    """Characters the terminal cannot show are escaped rather than crashing the report."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")


def check_limits():
    """A NETKATA_LIMITS the grader cannot read is said at once, as a usage error."""
    from grader.learner.limits import LimitsError, current

    try:
        current()
    except LimitsError as exc:
        raise UsageError(str(exc)) from None


def missing_dependencies():
    """The grader's dependencies this Python cannot import (found without importing them)."""
    import importlib.util

    from grader import PLATFORM_DEPENDENCIES

    return [module for name, module in DEPENDENCIES.items()
            if sys.platform.startswith(PLATFORM_DEPENDENCIES.get(name, "")) and importlib.util.find_spec(module) is None]
