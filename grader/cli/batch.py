"""``grader batch SUBMISSIONS``: grade a whole class, one learner's tree per sub-folder.

    grader batch SUBMISSIONS [--jobs N] [--out DIR] [--timeout SECONDS] [--check TEXT]

Every submission is graded by its own ``python -m grader --path SUB --format json`` process, at
most N at a time (default: the number of cores). Each such process is the leader of a process
group of its own, has a hard time bound, and has its output drained with a size cap, so a
submission that hangs, crashes or floods its output costs its own bound and nothing else. The
learner processes each grader starts run in sessions of their own, on ports the operating
system picks for that grader; when a grader has to be stopped it is interrupted first (it then
stops its learner processes itself), then killed, and any learner process still marked as its
own is killed too.

A grader never grades a submission's folder itself, only a fresh copy of its exercise modules
(``<exercise>/<exercise>.py``, regular files, not symbolic links), as the Gradescope runner does:
the learner's program runs with its own folder first on its import path, so anything else shipped
beside a module would take part in the grade (a helper module the course never sees, or a
``__pycache__`` whose bytecode Python runs instead of the source beside it), and a symbolic link
could hand in another learner's file. The reports name the submission's own files.

Writes ``DIR/grades.csv`` (a row per submission, sorted by name, a column per exercise and the
total) and ``DIR/<submission>.json`` (the submission's JSON report). A submission that could not
be graded has no scores in its row; its total cell says why, and ``DIR/<submission>.log``
holds what the grader printed. Exit status 0 when every submission was graded (whatever its
score), 1 when any could not be, 2 for a usage error, 130 when interrupted.

Ctrl-C stops every grader as a timeout does (each writes a partial report, which is not used: a
grader that exits 130 did not grade its submission) and writes no gradebook; pressed again, it
waits for that cleanup instead of cutting it short (grader/engine/interrupt.py).
"""

import argparse
import csv
import json
import os
import signal
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import grader
from grader.cli.common import ExitStatus, UsageError, check_limits, run_guarded
from grader.cli.main import add_isolation_option, isolate
from grader.learner.sandbox import MODE_VARIABLE
from grader.engine import interrupt
from grader.engine.catalog import checks_of
from grader.engine.parallel import WORKERS_VARIABLE
from grader.learner.output import CappedOutput
from grader.learner.process import stop_strays
from grader.reports.json_report import write_json
from grader.track import EXERCISES

DEFAULT_TIMEOUT = 600.0  # seconds per submission; the grader's own budgets end far sooner
INTERRUPT_GRACE = 5.0  # seconds between asking a grader to stop (SIGINT) and killing it
OUTPUT_KEEP = 32 * 1024  # bytes kept from the start and from the end of a grader's output
IGNORED_FOLDERS = {"__MACOSX", "__pycache__"}
WORK_PREFIX = "netkata-batch-"  # the temporary folder holding the copy graded for a submission
GRADER_HOME = Path(grader.__file__).resolve().parent.parent  # the folder that holds the package



# -- one bounded process -------------------------------------------------------------------------

@dataclass
class Finished:
    returncode: int | None  # None when it had to be stopped
    timed_out: bool
    stdout: str
    stderr: str
    elapsed: float


def run_bounded(command, *, timeout, cwd=GRADER_HOME, env=None, cancel=None):
    """Run ``command`` as the leader of its own process group; stop it (and the learner processes
    it started) after ``timeout`` seconds or when ``cancel`` (a threading.Event) is set."""
    started = time.monotonic()
    kwargs = {"start_new_session": True} if os.name == "posix" else {
        "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    stdout = CappedOutput(process.stdout, keep=OUTPUT_KEEP)
    stderr = CappedOutput(process.stderr, keep=OUTPUT_KEEP)
    deadline = started + timeout
    timed_out = False
    try:
        while True:
            try:
                process.wait(timeout=min(0.2, max(0.0, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() >= deadline or (cancel is not None and cancel.is_set()):
                timed_out = time.monotonic() >= deadline
                stop(process)
                break
    finally:
        if process.poll() is None:
            stop(process)
        stop_strays(process.pid)
        stdout.join(2.0)
        stderr.join(2.0)
        process.stdout.close()
        process.stderr.close()
    code = None if timed_out or (cancel is not None and cancel.is_set()) else process.returncode
    return Finished(code, timed_out, stdout.text(), stderr.text(), time.monotonic() - started)


def stop(process):
    """Interrupt a grader (it stops its learner processes and exits), then kill its group."""
    if os.name != "posix":
        process.kill()
        process.wait()
        return
    _signal_group(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=INTERRUPT_GRACE)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(process.pid, signal.SIGKILL)
    process.wait()


def _signal_group(pgid, signum):
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


# -- one submission ------------------------------------------------------------------------------

@dataclass
class Graded:
    name: str
    report: dict | None  # the JSON report, when the submission was graded
    problem: str | None  # why it was not
    elapsed: float


def copy_modules(folder, tree):
    """Copy the exercise modules of submission ``folder`` into ``tree``, and nothing else (see
    the module's docstring): each ``<exercise>/<exercise>.py`` that is a regular file reached
    without a symbolic link. An exercise without one is graded as missing."""
    for exercise in EXERCISES:
        source = folder / exercise.name / exercise.filename
        if source.parent.is_symlink() or source.is_symlink() or not source.is_file():
            continue
        (tree / exercise.name).mkdir(parents=True)
        shutil.copyfile(source, tree / exercise.name / exercise.filename)


def renamed(value, old, new):
    """``value`` (a parsed JSON report) with the path ``old`` written as ``new`` in every string:
    the report of the graded copy, naming the submission's own files."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [renamed(item, old, new) for item in value]
    if isinstance(value, dict):
        return {key: renamed(item, old, new) for key, item in value.items()}
    return value


def grade_submission(folder, out, *, timeout, focus=None, cancel=None):
    name = folder.name
    final, log = out / f"{name}.json", out / f"{name}.log"
    partial = out / f".{name}.json.partial"
    for stale in (final, log, partial):
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{name}-", ignore_cleanup_errors=True) as work:
        tree = Path(work) / name
        tree.mkdir()
        copy_modules(folder, tree)
        command = [sys.executable, "-m", "grader", "--path", str(tree), "--format", "json",
                   "--output", str(partial.resolve())]
        if focus:
            command += ["--check", focus]
        # One exercise at a time in each submission's grader: the batch's parallelism is across
        # submissions (--jobs), and no more processes run at once than that implies.
        finished = run_bounded(command, timeout=timeout, cancel=cancel, env={**os.environ, WORKERS_VARIABLE: "1"})
    problem = None
    report = None
    if finished.timed_out:
        problem = f"not graded: the grader did not finish within {timeout:g} s"
    elif finished.returncode is None:
        problem = "not graded: interrupted"
    elif finished.returncode not in (0, 1):
        last = finished.stderr.strip().splitlines()[-1:] or ["no message"]
        problem = f"not graded: the grader exited with status {finished.returncode} ({last[0][:200]})"
    else:
        try:
            report = json.loads(partial.read_text(encoding="utf-8"))
            if not isinstance(report, dict) or not isinstance(report.get("exercises"), list):
                raise ValueError("no exercises in it")
            report = renamed(report, str(tree), str(folder.resolve()))
            with open(partial, "w", encoding="utf-8") as file:
                write_json(report, file)
            os.replace(partial, final)
        except (OSError, ValueError) as exc:
            report = None
            problem = f"not graded: the grader wrote no readable report ({exc})"
    partial.unlink(missing_ok=True)
    if problem is not None:
        log.write_text(f"{problem}\n\n--- standard output ---\n{finished.stdout}\n"
                       f"--- standard error ---\n{finished.stderr}\n", encoding="utf-8",
                       errors="backslashreplace")
    return Graded(name, report, problem, finished.elapsed)


# -- the class -----------------------------------------------------------------------------------

def submissions_in(folder, out):
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.is_dir() or entry.name.startswith(".") or entry.name in IGNORED_FOLDERS:
            continue
        if entry.resolve() == out.resolve():
            continue
        found.append(entry)
    return found


def _points(value):
    return f"{value:g}"


def write_gradebook(path, results):
    names = [e.name for e in EXERCISES]
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["submission", *names, "total"])
        for graded in sorted(results, key=lambda g: g.name):
            if graded.report is None:
                writer.writerow([graded.name, *([""] * len(names)), graded.problem])
                continue
            scores = {e["name"]: e["score"] for e in graded.report["exercises"]}
            writer.writerow([graded.name, *(_points(scores[n]) if n in scores else "" for n in names),
                             _points(graded.report["score"])])


def default_jobs():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def parser():
    p = argparse.ArgumentParser(
        prog="grader batch",
        description="Grade every sub-folder of SUBMISSIONS as one learner's implementation tree, in "
                    "parallel; write a CSV gradebook and each submission's JSON report.",
        epilog="Exit status: 0 every submission was graded (whatever its score), 1 some could not be, "
               "2 usage error.")
    p.add_argument("submissions", metavar="SUBMISSIONS", type=Path,
                   help="a folder with one sub-folder per learner, each laid out like exercises/")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help=f"submissions graded at once (default: the number of cores, {default_jobs()})")
    p.add_argument("--out", type=Path, default=Path("grades"), metavar="DIR",
                   help="where grades.csv and the reports go (default: grades/)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"hard time bound for one submission (default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--check", metavar="TEXT", dest="focus",
                   help="grade only the checks whose sentence contains TEXT (and the checks they need)")
    add_isolation_option(p)
    return p


def main(argv):
    args = parser().parse_args(argv)
    return run_guarded("grader batch", lambda: grade_class(args), interrupted="interrupted; no gradebook written")


def grade_class(args):
    # Refused at once under --isolation required (every grader it starts would refuse); each
    # submission's grader then isolates itself, in a network namespace of its own.
    isolation = isolate(args.isolation)
    if args.isolation:
        os.environ[MODE_VARIABLE] = args.isolation
    if not args.submissions.is_dir():
        raise UsageError(f"no such folder: {args.submissions}")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if args.focus and not any(args.focus.lower() in c.name.lower() for e in EXERCISES for c in checks_of(e.name)):
        raise UsageError(f"no check contains {args.focus!r}")
    check_limits()  # every grader it starts would refuse the same NETKATA_LIMITS
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {args.out}: {exc.strerror}") from None
    folders = submissions_in(args.submissions, args.out)
    jobs = args.jobs or default_jobs()
    progress = sys.stderr.isatty()
    started = time.monotonic()
    cancel = threading.Event()
    results = []
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="batch")
    try:
        futures = [pool.submit(grade_submission, folder, args.out, timeout=args.timeout,
                               focus=args.focus, cancel=cancel) for folder in folders]
        width = len(str(len(folders)))
        for future in as_completed(futures):
            graded = future.result()
            results.append(graded)
            if progress:
                shown = graded.problem or (f"{_points(graded.report['score'])}/"
                                           f"{_points(graded.report['max_score'])}")
                print(f"[{len(results):>{width}}/{len(folders)}] {graded.name}: {shown}  "
                      f"({graded.elapsed:.1f} s)", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        interrupt.note_interrupted()  # a second Ctrl-C now waits for the graders to be stopped
        cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)
        print("\ngrader batch: interrupted; no gradebook written", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    pool.shutdown()
    gradebook = args.out / "grades.csv"
    with interrupt.protected():  # a gradebook is written whole
        write_gradebook(gradebook, results)
    elapsed = time.monotonic() - started
    not_graded = [g.name for g in results if g.report is None]
    rate = f" ({len(folders) / elapsed * 60:.1f} per minute)" if folders and elapsed > 0 else ""
    print(f"Graded {len(folders) - len(not_graded)} of {len(folders)} submissions in {elapsed:.1f} s"
          f"{rate} with {jobs} job{'s' if jobs != 1 else ''}. Gradebook: {gradebook}")
    if not_graded:
        print("Not graded (see their .log files): " + ", ".join(not_graded))
    shown = sorted({g.report.get("isolation", "") for g in results if g.report is not None} - {""})
    print("Isolation: " + ("; ".join(shown) if shown else isolation))
    if interrupt.requested():  # Ctrl-C while the gradebook was written: it is whole, but say so
        print("\ngrader batch: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    return ExitStatus.NOT_PASSED if not_graded else ExitStatus.PASSED
