"""Measure `grader batch` throughput: submissions graded per minute for a class of mixed work.

    python scripts/batch_throughput.py [--count 50] [--jobs N] [--seed 7] [--keep DIR] [--shards N]
                                       [--drawn-at COMMIT]

Builds COUNT submissions in a temporary folder, each exercise of each one drawn (seeded) from
what a real class hands in: the reference solution, a correct or a broken implementation from
tests/implementations/, the untouched stub, or nothing. Then runs `python -m grader batch` on
them once and reports the wall time, the rate, and the machine's load average before and after
(the figure depends on the machine and on what else runs on it). With ``--shards N`` it runs N
``grader batch --shard K/N`` processes side by side (each with --shard-jobs, default 1) and then
``grader merge``, and reports the wall time of the whole, and whether the merged grades.csv is
the unsharded one's when ``--compare`` also runs the unsharded batch. Not a test: reported, never
asserted (tests/test_merge.py tests the merge on a smaller class).

The class grows with tests/implementations/ (more broken programs, more that wait out a
time-out) and with the track. ``--drawn-at COMMIT`` draws it from that commit's solutions, stubs
and implementations instead, for its exercises only: the same class, whatever was added since,
so that figures taken months apart compare (0371fa3 is the class of issue 16's 38.7 a minute).
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


def variants(exercise, root=ROOT):
    """kind -> candidate files for one exercise (kinds with no file are left out)."""
    name = exercise.name
    implementations = root / "tests" / "implementations" / name
    found = {
        "solution": [root / "solutions" / name / f"{name}.py"],
        "correct": sorted(implementations.glob("correct_*.py")),
        "broken": sorted(implementations.glob("broken_*.py")),
        "stub": [root / "exercises" / name / f"{name}.py"],
        "missing": [None],
    }
    return {kind: files for kind, files in found.items() if files and all(f is None or f.is_file() for f in files)}


def tree_at(commit, folder):
    """The solutions, stubs and implementations of ``commit``, extracted into ``folder``."""
    archive = subprocess.run(["git", "archive", commit, "solutions", "exercises", "tests/implementations"],
                             cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def exercises_in(root):
    """The track's exercises that ``root`` (this tree, or one of tree_at) has."""
    return [e for e in EXERCISES if (root / "exercises" / e.name).is_dir()]


def build_class(folder, count, seed, root=ROOT):
    """COUNT submissions in ``folder``, drawn from ``root`` (this tree, or one of tree_at), for the
    track's exercises that ``root`` has; returns how many of each kind were drawn."""
    rng = random.Random(seed)
    drawn = collections.Counter()
    exercises = exercises_in(root)
    choices = {e.name: variants(e, root) for e in exercises}
    for number in range(1, count + 1):
        submission = folder / f"learner{number:03d}"
        submission.mkdir(parents=True)
        for exercise in exercises:
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


def unsharded(submissions, out, args):
    command = [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(out)]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    print(result.stdout.strip())
    print(f"load average after: {load()}")
    print(f"unsharded: wall time {elapsed:.1f} s; exit status {result.returncode}; "
          f"throughput {args.count / elapsed * 60:.1f} submissions per minute")


def sharded(submissions, work, args):
    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, "-m", "grader", "batch", str(submissions), "--shard",
                                   f"{k}/{args.shards}", "--jobs", str(args.shard_jobs), "--out",
                                   str(work / f"shard-{k}")], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True) for k in range(1, args.shards + 1)]
    for process in processes:
        out, _ = process.communicate()
        print(out.strip().splitlines()[0] if out.strip() else f"exit status {process.returncode}")
    graded = time.perf_counter() - started
    merge = subprocess.run([sys.executable, "-m", "grader", "merge",
                            *(str(work / f"shard-{k}") for k in range(1, args.shards + 1)),
                            "--out", str(work / "merged")], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    print(merge.stdout.strip() or merge.stderr.strip())
    print(f"load average after: {load()}")
    print(f"{args.shards} shards: wall time {elapsed:.1f} s (merge {elapsed - graded:.1f} s); exit status "
          f"{merge.returncode}; throughput {args.count / elapsed * 60:.1f} submissions per minute")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=None, help="passed to grader batch (default: its own)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the class and the grades here, and keep them")
    parser.add_argument("--shards", type=int, default=0, help="grade in N shards side by side, then merge")
    parser.add_argument("--shard-jobs", type=int, default=1, help="--jobs of each shard (default 1)")
    parser.add_argument("--compare", action="store_true", help="with --shards: also the unsharded batch, "
                        "and compare the gradebooks")
    parser.add_argument("--drawn-at", metavar="COMMIT", help="draw the class from this commit's tree (git)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="netkata-throughput-"))
    try:
        submissions, out = work / "submissions", work / "grades"
        root = tree_at(args.drawn_at, Path(tempfile.mkdtemp(dir=work))) if args.drawn_at else ROOT
        drawn = build_class(submissions, args.count, args.seed, root)
        print(f"{args.count} submissions x {len(exercises_in(root))} exercises"
              + (f" (drawn at {args.drawn_at})" if args.drawn_at else "") + "; drawn: "
              + ", ".join(f"{kind} {drawn[kind]}" for kind in KINDS))
        print(f"cores: {os.cpu_count()}; load average before: {load()}")
        if not args.shards or args.compare:
            unsharded(submissions, out, args)
        if args.shards:
            sharded(submissions, work, args)
            if args.compare:
                same = (out / "grades.csv").read_bytes() == (work / "merged" / "grades.csv").read_bytes()
                print(f"merged grades.csv {'is' if same else 'is NOT'} byte for byte the unsharded one")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
