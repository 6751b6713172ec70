"""``grader batch SUBMISSIONS``: grade a whole class, one learner's tree per sub-folder.

    grader batch SUBMISSIONS [EXERCISE ...] [--jobs N] [--out DIR] [--timeout SECONDS] [--check TEXT]
                 [--shard K/N | --shard auto]

Every submission is graded by its own ``python -m grader --path SUB --format json`` process, at
most N at a time (default: the number of cores). Each such process is the leader of a process
group of its own, has a hard time bound, and has its output drained with a size cap, so a
submission that hangs, crashes or floods its output costs its own bound and nothing else. The
learner processes each grader starts run in sessions of their own, on ports the operating
system picks for that grader; when a grader has to be stopped it is interrupted first (it then
stops its learner processes itself), then killed, and any learner process still marked as its
own is killed too.

A grader never grades a submission's folder itself, only a fresh copy of the one file per
exercise that grader/cli/submission.py picks (the same rule as the Gradescope runner's); the
reports name the submission's own files, relative to it.

Writes ``DIR/grades.csv`` (a row per submission, sorted by name, a column per exercise graded,
the total and notes), ``DIR/<submission>.json`` (the submission's JSON report) and
``DIR/<submission>.html`` (the same as a page), ``DIR/gradebook.json`` (the grader's version and
digest, the exercises and checks graded, the class, the shard, each submission's outcome) and
``DIR/index.html``, the class report (grader/reports/html.py).

With ``--shard K/N`` only the submissions whose name hashes to shard K of N are graded (a stable
hash of the name alone: adding a submission moves no other), into a partial gradebook that
``grader merge`` (grader/cli/merge.py) joins with the others into what one unsharded run writes;
``--shard auto`` reads K and N from the variables the schedulers set (``shard_from_environment``).

A submission that could not be graded has no total; its notes say why, and
``DIR/<submission>.log`` holds what the grader printed. One stopped at its time-out keeps the checks that ran in its report.
Exit status 0 when every submission was graded (whatever its score), 1 when any could not be, 2
for a usage error, 130 when interrupted.

Ctrl-C stops every grader as a timeout does (each writes a partial report, which is not used: a
grader that exits 130 did not grade its submission) and writes no gradebook; pressed again, it
waits for that cleanup instead of cutting it short (grader/engine/interrupt.py).
"""

import argparse
import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import grader
from grader.cli import submission
from grader.cli.common import ExitStatus, UsageError, check_limits, run_guarded, select_exercises
from grader.cli.main import add_isolation_option, isolate
from grader.learner.sandbox import MODE_VARIABLE
from grader.engine import interrupt
from grader.engine.catalog import checks_of
from grader.engine.parallel import WORKERS_VARIABLE, machine_workers
from grader.learner.output import CappedOutput
from grader.learner import attempts
from grader.learner.process import LearnerProcess, stop_strays
from grader.quoting import inline
from grader.reports.json_report import write_json
from grader.results import INTERRUPTED
from grader.track import EXERCISES

DEFAULT_TIMEOUT = 600.0  # seconds per submission; the grader's own budgets end far sooner
INTERRUPT_GRACE = 5.0  # seconds between asking a grader to stop (SIGINT) and killing it
OUTPUT_KEEP = 32 * 1024  # bytes kept from the start and from the end of a grader's output
IGNORED_FOLDERS = {"__MACOSX", "__pycache__"}
WORK_PREFIX = "netkata-batch-"  # the temporary folder holding the copy graded for a submission
GRADER_HOME = Path(grader.__file__).resolve().parent.parent  # the folder that holds the package
GRADEBOOK = "grades.csv"
MANIFEST = "gradebook.json"  # what the gradebook was graded with and how: what grader merge checks
CLASS_REPORT = "index.html"



# -- one bounded process -------------------------------------------------------------------------

@dataclass
class Finished:
    returncode: int | None  # None when it had to be stopped
    timed_out: bool
    stdout: str
    stderr: str
    elapsed: float
    found: tuple = ()  # grader.cli.submission.Located, one per exercise graded


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
    found: tuple = ()  # grader.cli.submission.Located, one per exercise graded


def exercise_workers(jobs):
    """How many of its exercises each submission's grader grades at once: together, ``jobs``
    submissions grade no more exercises at once than one grader run would (machine_workers),
    and each grades at least one. A submission's exercises mostly wait, so overlapping them
    keeps the batch's throughput as the track grows."""
    return max(1, machine_workers() // jobs)


def grade_submission(folder, out, *, timeout, exercises=EXERCISES, focus=None, cancel=None, workers=1):
    name = folder.name
    final, log = out / f"{name}.json", out / f"{name}.log"
    partial = out / f".{name}.json.partial"
    for stale in (final, log, partial, out / f"{name}.html"):
        stale.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{name}-", ignore_cleanup_errors=True) as work:
        tree = Path(work) / name
        tree.mkdir()
        found = submission.copy_into(folder, tree, exercises)
        command = [sys.executable, "-m", "grader", *(e.name for e in exercises if len(exercises) < len(EXERCISES)),
                   "--path", str(tree), "--format", "json", "--output", str(partial.resolve())]
        if focus:
            command += ["--check", focus]
        # ``workers`` exercises at a time (exercise_workers): no more processes run at once than
        # --jobs implies.
        finished = run_bounded(command, timeout=timeout, cancel=cancel, env={**os.environ, WORKERS_VARIABLE: str(workers)})
        pairs = submission.path_names(tree, name, found)
    problem = None
    report = None
    if finished.timed_out:
        problem = f"not graded: the grader did not finish within its time-out of {timeout:g} s"
    elif finished.returncode is None:
        problem = "not graded: batch was interrupted"
    elif finished.returncode not in (0, 1):
        last = finished.stderr.strip().splitlines()[-1:] or ["no message"]
        problem = f"not graded: the grader exited with status {finished.returncode} ({last[0][:200]})"
    if problem is None or finished.timed_out:  # a grader stopped at its time-out leaves the checks that ran
        try:
            report = json.loads(partial.read_text(encoding="utf-8"))
            if not isinstance(report, dict) or not isinstance(report.get("exercises"), list):
                raise ValueError("no exercises in it")
            report = submission.renamed(report, pairs)
            if finished.timed_out:
                report = submission.renamed(report, [(INTERRUPTED, f"skipped: the submission reached its "
                                                                   f"time-out of {timeout:g} s first")])
            with open(partial, "w", encoding="utf-8") as file:
                write_json(report, file)
            os.replace(partial, final)
        except (OSError, ValueError) as exc:
            report = None
            if problem is None:
                problem = f"not graded: the grader wrote no readable report ({exc})"
    partial.unlink(missing_ok=True)
    if problem is not None:
        log.write_text(f"{problem}\n\n--- standard output ---\n{finished.stdout}\n"
                       f"--- standard error ---\n{finished.stderr}\n", encoding="utf-8",
                       errors="backslashreplace")
    return Graded(name, report, problem, finished.elapsed, tuple(found))


def notes_of(graded):
    """The gradebook's ``notes`` cell: what whoever keeps the grades must know, or ""."""
    notes = []
    if graded.problem is not None:
        notes.append(graded.problem)
        if graded.report is not None:
            unrun = [e["name"] for e in graded.report["exercises"] if e.get("interrupted")]
            if unrun:
                notes.append("the checks that ran are in its report; not finished: " + ", ".join(unrun))
    statuses = {e["name"]: e["status"] for e in graded.report["exercises"]} if graded.report else {}
    helpers = {e["name"] for e in (graded.report or {}).get("exercises", [])
               if any(LearnerProcess.ONE_FILE in (c.get("message") or "") for c in e["checks"][:1])}
    for located in graded.found:
        if statuses.get(located.exercise) == "not_started":
            notes.append(f"{located.exercise}: not started")
        elif located.exercise in helpers:
            notes.append(f"{located.exercise}: imports a module of its own that was not handed in with it "
                         "(one file per exercise)")
        elif located.note:
            notes.append(f"{located.exercise}: {located.note}")
    for exercise in (graded.report or {}).get("exercises", []):
        if any(note.startswith(attempts.NOTE_START) for note in exercise.get("notes", ())):
            notes.append(f"{exercise['name']}: tried what the sandbox does not allow (its report says what)")
    return "; ".join(notes)


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


def write_gradebook(path, results, exercises=EXERCISES):
    """grades.csv: a submission that was not graded in full has empty cells where no score is
    whole (every cell, when it has no report) and says why in ``notes``."""
    names = [e.name for e in exercises]
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["submission", *names, "total", "notes"])
        for graded in sorted(results, key=lambda g: g.name):
            notes = notes_of(graded)
            if graded.problem is not None:
                whole = {e["name"]: e["score"] for e in (graded.report or {}).get("exercises", [])
                         if not e.get("interrupted")}
                writer.writerow([graded.name, *(_points(whole[n]) if n in whole else "" for n in names), "", notes])
                continue
            scores = {e["name"]: e["score"] for e in graded.report["exercises"]}
            writer.writerow([graded.name, *(_points(scores[n]) if n in scores else "" for n in names),
                             _points(graded.report["score"]), notes])


# -- shards --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shard:
    index: int  # 1 to count
    count: int

    def __str__(self):
        return f"{self.index}/{self.count}"


def shard_of(name, count):
    """The shard (1 to ``count``) that the submission ``name`` belongs to: a hash of the name
    alone, the same on every machine and in every run, whatever else the class holds."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text, environ=None):
    """``K/N`` (1 <= K <= N), or ``auto``: from the environment (``shard_from_environment``)."""
    if text == "auto":
        return shard_from_environment(os.environ if environ is None else environ)
    index, slash, count = text.partition("/")
    try:
        shard = Shard(int(index), int(count))
    except ValueError:
        shard = None
    if not slash or shard is None or shard.count < 1 or not 1 <= shard.index <= shard.count:
        raise UsageError(f"--shard takes K/N with 1 <= K <= N (such as 2/3), or auto; not {text!r}")
    return shard


def _number(environ, name):
    try:
        return int(environ[name])
    except ValueError:
        raise UsageError(f"--shard auto: {name} is not a whole number: {environ[name]!r}") from None


def shard_from_environment(environ):
    """The shard the scheduler running this process gave it, from the first of:

    - ``NETKATA_SHARD=K/N`` (any scheduler; a GitHub Actions matrix sets it per job);
    - ``JOB_COMPLETION_INDEX`` (a Kubernetes Indexed Job: 0 to completions - 1) with
      ``NETKATA_SHARDS`` (the Job's ``completions``, which Kubernetes does not pass on);
    - ``SLURM_ARRAY_TASK_ID`` (a Slurm array job), with ``SLURM_ARRAY_TASK_MIN`` and
      ``SLURM_ARRAY_TASK_COUNT``: the array must be a range without a step (``--array=0-7`` or
      ``1-8``), its first task being shard 1."""
    if "NETKATA_SHARD" in environ:
        if environ["NETKATA_SHARD"].strip() == "auto":
            raise UsageError("NETKATA_SHARD must be K/N itself (such as 2/3), not auto")
        try:
            return parse_shard(environ["NETKATA_SHARD"])
        except UsageError as exc:
            raise UsageError(f"NETKATA_SHARD: {exc}") from None
    if "JOB_COMPLETION_INDEX" in environ:
        if "NETKATA_SHARDS" not in environ:
            raise UsageError("--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but "
                             "NETKATA_SHARDS is not: set it to the Job's completions")
        return _checked(_number(environ, "JOB_COMPLETION_INDEX") + 1, _number(environ, "NETKATA_SHARDS"),
                        "JOB_COMPLETION_INDEX and NETKATA_SHARDS")
    if "SLURM_ARRAY_TASK_ID" in environ:
        missing = [n for n in ("SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT")
                   if n not in environ]
        if missing:
            raise UsageError(f"--shard auto: SLURM_ARRAY_TASK_ID is set but not {', '.join(missing)}")
        first, last = _number(environ, "SLURM_ARRAY_TASK_MIN"), _number(environ, "SLURM_ARRAY_TASK_MAX")
        count = _number(environ, "SLURM_ARRAY_TASK_COUNT")
        if last - first + 1 != count or environ.get("SLURM_ARRAY_TASK_STEP", "1") != "1":
            raise UsageError(f"--shard auto: the Slurm array must be a range without a step or gaps "
                             f"(such as --array=1-{count}); this one runs {count} tasks from {first} to {last}")
        return _checked(_number(environ, "SLURM_ARRAY_TASK_ID") - first + 1, count, "SLURM_ARRAY_TASK_*")
    raise UsageError("--shard auto: no shard in the environment: set NETKATA_SHARD=K/N, or run as a "
                     "Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with NETKATA_SHARDS) or a Slurm array "
                     "job (SLURM_ARRAY_TASK_ID)")


def _checked(index, count, source):
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard auto: {source} give shard {index} of {count}")
    return Shard(index, count)


# -- what the gradebook was graded with, and the pages -----------------------------------------------

def grader_identity():
    """The grader's version and a digest of its code, Python and libraries (grader/engine/memo.py):
    two gradebooks with the same identity were graded by the same grader."""
    from grader.engine.memo import grader_digest

    return {"version": grader.__version__, "digest": grader_digest()}


def class_identity(names):
    """The whole class (every submission's name), as every shard of it sees it."""
    text = "\n".join(sorted(names))
    return {"submissions": len(names), "digest": hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()}


def manifest(results, exercises, focus, names, shard, identity):
    return {
        "gradebook": "netkata grader batch",
        "grader": identity,
        "exercises": [e.name for e in exercises],
        "check": focus,
        "class": class_identity(names),
        "shard": None if shard is None else {"index": shard.index, "count": shard.count},
        "submissions": [{"name": g.name, "graded": g.problem is None, "problem": g.problem, "notes": notes_of(g)}
                        for g in sorted(results, key=lambda g: g.name)],
    }


def write_manifest(path, data):
    with open(path, "w", encoding="utf-8") as file:
        write_json(data, file)


def write_page(out, graded):
    """``DIR/<submission>.html``: its report as a page, or why it has none."""
    from grader.reports import html
    from grader.reports.load import report_from_json

    with open(out / f"{graded.name}.html", "w", encoding="utf-8") as file:
        if graded.report is None:
            html.not_graded_page(graded.name, graded.problem, file, back=CLASS_REPORT)
        else:
            title = graded.name if graded.problem is None else f"{graded.name} ({graded.problem})"
            html.write(report_from_json(graded.report), file, title=title, back=CLASS_REPORT)


def write_class_report(out):
    """``DIR/index.html`` from what ``DIR`` holds (its manifest and reports), so that one run and
    shards merged write the same page."""
    from grader.reports import html

    data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    entries = []
    for entry in data["submissions"]:  # (not `submission`: that is the module that finds the files)
        path = out / f"{entry['name']}.json"
        report = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        entries.append({"name": entry["name"], "report": report, "problem": entry["problem"],
                        "notes": entry["notes"]})
    with open(out / CLASS_REPORT, "w", encoding="utf-8") as file:
        html.write_class(file, entries=entries, exercises=data["exercises"], grader=data["grader"],
                         check=data["check"])


# -- progress ------------------------------------------------------------------------------------

def _duration(seconds):
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


class Progress:
    """On a terminal, one status line redrawn in place (done, not graded, rate, time left), with a
    line of its own for each submission that could not be graded; elsewhere (a pipe, a CI log) one
    plain line per submission, as it finishes."""

    def __init__(self, total, stream):
        self.total, self.stream = total, stream
        self.terminal = hasattr(stream, "isatty") and stream.isatty()
        self.done = self.failed = 0
        self.started = time.monotonic()
        self.width = len(str(total))
        if self.terminal and total:
            self._draw()

    def status(self):
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed * 60 if elapsed > 0 else 0.0
        left = (self.total - self.done) * elapsed / self.done if self.done else None
        when = f"about {_duration(left)} left" if left is not None else "time left not known yet"
        return (f"{self.done}/{self.total} graded, {self.failed} not graded, "
                f"{rate:.1f} per minute, {when}")

    def _draw(self):
        self.stream.write("\r\033[K" + self.status())
        self.stream.flush()

    def update(self, graded):
        self.done += 1
        self.failed += graded.problem is not None
        shown = graded.problem or f"{_points(graded.report['score'])}/{_points(graded.report['max_score'])}"
        if not self.terminal:
            print(f"[{self.done:>{self.width}}/{self.total}] {inline(graded.name)}: {shown}  "
                  f"({graded.elapsed:.1f} s)", file=self.stream, flush=True)
            return
        if graded.problem is not None:
            self.stream.write(f"\r\033[K{inline(graded.name)}: {shown}\n")
        self._draw()

    def finish(self):
        if self.terminal and self.total:
            self.stream.write("\r\033[K")
            self.stream.flush()


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
    p.add_argument("exercises", metavar="EXERCISE", nargs="*",
                   help="grade only these exercises, each submission scored out of them (default: all)")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help=f"submissions graded at once (default: the number of cores, {default_jobs()})")
    p.add_argument("--out", type=Path, default=Path("grades"), metavar="DIR",
                   help="where grades.csv and the reports go (default: grades/)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"hard time bound for one submission (default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--check", metavar="TEXT", dest="focus",
                   help="grade only the checks whose sentence contains TEXT (and the checks they need)")
    p.add_argument("--shard", metavar="K/N", type=str, default=None,
                   help="grade only shard K of N (1 <= K <= N; by a stable hash of each submission's name) "
                        "into a partial gradebook for `grader merge`; `auto` reads K and N from NETKATA_SHARD, "
                        "a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, NETKATA_SHARDS) or a Slurm array "
                        "(SLURM_ARRAY_TASK_ID)")
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
    shard = None if args.shard is None else parse_shard(args.shard)
    if args.focus and not any(args.focus.lower() in c.name.lower() for e in select_exercises(args.exercises)
                              for c in checks_of(e.name)):
        raise UsageError(f"no check contains {args.focus!r}")
    exercises = select_exercises(args.exercises)
    check_limits()  # every grader it starts would refuse the same NETKATA_LIMITS
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {args.out}: {exc.strerror}") from None
    everyone = submissions_in(args.submissions, args.out)
    identity = grader_identity()  # before grading: a grader changed on disk meanwhile is not the one that graded
    folders = everyone if shard is None else [f for f in everyone if shard_of(f.name, shard.count) == shard.index]
    jobs = args.jobs or default_jobs()
    progress = Progress(len(folders), sys.stderr)
    started = time.monotonic()
    cancel = threading.Event()
    results = []
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="batch")
    try:
        workers = exercise_workers(jobs)
        futures = [pool.submit(grade_submission, folder, args.out, timeout=args.timeout, exercises=exercises,
                               focus=args.focus, cancel=cancel, workers=workers) for folder in folders]
        for future in as_completed(futures):
            graded = future.result()
            results.append(graded)
            progress.update(graded)
    except KeyboardInterrupt:
        interrupt.note_interrupted()  # a second Ctrl-C now waits for the graders to be stopped
        cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)
        progress.finish()
        print("\ngrader batch: interrupted; no gradebook written", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    pool.shutdown()
    progress.finish()
    gradebook = args.out / GRADEBOOK
    with interrupt.protected():  # a gradebook is written whole
        for graded in results:
            write_page(args.out, graded)
        write_manifest(args.out / MANIFEST, manifest(results, exercises, args.focus,
                                                     [f.name for f in everyone], shard, identity))
        write_gradebook(gradebook, results, exercises)
        if shard is None:
            write_class_report(args.out)
        else:
            (args.out / CLASS_REPORT).unlink(missing_ok=True)  # a class report is of a whole class
    elapsed = time.monotonic() - started
    not_graded = [g.name for g in results if g.problem is not None]
    rate = f" ({len(folders) / elapsed * 60:.1f} per minute)" if folders and elapsed > 0 else ""
    of_shard = "" if shard is None else f" of shard {shard} (a class of {len(everyone)})"
    print(f"Graded {len(folders) - len(not_graded)} of {len(folders)} submissions{of_shard} in {elapsed:.1f} s"
          f"{rate} with {jobs} job{'s' if jobs != 1 else ''}. Gradebook: {gradebook}")
    if shard is None:
        print(f"Class report: {args.out / CLASS_REPORT}")
    else:
        print(f"A partial gradebook: join the {shard.count} shards with grader merge DIR... --out DIR")
    if not_graded:
        print("Not graded (see their .log files): " + ", ".join(inline(n) for n in not_graded))
    shown = sorted({g.report.get("isolation", "") for g in results if g.report is not None} - {""})
    print("Isolation: " + ("; ".join(shown) if shown else isolation))
    if interrupt.requested():  # Ctrl-C while the gradebook was written: it is whole, but say so
        print("\ngrader batch: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    return ExitStatus.NOT_PASSED if not_graded else ExitStatus.PASSED
