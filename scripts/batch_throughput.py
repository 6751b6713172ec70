"""Measure `grader batch` throughput: submissions graded per minute for a class of mixed work.

    python scripts/batch_throughput.py [--count 50] [--jobs N] [--seed 7] [--keep DIR]

Builds COUNT submissions in a temporary folder, each exercise of each one drawn (seeded) from
what a real class hands in: the reference solution, a correct or a broken implementation from
tests/implementations/, the untouched stub, or nothing. Then runs `python -m grader batch` on
them once and reports the wall time, the rate, and the machine's load average before and after
(the figure depends on the machine and on what else runs on it). Not a test: reported, never
asserted.
"""

import argparse
import collections
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.track import EXERCISES  # noqa: E402

KINDS = ("solution", "correct", "broken", "stub", "missing")


def variants(exercise):
    """kind -> candidate files for one exercise (kinds with no file are left out)."""
    name = exercise.name
    implementations = ROOT / "tests" / "implementations" / name
    found = {
        "solution": [ROOT / "solutions" / name / f"{name}.py"],
        "correct": sorted(implementations.glob("correct_*.py")),
        "broken": sorted(implementations.glob("broken_*.py")),
        "stub": [ROOT / "exercises" / name / f"{name}.py"],
        "missing": [None],
    }
    return {kind: files for kind, files in found.items() if files and all(f is None or f.is_file() for f in files)}


def build_class(folder, count, seed):
    rng = random.Random(seed)
    drawn = collections.Counter()
    choices = {e.name: variants(e) for e in EXERCISES}
    for number in range(1, count + 1):
        submission = folder / f"learner{number:03d}"
        submission.mkdir(parents=True)
        for exercise in EXERCISES:
            kind = rng.choice(list(choices[exercise.name]))
            source = rng.choice(choices[exercise.name][kind])
            drawn[kind] += 1
            if source is not None:
                (submission / exercise.name).mkdir()
                shutil.copy(source, submission / exercise.name / exercise.filename)
    return drawn


def load():
    try:
        return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=None, help="passed to grader batch (default: its own)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the class and the grades here, and keep them")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="netkata-throughput-"))
    try:
        submissions, out = work / "submissions", work / "grades"
        drawn = build_class(submissions, args.count, args.seed)
        command = [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out)]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        print(f"{args.count} submissions x {len(EXERCISES)} exercises; drawn: "
              + ", ".join(f"{kind} {drawn[kind]}" for kind in KINDS))
        print(f"cores: {os.cpu_count()}; load average before: {load()}")
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        print(result.stdout.strip())
        if result.stderr.strip():
            print(result.stderr.strip())
        print(f"load average after: {load()}")
        print(f"wall time {elapsed:.1f} s; exit status {result.returncode}; "
              f"throughput {args.count / elapsed * 60:.1f} submissions per minute")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
