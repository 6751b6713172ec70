"""Time the grader as learners and instructors run it: whole commands, median of several runs.

    python scripts/benchmark.py [--runs N]

Measures `grader --solutions` (every check against the reference solutions), each exercise's
solution on its own, and `grader` on the untouched stubs, next to the bare interpreter start-up
the stub figure sits on top of; then the ratio of the whole track to its slowest exercise alone,
both from this run (exercises are graded side by side, so the track should take little more
than its slowest); and whether grader/track.py's ``seconds``, by which the longest exercises are
started first, still name the longest. Not a test: timings depend on the machine, so they are reported, not asserted.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.engine.catalog import checks_of  # noqa: E402
from grader.track import BY_NAME, EXERCISES  # noqa: E402


def timed(command, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), max(times), result.returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    grader = [sys.executable, "-m", "grader"]
    rows = [("python -c pass (interpreter start-up)", [sys.executable, "-c", "pass"]),
            ("grader  (untouched stubs)", grader),
            ("grader --solutions  (all exercises)", grader + ["--solutions"])]
    rows += [(f"grader {e.name} --solutions", grader + [e.name, "--solutions"])
             for e in EXERCISES if checks_of(e.name)]
    print(f"median of {runs} runs, seconds (min-max), exit status")
    medians = {}
    for label, command in rows:
        median, low, high, code = timed(command, runs)
        medians[label] = median
        print(f"  {label:<48} {median:6.2f}  ({low:.2f}-{high:.2f})  exit {code}")
    alone = {label: m for label, m in medians.items() if label.startswith("grader ") and "(" not in label}
    if alone:
        slowest = max(alone, key=alone.get)
        whole = medians["grader --solutions  (all exercises)"]
        print(f"  whole track / slowest exercise alone ({slowest.split()[1]}): {whole / alone[slowest]:.2f}")
        print(f"  stubs over the bare interpreter: "
              f"{medians['grader  (untouched stubs)'] - medians['python -c pass (interpreter start-up)']:.2f} s")
        # The workers start the longest exercises first by grader/track.py's ``seconds``: say
        # when this run's order (less the grader's own start, the stubs' figure) disagrees.
        start = medians["grader  (untouched stubs)"]
        measured = {e.name: alone[f"grader {e.name} --solutions"] - start for e in EXERCISES
                    if f"grader {e.name} --solutions" in alone}
        by_hint = sorted(measured, key=lambda name: -BY_NAME[name].seconds)
        by_run = sorted(measured, key=lambda name: -measured[name])
        print("  longest first (track.py seconds -> this run): " + ", ".join(
            f"{name} {BY_NAME[name].seconds:g} -> {measured[name]:.2f}" for name in by_hint[:4]))
        if by_hint[:2] != by_run[:2]:
            print(f"  update grader/track.py's seconds: this run's two longest are {', '.join(by_run[:2])}")


if __name__ == "__main__":
    main()
