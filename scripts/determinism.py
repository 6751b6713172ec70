"""Does grading the same submissions again give the same reports, timings aside?

    python scripts/determinism.py [--runs 20] [--jobs 2] [--trees 10] [--only STEM,...] [--keep DIR]
    python scripts/determinism.py --summarise DIR      # compare again the runs kept in DIR

Builds a fixed set of submission trees (no randomness: sorted files, picked by position) from
tests/implementations/<exercise>/ and, if present, tests/hostile/<exercise>/: every correct_*
file, every hostile file, and broken_* files spread evenly over the sorted list, enough to fill
TREES trees (at least 3; there are more trees when an exercise has more files). Each tree mixes one implementation per exercise (rotated, so that a tree holds
correct and broken ones). --only takes just the named files (by stem, any exercise), the other
exercises being left out, to measure one suspect more often. Then runs `python -m grader batch` on them RUNS times, reading each
submission's JSON report with every "duration" key removed.

Prints, per submission, how many distinct reports the runs gave (1 is deterministic) and, for
each difference, which exercise, check and field differed and how (the differing words of a
message, and in how many runs each version came). Grades (total, and status and score of every
exercise and check) are compared on their own: a message that quotes a byte count that depends
on how TCP cut the stream is a flaw to know about, a grade that changes is a bug.

Exit status: 0 when every run gave identical reports, 1 when grades were identical but some
other field differed, 3 when a grade differed or a submission could not be graded.
"""

import argparse
import collections
import difflib
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.cli.batch import run_bounded  # noqa: E402  (a process group, interrupted then killed)
from grader.track import EXERCISES  # noqa: E402

MIN_BROKEN = 3  # broken files per exercise, however many correct and hostile ones fill the trees
BATCH_BOUND = 3600.0  # seconds for one whole batch run; grader batch bounds each submission itself


def spread(files, count):
    """``count`` of ``files`` at evenly spaced positions (all of them if there are no more)."""
    if count >= len(files):
        return list(files)
    if count <= 0:
        return []
    if count == 1:
        return [files[0]]
    return [files[round(i * (len(files) - 1) / (count - 1))] for i in range(count)]


def implementations(exercise, trees, only=None):
    """The files one exercise contributes, in tree order: correct, hostile, then broken ones."""
    folder = ROOT / "tests" / "implementations" / exercise.name
    correct = sorted(folder.glob("correct_*.py"))
    hostile = sorted((ROOT / "tests" / "hostile" / exercise.name).glob("*.py"))
    broken = sorted(folder.glob("broken_*.py"))
    if only:
        return [f for f in correct + hostile + broken if f.stem in only]
    return correct + hostile + spread(broken, max(trees - len(correct) - len(hostile), MIN_BROKEN))


def build(folder, trees, only=None):
    """Write the submission trees; return {submission: {exercise: source file}}."""
    chosen = {e.name: implementations(e, trees, only) for e in EXERCISES}
    if only:
        trees = 1
    count = max(trees, *(len(files) for files in chosen.values()))
    plan = {}
    for number in range(count):
        name = f"submission{number + 1:02d}"
        plan[name] = {}
        for shift, exercise in enumerate(EXERCISES):
            files = chosen[exercise.name]
            if not files:
                continue
            source = files[(number + 3 * shift) % len(files)]  # rotated: correct ones spread out
            target = folder / name / exercise.name / exercise.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
            plan[name][exercise.name] = source.relative_to(ROOT)
    return plan


def without_timings(value):
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k != "duration"}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def grades(report):
    """What a grade is made of: the total, and the status and score of every exercise and check."""
    return (report["score"], tuple(
        (e["name"], e["status"], e["score"], tuple((c["name"], c["status"], c["score"]) for c in e["checks"]))
        for e in report["exercises"]))


def fields(report):
    """(exercise, check, field) -> value, for every field of a normalised report."""
    flat = {("-", "-", k): v for k, v in report.items() if k != "exercises"}
    for exercise in report["exercises"]:
        flat.update({(exercise["name"], "-", k): v for k, v in exercise.items() if k != "checks"})
        for check in exercise["checks"]:
            flat.update({(exercise["name"], check["name"], k): v for k, v in check.items()})
    return flat


def word_diff(old, new, most=300):
    """The words that differ between two texts, as "-[removed] +[added]" pieces. Only the words
    between their common first and last words are compared, at most ``most`` of them (a word
    diff of two long texts is slow)."""
    a, b = old.split(), new.split()
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start:len(a) - end][:most], b[start:len(b) - end][:most]
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            pieces.append(f"-[{' '.join(a[i1:i2])}] +[{' '.join(b[j1:j2])}]")
    return "; ".join(pieces)


# What may legitimately differ in a message, masked in this order to say what a difference is made
# of. A port is a bare 4- or 5-digit integer (the grader writes byte counts with thousands
# separators, 8,388,608, and seconds with a decimal point); the OS picks a free port every run.
MASKS = (("ports", re.compile(r"(?<![\d.])(?<!\d,)\d{4,5}(?!\d|[.,]\d)")),
         ("seconds", re.compile(r"\d+\.\d+")),
         ("other numbers", re.compile(r"\d[\d,]*")))


def classify(field, old, new):
    """(kinds, diff): what the difference between two values of a field is made of ("grade" for a
    status or score; in a text: "ports", "seconds", "other numbers", "text") and the word diff
    left once ports and seconds are masked."""
    if field in ("status", "score", "max_score"):
        return ["grade"], word_diff(json.dumps(old), json.dumps(new))
    if not (isinstance(old, str) and isinstance(new, str)):
        return ["value"], word_diff(json.dumps(old), json.dumps(new))
    a, b = old, new
    kinds, shown = [], None
    for kind, pattern in MASKS:
        masked_a, masked_b = pattern.sub("#", a), pattern.sub("#", b)
        if word_diff(masked_a, masked_b) != word_diff(a, b):
            kinds.append(kind)
        if kind == "other numbers" and shown is None:
            shown = word_diff(a, b)  # ports and seconds masked: what is left to explain
        a, b = masked_a, masked_b
    if a != b:
        kinds.append("text")
    return kinds, shown


def describe_differences(versions, tally):
    """Lines saying which fields differ among the versions (normalised reports, with run counts),
    what each difference is made of, and the diff left once ports and seconds are masked."""
    flats = [(fields(report), runs) for report, runs in versions]
    keys = sorted({key for flat, _ in flats for key in flat})
    lines = []
    for key in keys:
        values = collections.Counter()
        for flat, runs in flats:
            values[json.dumps(flat.get(key), sort_keys=True, ensure_ascii=False)] += runs
        if len(values) == 1:
            continue
        (common, _), *others = values.most_common()
        kinds, diffs = set(), collections.Counter()
        for other, runs in others:
            found, diff = classify(key[2], json.loads(common), json.loads(other))
            kinds.update(found)
            if diff:
                diffs[diff[:300]] += runs
        counts = [n for _, n in values.most_common()]
        spread = ", ".join(map(str, counts)) if len(counts) <= 6 else f"{counts[0]}, ... ({len(counts)} versions)"
        lines.append(f"    {' / '.join(key)}: runs per version {spread}; differs in: {', '.join(sorted(kinds))}")
        lines += [f"      {diff}   ({runs} run(s) against the most common)" for diff, runs in diffs.most_common(5)]
        tally.update(sorted(kinds))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--trees", type=int, default=10, help="at least this many submissions")
    parser.add_argument("--only", type=lambda text: set(text.split(",")), metavar="STEM,...",
                        help="only these implementations, e.g. broken_selectors_drops_unsent")
    parser.add_argument("--keep", type=Path, help="build the submissions and the reports here, and keep them")
    parser.add_argument("--summarise", type=Path, metavar="DIR",
                        help="grade nothing: compare the reports of the runs kept in DIR by --keep")
    args = parser.parse_args()
    if args.summarise:
        return summarise(*load_runs(args.summarise))
    work = args.keep or Path(tempfile.mkdtemp(prefix="netkata-determinism-"))
    try:
        plan = build(work / "submissions", args.trees, args.only)
        if not all(plan.values()):
            parser.error("no implementation matches --only")
        print(f"{len(plan)} submissions, {args.runs} runs of grader batch --jobs {args.jobs}:")
        for name, files in plan.items():
            print(f"  {name}: " + ", ".join(("hostile:" if "hostile" in f.parts else "") + f.stem
                                            for f in files.values()))
        started = time.monotonic()
        for run in range(1, args.runs + 1):
            out = work / f"run{run:02d}"
            command = [sys.executable, "-m", "grader", "batch", str(work / "submissions"),
                       "--jobs", str(args.jobs), "--out", str(out)]
            finished = run_bounded(command, timeout=BATCH_BOUND, cwd=ROOT)
            if finished.returncode != 0:
                print(f"run {run}: grader batch exit status {finished.returncode}"
                      f"{' (timed out)' if finished.timed_out else ''}: {finished.stderr.strip()[-300:]}")
            print(f"run {run}: {finished.elapsed:.1f} s", flush=True)
        print(f"{args.runs} runs in {time.monotonic() - started:.0f} s")
        return summarise(*load_runs(work, plan))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def load_runs(work, names=None):
    """({submission: [its report without timings, or None, per run]}, runs) from work/run*/."""
    runs = sorted(path for path in work.glob("run*") if path.is_dir())
    names = names or sorted({path.stem for run in runs for path in run.glob("submission*.json")})
    return {name: [without_timings(json.loads((run / f"{name}.json").read_text()))
                   if (run / f"{name}.json").exists() else None for run in runs] for name in names}, len(runs)


def summarise(reports, runs):
    same_reports = same_grades = True
    tally = collections.Counter()  # kind of difference -> fields that showed it
    print(f"\n{'submission':<14} distinct reports  distinct grades  not graded")
    for name, per_run in reports.items():
        graded = [r for r in per_run if r is not None]
        versions = collections.Counter(json.dumps(r, sort_keys=True) for r in graded)
        grade_versions = {grades(r) for r in graded}
        missing = runs - len(graded)
        print(f"{name:<14} {len(versions):>16}  {len(grade_versions):>15}  {missing:>10}")
        same_reports &= len(versions) == 1 and not missing
        same_grades &= len(grade_versions) == 1 and not missing
        if len(versions) > 1:
            print("\n".join(describe_differences([(json.loads(v), n) for v, n in versions.most_common()], tally)))
    if tally:
        print("\nfields that differed, by what differed: "
              + ", ".join(f"{kind} {count}" for kind, count in sorted(tally.items())))
    print(f"\nRESULT: {runs} runs, {len(reports)} submissions; reports without timings identical: "
          f"{'yes' if same_reports else 'NO'}; grades identical: {'yes' if same_grades else 'NO'}")
    return 0 if same_reports else 1 if same_grades else 3


if __name__ == "__main__":
    sys.exit(main())
