"""Make the learner's version of the project: the repository an instructor hands out.

    python scripts/learner_repo.py DEST [--no-git]

DEST gets what a learner needs and nothing a learner must not have: the exercises (their stubs
and READMEs), the grader itself (so `grader`, `watch`, `hint`, `list` and `reset` work), its docs, the
project's README, licence, pyproject.toml and the workflow that grades every push
(.github/workflows/grade.yml). Not copied: solutions/, the project's own tests, scripts, CI and
the Gradescope kit. Only files git tracks are taken, so nothing local (a venv, caches, your own
work in exercises/) leaks in; each stub is written from the grader's pristine copy. DEST is then
a git repository with one commit, ready to push (``--no-git`` leaves that out). Standard library
and git only, as otter assign makes a student version of an assignment.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEPT = ("README.md", "CONTRIBUTING.md", "LICENSE", "pyproject.toml", ".gitignore", ".github/workflows/grade.yml")
KEPT_FOLDERS = ("exercises/", "grader/", "docs/")


def tracked_files():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    return [name for name in listed.decode().split("\0") if name]


def learner_files():
    return [name for name in tracked_files() if name in KEPT or name.startswith(KEPT_FOLDERS)]


def make(dest, *, git=True):
    sys.path.insert(0, str(ROOT))
    from grader.track import EXERCISES

    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"learner_repo: {dest} is not empty")
    for name in learner_files():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, target)
    for exercise in EXERCISES:  # the stubs as shipped, whatever exercises/ holds here
        shutil.copyfile(exercise.stub_path, dest / "exercises" / exercise.name / exercise.filename)
    if git:
        quiet = {"cwd": dest, "check": True, "capture_output": True}
        subprocess.run(["git", "init", "-q", "-b", "main"], **quiet)
        subprocess.run(["git", "add", "-A"], **quiet)
        subprocess.run(["git", "-c", "user.name=netkata", "-c", "user.email=netkata@example.invalid",
                        "commit", "-q", "-m", "The netkata exercises"], **quiet)
    return dest


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, metavar="DEST", help="an empty or new folder")
    parser.add_argument("--no-git", action="store_true", help="do not make DEST a git repository")
    args = parser.parse_args(argv)
    dest = make(args.dest, git=not args.no_git)
    print(f"wrote the learner's repository to {dest}: push it (for example to a GitHub Classroom "
          "template) and hand it out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
