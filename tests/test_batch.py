"""`grader batch`: a class graded in parallel, a CSV gradebook, JSON reports, bounded submissions.

Real grading stays short: `--check RESETS` keeps the echo solution's grading to two checks, and
the other submissions are settled by reading (stubs, missing files) or fail at import.
"""

import csv
import importlib.util
import io
import json
import os
import py_compile
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, pristine_exercises, run_grader
from grader.cli import batch
from grader.cli import main as cli
from grader.track import EXERCISES
from grader.learner.process import stop_strays

HEADER = ["submission", *(e.name for e in EXERCISES), "total", "notes"]
ZEROS = ["0"] * len(EXERCISES)


def every_exercise(status):
    return "; ".join(f"{e.name}: {status}" for e in EXERCISES)


def make_class(folder):
    """alice: the untouched stubs; bob: an empty folder; carol: the echo solution; erin: an echo
    server that prints 20 MB at import, then fails. Plus things that are not submissions."""
    pristine_exercises(folder / "alice")
    (folder / "bob").mkdir()
    (folder / "carol" / "echo_server").mkdir(parents=True)
    shutil.copy(ROOT / "solutions/echo_server/echo_server.py", folder / "carol/echo_server/echo_server.py")
    (folder / "erin" / "echo_server").mkdir(parents=True)
    (folder / "erin/echo_server/echo_server.py").write_text(
        'import sys\nsys.stdout.write("x" * 20_000_000)\nraise RuntimeError("boom")\n')
    for ignored in (".git", "__MACOSX"):
        (folder / ignored / "echo_server").mkdir(parents=True)
    (folder / "notes.txt").write_text("not a submission\n")
    return folder


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_a_class_is_graded_into_a_gradebook_and_reports(tmp_path):
    submissions = make_class(tmp_path / "submissions")
    out = submissions / "grades"  # inside the submissions folder: not a submission itself
    result = run_grader("batch", submissions, "--out", out, "--jobs", "2", "--check", "RESETS")
    assert result.returncode == 0, result.stdout + result.stderr
    assert read_csv(out / "grades.csv") == [
        HEADER,
        ["alice", *ZEROS, "0", every_exercise("not started")],
        ["bob", *ZEROS, "0", every_exercise("missing")],
        ["carol", "2", *ZEROS[1:], "2", "; ".join(f"{e.name}: missing" for e in EXERCISES[1:])],
        ["erin", *ZEROS, "0", "; ".join(f"{e.name}: missing" for e in EXERCISES[1:])],
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.{kind}" for n in ("alice", "bob", "carol", "erin") for kind in ("json", "html")]
        + ["grades.csv", "gradebook.json", "index.html"])
    carol = json.loads((out / "carol.json").read_text())
    assert carol["exercises"][0]["status"] == "passed" and carol["score"] == 2.0
    erin = json.loads((out / "erin.json").read_text())["exercises"][0]
    assert erin["status"] == "failed" and "raised RuntimeError: boom" in erin["checks"][0]["message"]
    assert erin["printed"] == 20_000_000 and "printed 20,000,000 bytes in all" in erin["checks"][0]["message"]
    assert {e["status"] for e in json.loads((out / "bob.json").read_text())["exercises"]} == {"missing"}
    assert "Graded 4 of 4 submissions" in result.stdout
    lines = result.stderr.splitlines()  # in a pipe: one plain line per submission, no redrawn status
    assert len(lines) == 4 and all(re.match(r"\[[1-4]/4\] (alice|bob|carol|erin): ", line) for line in lines), lines
    assert "\r" not in result.stderr and "\033" not in result.stderr and "per minute" not in result.stderr
    assert len(result.stdout) + len(result.stderr) < 2000  # erin's flood stays in erin's report, capped


def _processes_mentioning(text):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as file:
                    if text.encode() in file.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_submission_that_hangs_costs_only_its_own_bound(tmp_path):
    submissions = tmp_path / "hanging-class"
    (submissions / "dave" / "echo_server").mkdir(parents=True)
    (submissions / "dave/echo_server/echo_server.py").write_text("while True:\n    pass\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "dave.json").write_text("{\"stale\": true}")  # from an earlier run: must not survive
    started = time.monotonic()
    result = run_grader("batch", submissions, "--out", out, "--timeout", "1.5")
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stdout + result.stderr
    (header, dave), = [read_csv(out / "grades.csv")]
    assert header == HEADER and dave[:2] == ["dave", ""] and dave[-2] == ""  # no whole score, no total
    assert set(dave[2:-2]) <= {"", "0"}  # missing exercises, scored 0 in full (if the grader got to them)
    assert dave[-1].startswith("not graded: the grader did not finish within its time-out of 1.5 s")
    log = (out / "dave.log").read_text()
    assert "not graded: the grader did not finish within its time-out of 1.5 s" in log
    if (out / "dave.json").exists():  # the checks that ran, when the grader got as far as writing them
        report = json.loads((out / "dave.json").read_text())
        assert "stale" not in report
        assert "(Ctrl-C)" not in json.dumps(report)
    assert "Not graded (see their .log files): dave" in result.stdout
    assert elapsed < 1.5 + batch.INTERRUPT_GRACE + 20
    time.sleep(0.2)
    assert _processes_mentioning(str(submissions)) == []
    assert _processes_mentioning(f"{batch.WORK_PREFIX}dave-") == []  # the copy that was graded


def test_only_the_exercise_modules_of_a_submission_are_graded(tmp_path):
    """Not bytecode in __pycache__ that Python would run instead of the source beside it (an
    unchecked hash-based .pyc is never compared with its source), not a module reached through a
    symbolic link (another learner's file); the report still names the submission's files."""
    mallory = tmp_path / "class" / "mallory"
    (mallory / "echo_server").mkdir(parents=True)
    decoy = mallory / "echo_server" / "echo_server.py"
    decoy.write_text('def serve(host, port):\n    raise RuntimeError("the source beside the bytecode")\n')
    py_compile.compile(str(ROOT / "solutions/echo_server/echo_server.py"), dfile=str(decoy),
                       cfile=importlib.util.cache_from_source(str(decoy)),
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    (mallory / "url_validator").mkdir()
    try:
        (mallory / "url_validator" / "url_validator.py").symlink_to(ROOT / "solutions/url_validator/url_validator.py")
    except OSError:  # Windows without the right to make symbolic links
        pass
    out = tmp_path / "out"
    result = run_grader("batch", tmp_path / "class", "--out", out, "--check", "RESETS")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "mallory.json").read_text(encoding="utf-8"))
    echo, url = (next(e for e in report["exercises"] if e["name"] == name) for name in ("echo_server", "url_validator"))
    assert echo["status"] == "failed" and "the source beside the bytecode" in echo["checks"][0]["message"]
    assert url["status"] == "missing"
    assert report["tree"] == "mallory" and echo["file"] == "echo_server/echo_server.py"
    message = echo["checks"][0]["message"]
    assert "echo_server/echo_server.py" in message and str(tmp_path) not in message and "/tmp" not in message


@pytest.mark.skipif(os.name != "posix" or not os.path.isdir("/proc"), reason="needs /proc")
def test_learner_processes_left_behind_are_killed():
    fake_grader = 999_999_999
    stray = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True,
                             env={**os.environ, "NETKATA_LEARNER": str(fake_grader)})
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # its environment is readable once it has started
            stop_strays(fake_grader)
            try:
                stray.wait(timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                continue
        assert stray.returncode == -signal.SIGKILL
    finally:
        if stray.poll() is None:
            stray.kill()
            stray.wait()


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_shown_on_a_terminal(tmp_path, monkeypatch, capsys):
    (tmp_path / "subs" / "bob").mkdir(parents=True)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = batch.main([str(tmp_path / "subs"), "--out", str(tmp_path / "out")])
    assert code == 0
    shown = terminal.getvalue()  # one status line, redrawn in place, cleared at the end
    assert shown.startswith("\r\033[K0/1 graded, 0 not graded") and "\r\033[K1/1 graded, 0 not graded, " in shown
    assert shown.endswith("\r\033[K") and "bob" not in shown
    assert "Graded 1 of 1 submissions" in capsys.readouterr().out


def test_an_empty_folder_gives_an_empty_gradebook(tmp_path):
    (tmp_path / "subs").mkdir()
    assert batch.main([str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 0
    assert read_csv(tmp_path / "out" / "grades.csv") == [HEADER]


def test_the_jobs_together_grade_no_more_exercises_at_once_than_one_grader(tmp_path, monkeypatch):
    """Each submission's grader overlaps its exercises (they mostly wait), within a share of what
    one `grader` run may grade at once (three per core): --jobs bounds the processes alive."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert [batch.exercise_workers(jobs) for jobs in (1, 2, 3, 8, 9, 100)] == [6, 3, 2, 1, 1, 1]
    given = []

    def grade_submission(folder, out, **kwargs):
        given.append(kwargs["workers"])
        return batch.Graded(folder.name, None, "not graded: a stand-in", 0.0, ())

    monkeypatch.setattr(batch, "grade_submission", grade_submission)
    for name in ("ann", "ben", "cy"):
        (tmp_path / "subs" / name).mkdir(parents=True)
    batch.main([str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--jobs", "3"])
    assert given == [2, 2, 2]


def upload_layouts(folder):
    """One echo solution handed in three ways: a tree, loose at the top, and a learner's whole clone."""
    solution = ROOT / "solutions/echo_server/echo_server.py"
    (folder / "tree" / "echo_server").mkdir(parents=True)
    shutil.copy(solution, folder / "tree/echo_server/echo_server.py")
    (folder / "loose").mkdir()
    shutil.copy(solution, folder / "loose/echo_server.py")
    pristine_exercises(folder / "clone" / "exercises")
    shutil.copy(solution, folder / "clone/exercises/echo_server/echo_server.py")
    return folder


def test_batch_and_gradescope_give_one_upload_one_grade(tmp_path):
    from test_gradescope import run_autograder  # the runner, as Gradescope starts it
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    uploads = upload_layouts(tmp_path / "uploads")
    out = tmp_path / "out"
    result = run_grader("batch", uploads, "echo_server", "--out", out, "--check", "RESETS")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = read_csv(out / "grades.csv")
    assert rows == [["submission", "echo_server", "total", "notes"],
                    ["clone", "2", "2", "echo_server: graded exercises/echo_server/echo_server.py, not "
                                        "echo_server/echo_server.py"],
                    ["loose", "2", "2", "echo_server: graded echo_server.py, not echo_server/echo_server.py"],
                    ["tree", "2", "2", ""]]
    for name in ("tree", "loose", "clone"):
        root = tmp_path / "gradescope" / name
        shutil.copytree(uploads / name, root / "submission")
        (root / "results").mkdir()
        (root / "source").mkdir()
        (root / "source" / "assignment.txt").write_text("echo_server\n")
        results = run_autograder(root, "--check", "RESETS")
        assert results["score"] == 2.0, (name, results["output"])
        report = json.loads((out / f"{name}.json").read_text())
        assert report["max_score"] == 2 and [e["name"] for e in report["exercises"]] == ["echo_server"]


@pytest.mark.parametrize("arguments, message", [
    (["nowhere"], "no such folder"),
    (["{subs}", "--jobs", "0"], "--jobs must be at least 1"),
    (["{subs}", "--timeout", "0"], "--timeout must be positive"),
    (["{subs}", "--check", "no such check"], "no check contains 'no such check'"),
])
def test_usage_errors(tmp_path, capsys, arguments, message):
    (tmp_path / "subs").mkdir()
    arguments = [a.format(subs=tmp_path / "subs") if a != "nowhere" else str(tmp_path / a) for a in arguments]
    assert batch.main(arguments) == 2
    assert message in capsys.readouterr().err


def test_batch_is_a_subcommand_only_as_the_first_argument(capsys):
    assert "batch" not in {e.name for e in EXERCISES} and "report" not in {e.name for e in EXERCISES}
    assert cli.main(["echo_server", "batch"]) == 2
    assert "unknown exercise 'batch'" in capsys.readouterr().err
