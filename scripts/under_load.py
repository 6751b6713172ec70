"""Do the reference solutions pass every check while other processes keep all the cores busy?

    python scripts/under_load.py [--runs 50] [--burners 2] [--timeout 600]

Starts BURNERS pure-Python busy loops (one process each; see scripts/_load.py), then runs
`python -m grader --solutions --format json` RUNS times, one after the other, and counts the
runs in which every check passed. A check that fails only on a busy machine is a time limit
with too small a margin (see scripts/margins.py), or a race: each failing check's message is
printed. Also prints the wall time of a run (min, median, max) and the load, to show that the
cores were busy. Exit status 0 only when every run passed every check.

Each run is bounded (--timeout seconds; then it is interrupted, killed, and its learner
processes with it); the burners are stopped however the script ends.
"""

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _load import burners, busy_since, cpu_times, describe, load  # noqa: E402
from grader.cli.batch import run_bounded  # noqa: E402  (a process group, interrupted then killed)


def failing_checks(finished):
    """(exercise, check, message) for every check of one run that did not pass, or why the run failed."""
    if finished.timed_out:
        return [("-", "-", "the grader did not finish within the bound")]
    try:
        report = json.loads(finished.stdout)
    except ValueError:
        return [("-", "-", f"no JSON report (exit status {finished.returncode}): {finished.stderr.strip()[-500:]}")]
    failing = [(e["name"], c["name"], c["message"]) for e in report["exercises"] for c in e["checks"]
               if c["status"] != "passed"]
    if finished.returncode != 0 and not failing:
        failing.append(("-", "-", f"exit status {finished.returncode}: {finished.stderr.strip()[-500:]}"))
    return failing


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600.0, help="bound on one run, seconds")
    args = parser.parse_args()
    command = [sys.executable, "-m", "grader", "--solutions", "--format", "json"]
    print(f"{args.runs} runs of: python -m grader --solutions --format json")
    print(f"load: {describe(args.burners)}; /proc/loadavg before: {load()}")
    passed, times, failures = 0, [], collections.Counter()
    with burners(args.burners) as pids:
        time.sleep(1.0)  # let the burners get going before the first run
        cpu_before = cpu_times()
        print(f"burner pids: {pids}")
        for number in range(1, args.runs + 1):
            finished = run_bounded(command, timeout=args.timeout, cwd=ROOT)
            times.append(finished.elapsed)
            failing = failing_checks(finished)
            if failing:
                print(f"run {number}: FAILED ({finished.elapsed:.1f} s)")
                for exercise, check, message in failing:
                    failures[(exercise, check)] += 1
                    print(f"  {exercise} / {check}:\n    " + message.replace("\n", "\n    "))
            else:
                passed += 1
            if number % 10 == 0 or number == args.runs:
                print(f"after {number} runs: {passed} passed; /proc/loadavg {load()}", flush=True)
        busy = busy_since(cpu_before)
    print(f"/proc/loadavg after the burners stopped: {load()}")
    print(f"all cores busy {busy} of the time while the runs went on")
    print(f"wall time per run: min {min(times):.2f} s, median {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s")
    for (exercise, check), count in failures.most_common():
        print(f"  failed {count} time(s): {exercise} / {check}")
    print(f"RESULT: {passed}/{args.runs} runs passed every check")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
