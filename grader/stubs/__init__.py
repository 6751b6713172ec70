"""Pristine copies of the exercise stubs, shipped inside the grader: what ``grader reset`` restores.

Why here, and not from the learner's folder or from git: the learner edits ``exercises/`` in
place, so the working copy is the one place the original no longer is. ``git show
HEAD:exercises/<exercise>/<exercise>.py`` finds it only while the learner has not committed
their work; a learner who commits often (as GitHub Classroom asks) would get their own code
back, and a learner who downloaded a zip has no git at all. A copy that travels with the grader
package is there in every case: an editable install, a ``pip install`` from a clone, a zip.

The cost is a second copy in the repository, kept honest by tests/unit/test_readmes.py, which
fails when a file here differs from ``exercises/<exercise>/<exercise>.py`` (after changing a
stub there, copy it here). The copies are data, not code: nothing imports them.
"""

from pathlib import Path

STUBS_DIR = Path(__file__).resolve().parent


def stub_path(exercise):
    """The pristine stub of ``exercise`` (a grader.exercises.Exercise)."""
    return STUBS_DIR / exercise.filename


def stub_bytes(exercise):
    return stub_path(exercise).read_bytes()
