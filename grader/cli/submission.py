"""Which file of a learner's submission is graded for each exercise: one rule for `grader batch`
and the Gradescope runner, so one upload gets one grade on both (docs/command-line.md, "Which
file of a submission is graded").

The first of ``<exercise>/<exercise>.py``, ``exercises/<exercise>/<exercise>.py`` (a whole clone)
and ``<exercise>.py`` loose at the top, that is a regular file reached without a symbolic link.
Only that file is copied into the tree that is graded: anything beside it (a helper module, a
``__pycache__`` whose bytecode Python would run instead of the source) would take part in the
grade, and a symbolic link could hand in another learner's file. A file found nowhere else is
looked for deeper, only to tell the learner where it was and why it was not graded.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

IGNORED_FOLDERS = {"__MACOSX", "__pycache__", "node_modules", ".git", ".venv", "venv"}
MAX_FILE_BYTES = 1_000_000  # an exercise module larger than this is not a solution
DEEP_SEARCH_LIMIT = 5_000  # folders looked through for a misplaced file, at most


@dataclass(frozen=True)
class Located:
    exercise: str
    file: str | None  # the graded file, relative to the submission (posix), or None: missing
    expected: str  # where it belongs: <exercise>/<exercise>.py
    problem: str = ""  # why there is no file to grade

    @property
    def note(self):
        """"" when the file was where it belongs; else a short remark for the gradebook."""
        if self.file is None:
            return self.problem
        return "" if self.file == self.expected else f"graded {self.file}, not {self.expected}"


def places(exercise):
    """The relative paths read for ``exercise``, in order."""
    name = exercise.name
    return (f"{name}/{exercise.filename}", f"exercises/{name}/{exercise.filename}", exercise.filename)


def _regular(submission, relative):
    """``submission/relative`` when it is a regular file reached without any symbolic link."""
    path = submission
    for part in relative.split("/"):
        path = path / part
        if path.is_symlink():
            return None
    return path if path.is_file() else None


def _misplaced(submission, filename):
    """Where else ``filename`` is in the submission (for the note only), or None."""
    seen = 0
    for folder, subfolders, files in os.walk(submission, followlinks=False):
        seen += 1
        if seen > DEEP_SEARCH_LIMIT:
            return None
        subfolders[:] = sorted(d for d in subfolders if d not in IGNORED_FOLDERS and not d.startswith("."))
        if filename in files and not (Path(folder) / filename).is_symlink():
            return (Path(folder) / filename).relative_to(submission).as_posix()
    return None


def locate(submission, exercise):
    """Which file of ``submission`` is graded for ``exercise``, with the note that goes with it."""
    first, *others = places(exercise)
    for relative in (first, *others):
        path = _regular(submission, relative)
        if path is None:
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            return Located(exercise.name, None, first, f"missing: {relative} is larger than {MAX_FILE_BYTES:,} bytes, so not graded")
        return Located(exercise.name, relative, first)
    elsewhere = _misplaced(submission, exercise.filename)
    if elsewhere is not None:
        return Located(exercise.name, None, first, f"missing: {elsewhere} is not where the grader reads ({first})")
    return Located(exercise.name, None, first, "missing")


def copy_into(submission, tree, exercises):
    """Copy the graded file of each exercise into ``tree`` laid out as an implementation tree;
    return what was found, one ``Located`` per exercise."""
    found = []
    for exercise in exercises:
        located = locate(submission, exercise)
        if located.file is not None:
            (tree / exercise.name).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(submission / located.file, tree / exercise.name / exercise.filename)
        found.append(located)
    return found


def path_names(tree, submission_name, found):
    """The replacements that make a report of ``tree`` name the submission's own files: each
    graded copy by its path in the submission (longest first, so a file wins over its folder)."""
    pairs = []
    for located in found:
        copy = tree / located.exercise
        if located.file is not None:
            pairs.append((str(copy / Path(located.file).name), located.file))
            parent = str(Path(located.file).parent)
            pairs.append((str(copy), "." if parent == "." else parent))
        else:
            pairs.append((str(copy / f"{located.exercise}.py"), f"{located.exercise}/{located.exercise}.py"))
            pairs.append((str(copy), located.exercise))
    pairs.append((str(tree), submission_name))
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def renamed(value, pairs):
    """``value`` (a parsed JSON report) with every path of ``pairs`` replaced in every string."""
    if isinstance(value, str):
        for old, new in pairs:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [renamed(item, pairs) for item in value]
    if isinstance(value, dict):
        return {key: renamed(item, pairs) for key, item in value.items()}
    return value
