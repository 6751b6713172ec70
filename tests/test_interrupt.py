"""Ctrl-C during grading: every learner process stopped, a partial report, exit status 130.

The end-to-end tests run a real `python -m grader` and interrupt it in the middle of a check,
deterministically: the learner's echo server below writes a line to a log each time serve()
starts (one per check), works for the first two checks, and from the third on never listens,
so the grader is waiting for it (for up to 5 s) when the test, having seen the third start,
sends SIGINT. Learner processes are found by the marker in their environment, as the grader
itself finds strays.

The in-process tests put a Ctrl-C where no subprocess can time it: during the reading of the
files, during the writing of the report, before grading began.
"""

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, learner_processes, pristine_exercises
from grader.cli import batch
from grader.cli import main as cli
from grader.engine import interrupt
from grader.learner.process import stop_strays
from grader.engine.catalog import checks_of
from grader.track import EXERCISES
from grader.reports import FORMATS
from grader.reports.load import report_from_json
from grader.results import INTERRUPTED, CheckResult, ExerciseResult, Report
from report_schemas import validate_gradescope, validate_junit

POSIX_PROC = os.name == "posix" and os.path.exists("/proc/self/environ")
needs_proc = pytest.mark.skipif(not POSIX_PROC, reason="signals to a process group; /proc to find learners")

BOUND = 20.0  # seconds any one wait here may take at most; each normally takes well under one
EXIT_BOUND = 8.0  # seconds from the Ctrl-C to the grader's exit (about one on a busy machine)
HANG_FROM = 3  # the serve() start (so the check) from which the server never listens

INTERRUPTIBLE_ECHO = '''\
import socket, threading, time

LOG = {log!r}


def handle(conn):
    with conn:
        try:
            while data := conn.recv(65536):
                conn.sendall(data)
        except OSError:
            pass


def serve(host, port):
    with open(LOG, "a+") as log:
        log.write("serve\\n")
        log.seek(0)
        starts = log.read().split().count("serve")
    while starts >= {hang_from}:
        time.sleep(3600)
    with socket.create_server((host, port)) as server:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
'''


def write_interruptible(folder, log):
    """The echo server above as ``folder/echo_server/echo_server.py``, logging to ``log``."""
    (folder / "echo_server").mkdir(parents=True, exist_ok=True)
    (folder / "echo_server" / "echo_server.py").write_text(INTERRUPTIBLE_ECHO.format(log=str(log),
                                                                                    hang_from=HANG_FROM))


def interruptible_tree(tmp_path):
    """A tree with the interruptible echo_server and a url_validator that would pass (graded after
    echo_server, so never reached); the other exercises are missing."""
    tree = tmp_path / "tree"
    log = tmp_path / "serve.log"
    write_interruptible(tree, log)
    (tree / "url_validator").mkdir()
    shutil.copy(ROOT / "solutions/url_validator/url_validator.py", tree / "url_validator/url_validator.py")
    return tree, log


def log_lines(log):
    try:
        return log.read_text().split()
    except FileNotFoundError:
        return []


def wait_until(condition, what, process=None, bound=BOUND):
    """Poll ``condition()`` until it is true; fail after ``bound`` seconds or if ``process`` ends."""
    deadline = time.monotonic() + bound
    while not condition():
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the grader exited ({process.returncode}) before {what}:\n{out}\n{err}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {bound:g} s")
        time.sleep(0.01)


@pytest.fixture
def start():
    """``start(*args, cwd=, env=)``: a running `python -m grader ARGS`. Whatever the test ends
    with, nothing it started outlives it: the grader is killed if it still runs, then every
    process marked as its learner's, and every process that names ``cwd`` or an argument path."""
    started = []

    def launch(*args, cwd=ROOT, env=None):
        # One exercise at a time (still in a worker each): what was reached by the Ctrl-C is then
        # certain. test_ctrl_c_while_exercises_run_side_by_side covers several at once.
        process = subprocess.Popen([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd,
                                   env={**os.environ, "NO_COLOR": "1", "NETKATA_WORKERS": "1", **(env or {})},
                                   stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append((process, [str(a) for a in args if os.path.isabs(str(a))] + [str(cwd)] * (cwd != ROOT)))
        return process

    yield launch
    for process, paths in started:
        if process.poll() is None:
            process.kill()
            process.wait()
        stop_strays(process.pid)
        for path in paths:  # `grader batch` runs graders of its own, in sessions of their own
            for pid in _processes_mentioning(path):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def interrupt_at_third_check(process, log):
    """Wait for the third check's server to start, send Ctrl-C; return when it was sent."""
    wait_until(lambda: log_lines(log).count("serve") >= HANG_FROM, "third serve() start", process)
    process.send_signal(signal.SIGINT)
    return time.monotonic()


def finish(process, since):
    """(exit status, stdout, stderr, seconds from ``since`` to the exit); fails past the bound."""
    try:
        out, err = process.communicate(timeout=EXIT_BOUND + 5)
    except subprocess.TimeoutExpired:
        pytest.fail("the grader did not exit after Ctrl-C")
    return process.returncode, out, err, time.monotonic() - since


def assert_partial(report):
    """The report of the tree above, interrupted during echo_server's third check."""
    assert report["interrupted"] is True
    by_name = {e["name"]: e for e in report["exercises"]}
    assert list(by_name) == [e.name for e in EXERCISES]  # every exercise asked for, in order
    echo = by_name["echo_server"]
    assert echo["status"] == "failed" and echo["interrupted"] is True
    statuses = [c["status"] for c in echo["checks"]]
    assert statuses[:HANG_FROM - 1] == ["passed"] * (HANG_FROM - 1)  # finished: kept as they ended
    assert [c["name"] for c in echo["checks"]] == [c.name for c in checks_of("echo_server")]
    for check in echo["checks"][HANG_FROM - 1:]:  # the one in progress, and those never begun
        assert (check["status"], check["message"], check["score"]) == ("skipped", INTERRUPTED, 0)
    url = by_name["url_validator"]  # never reached
    assert url["status"] == "failed" and url["interrupted"] is True and url["score"] == 0
    assert len(url["checks"]) == len(checks_of("url_validator"))
    assert {(c["status"], c["message"]) for c in url["checks"]} == {("skipped", INTERRUPTED)}
    for name in [e.name for e in EXERCISES if e.name not in ("echo_server", "url_validator")]:  # settled before pytest
        assert by_name[name]["status"] == "missing" and "interrupted" not in by_name[name]
    assert report["score"] == sum(c["score"] for c in echo["checks"]) > 0
    assert report["max_score"] == sum(e["max_score"] for e in report["exercises"])


# -- the command line, end to end ----------------------------------------------------------------

@needs_proc
def test_ctrl_c_during_a_check_writes_a_partial_json_report_and_exits_130(tmp_path, start):
    tree, log = interruptible_tree(tmp_path)
    process = start("--path", tree, "--format", "json")
    sent = interrupt_at_third_check(process, log)
    code, out, err, took = finish(process, sent)
    assert code == 130, err
    assert_partial(json.loads(out))
    assert "Traceback" not in err and "interrupted (Ctrl-C)" in err
    assert learner_processes(process.pid) == []
    assert took < EXIT_BOUND


@needs_proc
def test_ctrl_c_while_exercises_run_side_by_side(tmp_path, start):
    """Several exercises graded at once (a worker each): one Ctrl-C stops them all, the report
    covers every exercise asked for, each as far as it got, and no learner process is left."""
    tree, log = interruptible_tree(tmp_path)
    process = start("--path", tree, "--format", "json", env={"NETKATA_WORKERS": "4"})
    sent = interrupt_at_third_check(process, log)
    code, out, err, took = finish(process, sent)
    assert code == 130, err
    report = json.loads(out)
    assert report["interrupted"] is True
    assert [e["name"] for e in report["exercises"]] == [e.name for e in EXERCISES]
    echo = report["exercises"][0]
    assert echo["interrupted"] is True and [c["status"] for c in echo["checks"]][:HANG_FROM - 1] == ["passed"] * 2
    url = next(e for e in report["exercises"] if e["name"] == "url_validator")
    assert {c["status"] for c in url["checks"]} <= {"passed", "skipped"}  # as far as it got, nothing failed
    assert "Traceback" not in err and "interrupted (Ctrl-C)" in err
    assert learner_processes(process.pid) == []
    assert took < EXIT_BOUND


@needs_proc
def test_ctrl_c_writes_the_text_report_to_the_output_file_and_says_it_is_partial(tmp_path, start):
    tree, log = interruptible_tree(tmp_path)
    output = tmp_path / "report.txt"
    process = start("--path", tree, "--output", output)
    code, out, err, _ = finish(process, interrupt_at_third_check(process, log))
    assert code == 130, err
    text = output.read_text()
    assert f"Total: 2/{12 * len(EXERCISES):g} (partial)" in text
    assert text.rstrip().splitlines()[-1].startswith("Grading was interrupted (Ctrl-C): 20 checks did not run")
    assert "checks skipped: grading was interrupted (Ctrl-C)" in text
    assert "interrupted before it was graded" in text  # url_validator
    assert "Next:" not in text
    assert out == "" and "Traceback" not in err
    assert learner_processes(process.pid) == []


@needs_proc
def test_ctrl_c_pressed_again_during_the_cleanup_waits_for_it(tmp_path, start):
    """The report goes to a FIFO that nothing reads yet: the grader, cleaning up after the first
    Ctrl-C, is held at writing its report until the test has pressed Ctrl-C twice more."""
    tree, log = interruptible_tree(tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    process = start("--path", tree, "--output", fifo)
    sent = interrupt_at_third_check(process, log)
    wait_until(lambda: not learner_processes(process.pid), "learner processes stopped", process)
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the grader's open() go on
    try:
        code, out, err, took = finish(process, sent)
        text = b""
        while chunk := os.read(reader, 65536):
            text += chunk
    finally:
        os.close(reader)
    assert code == 130, err
    assert "Traceback" not in err
    assert "stopping, a moment" in err  # the second Ctrl-C was heard, and waited for the cleanup
    assert text.decode().rstrip().splitlines()[-1].startswith("Grading was interrupted (Ctrl-C): 20 checks")
    assert learner_processes(process.pid) == []
    assert took < EXIT_BOUND


@needs_proc
@pytest.mark.parametrize("command, said", [("list", "interrupted"), ("watch", "stopped")])
def test_list_and_watch_stop_quietly_and_remember_nothing(tmp_path, start, command, said):
    project = tmp_path / "project"
    pristine_exercises(project / "exercises")
    (project / "solutions").mkdir()
    log = tmp_path / "serve.log"
    write_interruptible(project / "exercises", log)
    cache = tmp_path / "cache"
    process = start(command, cwd=project, env={"XDG_CACHE_HOME": str(cache)})  # no terminal: Ctrl-C quits watch
    code, _, err, took = finish(process, interrupt_at_third_check(process, log))
    assert code == 130, err
    assert "Traceback" not in err and said in err
    assert not list((cache / "netkata" / "results").rglob("*.json"))  # the interrupted echo_server was not remembered
    assert learner_processes(process.pid) == []
    assert took < EXIT_BOUND


@needs_proc
def test_batch_ctrl_c_stops_its_graders_and_writes_no_gradebook(tmp_path, start):
    submissions = tmp_path / "submissions"
    log = tmp_path / "serve.log"
    write_interruptible(submissions / "dave", log)
    out = tmp_path / "grades"
    process = start("batch", submissions, "--out", out)
    code, _, err, took = finish(process, interrupt_at_third_check(process, log))
    assert code == 130, err
    assert "interrupted; no gradebook written" in err and "Traceback" not in err
    assert not (out / "grades.csv").exists() and not (out / "dave.json").exists()
    assert _processes_mentioning(str(submissions)) == []  # the grader and its learner processes
    assert took < EXIT_BOUND


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


def test_batch_counts_a_grader_that_exited_130_as_not_graded(tmp_path, monkeypatch):
    """A grader interrupted from outside writes a partial report and exits 130: not a grade."""
    folder = tmp_path / "subs" / "erin"
    folder.mkdir(parents=True)
    out = tmp_path / "out"
    out.mkdir()

    def interrupted_grader(command, **_):
        partial = command[command.index("--output") + 1]
        report = Report([], "erin", interrupted=True)
        with open(partial, "w", encoding="utf-8") as file:
            FORMATS["json"](report, file)
        return batch.Finished(130, False, "", "grader: interrupted (Ctrl-C); the report is partial", 0.1)

    monkeypatch.setattr(batch, "run_bounded", interrupted_grader)
    graded = batch.grade_submission(folder, out, timeout=10)
    assert graded.report is None and "exited with status 130" in graded.problem
    assert sorted(p.name for p in out.iterdir()) == ["erin.log"]


# -- in process: Ctrl-C where no subprocess can time it -------------------------------------------

@pytest.fixture
def sigint_handler_kept():
    """cli.main installs its own SIGINT handler and, once interrupted, leaves it for the exit;
    here the test process goes on, so put the one it had back."""
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


def _json_of(capsys):
    return json.loads(capsys.readouterr().out)


@pytest.mark.skipif(not hasattr(signal, "raise_signal"), reason="needs signal.raise_signal")
def test_ctrl_c_while_the_files_are_read(monkeypatch, capsys, sigint_handler_kept, pristine_project):
    from grader.engine import run

    settle = run.settle_without_running
    seen = []

    def settle_then_ctrl_c(exercise, tree, focus=None):
        seen.append(exercise.name)
        if len(seen) == 3:
            signal.raise_signal(signal.SIGINT)  # a real Ctrl-C, through the grader's handler
        return settle(exercise, tree, focus)

    monkeypatch.setattr(run, "settle_without_running", settle_then_ctrl_c)
    assert cli.main(["--path", pristine_project / "exercises", "--format", "json"]) == 130
    report = _json_of(capsys)
    assert report["interrupted"] is True
    statuses = [(e["status"], e.get("interrupted", False)) for e in report["exercises"]]
    assert statuses == [("not_started", False)] * 2 + [("failed", True)] * (len(EXERCISES) - 2)
    for exercise in report["exercises"][2:]:
        assert {c["message"] for c in exercise["checks"]} == {INTERRUPTED}
        assert len(exercise["checks"]) == len(checks_of(exercise["name"]))


@pytest.mark.skipif(not hasattr(signal, "raise_signal"), reason="needs signal.raise_signal")
def test_ctrl_c_while_the_report_is_written_lets_it_finish(monkeypatch, capsys, sigint_handler_kept, pristine_project):
    write_json = FORMATS["json"]

    def ctrl_c_then_write(report, stream, **options):
        signal.raise_signal(signal.SIGINT)
        write_json(report, stream, **options)

    monkeypatch.setitem(FORMATS, "json", ctrl_c_then_write)
    assert cli.main(["--path", pristine_project / "exercises", "--format", "json"]) == 130
    out, err = capsys.readouterr()
    report = json.loads(out)  # whole: the Ctrl-C waited for it
    assert "interrupted" not in report  # every check had been graded
    assert {e["status"] for e in report["exercises"]} == {"not_started"}
    assert "grader: interrupted" in err


def test_ctrl_c_before_grading_began_lists_every_check_as_not_run(monkeypatch, tmp_path, sigint_handler_kept,
                                                                  pristine_project):
    from grader.engine import run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "grade", interrupted)
    output = tmp_path / "report.json"
    assert cli.main(["echo_server", "--path", pristine_project / "exercises", "--format", "json", "--output", output]) == 130
    (echo,) = json.loads(output.read_text())["exercises"]
    assert echo["status"] == "failed" and echo["interrupted"] is True
    assert [c["name"] for c in echo["checks"]] == [c.name for c in checks_of("echo_server")]
    assert {c["message"] for c in echo["checks"]} == {INTERRUPTED}


def test_requested_is_false_outside_a_command(sigint_handler_kept):
    """A Ctrl-C noted by an earlier command must not make a later grade() think it was interrupted."""
    with interrupt.handling_ctrl_c("test"):
        interrupt.note_interrupted()
        assert interrupt.requested()
    assert not interrupt.requested()


# -- every format says it, and a saved JSON report keeps it -------------------------------------

def interrupted_report():
    ran = CheckResult("starts and listens on the port it is given", "passed", 1.0)
    cut = CheckResult("echoes each message right away, before the client closes", "skipped", 1.0, INTERRUPTED)
    never = CheckResult("returns True or False for any string, without raising", "skipped", 1.0, INTERRUPTED)
    return Report([
        ExerciseResult("echo_server", "failed", [ran, cut], "/t/echo_server/echo_server.py", interrupted=True),
        ExerciseResult("url_validator", "failed", [never], "/t/url_validator/url_validator.py", interrupted=True),
    ], "/t", 1.0, interrupted=True)


def written(name, report):
    stream = io.StringIO()
    FORMATS[name](report, stream, summary=None) if name == "github" else FORMATS[name](report, stream)
    return stream.getvalue()


def test_every_format_says_the_report_is_partial():
    report = interrupted_report()
    note = "Grading was interrupted (Ctrl-C): 2 checks did not run and scored nothing, so this score is partial."
    text = written("text", report)
    assert "Total: 1/3 (partial)" in text and note in text
    assert "interrupted (partly graded)" in text and "interrupted before it was graded" in text
    results = json.loads(written("gradescope", report))
    validate_gradescope(results)
    assert note in results["output"] and "Total: 1/3 (partial: grading was interrupted)" in results["output"]
    assert {t["output"] for t in results["tests"] if t["status"] == "failed"} == {INTERRUPTED}
    root = validate_junit(written("junit", report))
    assert root.get("skipped") == "2"
    assert [p.get("value") for p in root.iter("property") if p.get("name") == "interrupted"] == ["true", "true"]
    github = written("github", report)
    assert github.startswith("::warning title=netkata%3A grading was interrupted::Grading was interrupted")
    from grader.reports.github import markdown_summary
    assert note in markdown_summary(report) and "Next:" not in markdown_summary(report)


def test_a_saved_partial_report_reads_back_as_partial():
    report = interrupted_report()
    again = report_from_json(json.loads(written("json", report)))
    assert again == report
    assert written("text", again) == written("text", report)


def test_a_complete_report_has_no_interrupted_key():
    report = interrupted_report()
    report.interrupted = False
    for exercise in report.exercises:
        exercise.interrupted = False
    data = report.to_json()
    assert "interrupted" not in data and all("interrupted" not in e for e in data["exercises"])
