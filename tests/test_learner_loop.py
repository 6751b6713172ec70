"""The learner's loop, used as a learner uses it: `grader list`, `hint`, `reset`, `watch` and
`--verbose`, each a real `python -m grader` process in a copy of the project (the grader finds
the project from the current folder). `watch` runs on a pseudo-terminal, so its keys work as
they do for a person; the test edits the exercise file and reads the screen until the answer
appears, with a deadline.
"""

import json
import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest

from grader.reports.text import progress_bar
from grader.results import STATUS_WORDS
from grader.track import EXERCISES

from conftest import ROOT, pristine_exercises, run_grader

SOLUTIONS = ROOT / "solutions"
BROKEN_ECHO = ROOT / "tests" / "implementations" / "echo_server" / "broken_returns.py"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def project(tmp_path):
    """A copy of the project's exercises/ (untouched stubs), with an empty solutions/ beside it."""
    root = tmp_path / "project"
    pristine_exercises(root / "exercises")
    (root / "solutions").mkdir()
    return root


@pytest.fixture
def env(tmp_path):
    """The memo in a folder of the test's own; no colour, so the text can be matched."""
    return {"XDG_CACHE_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}


def put(project, exercise, source):
    (project / "exercises" / exercise / f"{exercise}.py").write_bytes(source.read_bytes())


def rows(stdout):
    """{exercise: (status, score)} from `grader list`."""
    found = {}
    for line in stdout.splitlines():
        match = re.match(r"\s*\d+\s+(\w+)\s+(" + "|".join(map(re.escape, STATUS_WORDS.values())) + r")\s+(\S+)", line)
        if match:
            found[match.group(1)] = (match.group(2), match.group(3))
    return found


# -- grader list ----------------------------------------------------------------------------------

def test_list_shows_every_exercise_not_started_at_once(project, env):
    started = time.monotonic()
    result = run_grader("list", cwd=project, env=env)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout) == {e.name: ("not started", "0/12") for e in EXERCISES}
    assert "A TCP server that sends back every byte it receives." in result.stdout
    assert progress_bar(0, len(EXERCISES)) in result.stdout
    assert "Next: echo_server" in result.stdout
    assert elapsed < 5  # settled by reading the files: no grading run


def test_list_grades_what_was_started_and_remembers_it_until_a_file_changes(project, env):
    put(project, "echo_server", SOLUTIONS / "echo_server" / "echo_server.py")
    (project / "exercises" / "http_hello_server" / "http_hello_server.py").write_text("def serve(host, port):\n  x = (\n")
    (project / "exercises" / "url_validator" / "url_validator.py").unlink()
    expected = {e.name: ("not started", "0/12") for e in EXERCISES}
    expected.update({"echo_server": ("passed", "12/12"), "http_hello_server": ("not passed yet", "0/12"),
                     "url_validator": ("missing (no file)", "0/12")})

    assert run_grader("echo_server", cwd=project, env=env).returncode == 0  # grading your own tree feeds the memo
    remembered = run_grader("list", cwd=project, env=env)
    assert remembered.returncode == 0, remembered.stderr
    assert rows(remembered.stdout) == expected
    assert progress_bar(1, len(EXERCISES)) in remembered.stdout
    assert "Next: http_hello_server" in remembered.stdout
    assert "remembered, as their files are unchanged since last graded: echo_server;" in remembered.stdout

    fresh = run_grader("list", "--fresh", cwd=project, env=env)
    assert rows(fresh.stdout) == expected
    assert "remembered" not in fresh.stdout

    # A changed file is graded again, never recalled (this one cannot even be imported).
    (project / "exercises" / "echo_server" / "echo_server.py").write_text(
        "import netkata_no_such_module\n\ndef serve(host, port):\n    pass\n")
    changed = run_grader("list", cwd=project, env=env)
    assert rows(changed.stdout)["echo_server"] == ("not passed yet", "0/12")
    assert progress_bar(0, len(EXERCISES)) in changed.stdout
    assert "remembered" not in changed.stdout


# -- grader hint ----------------------------------------------------------------------------------

def test_hint_shows_the_first_level_and_how_to_get_the_next(project, env):
    result = run_grader("hint", "echo_server", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("echo_server, hint 1 of 4:")
    assert "Start with one client" in result.stdout
    assert "Never decode" not in result.stdout  # level 2 is not given away
    assert "More: grader hint echo_server --level 2" in result.stdout


def test_hint_levels_and_all(project, env):
    second = run_grader("hint", "echo_server", "--level", "2", cwd=project, env=env)
    assert "hint 2 of 4" in second.stdout and "Never decode" in second.stdout
    every = run_grader("hint", "echo_server", "--all", cwd=project, env=env)
    assert [f"hint {n} of 4" in every.stdout for n in (1, 2, 3, 4)] == [True] * 4
    assert "More:" not in every.stdout


def test_hint_usage_errors(project, env):
    beyond = run_grader("hint", "echo_server", "--level", "9", cwd=project, env=env)
    assert beyond.returncode == 2 and "hints 1 to 4" in beyond.stderr
    unknown = run_grader("hint", "echo_sever", cwd=project, env=env)
    assert unknown.returncode == 2 and "Did you mean echo_server?" in unknown.stderr


# -- grader reset ---------------------------------------------------------------------------------

def test_reset_refuses_without_a_terminal_and_restores_with_yes_keeping_a_backup(project, env):
    path = project / "exercises" / "echo_server" / "echo_server.py"
    stub = path.read_bytes()
    mine = b"def serve(host, port):\n    pass  # my work\n"
    path.write_bytes(mine)

    refused = run_grader("reset", "echo_server", cwd=project, env=env)
    assert refused.returncode == 2
    assert "without asking" in refused.stderr and "--yes" in refused.stderr
    assert path.read_bytes() == mine

    done = run_grader("reset", "echo_server", "--yes", cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    assert path.read_bytes() == stub
    (backup,) = path.parent.glob("echo_server.py.*.bak")
    assert backup.read_bytes() == mine
    assert backup.name in done.stdout

    again = run_grader("reset", "echo_server", cwd=project, env=env)
    assert again.returncode == 0 and "already the original stub" in again.stdout
    assert len(list(path.parent.glob("*.bak"))) == 1


def test_reset_of_a_missing_file_writes_the_stub(project, env):
    path = project / "exercises" / "paginator" / "paginator.py"
    stub = path.read_bytes()
    path.unlink()
    result = run_grader("reset", "paginator", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == stub


def test_reset_asks_on_a_terminal(project, env):
    path = project / "exercises" / "echo_server" / "echo_server.py"
    stub = path.read_bytes()
    path.write_bytes(b"# mine\n")
    with Terminal(["reset", "echo_server"], project, env) as term:
        term.wait_for("Replace it? [y/N]")
        term.send(b"n\r")
        assert term.wait_exit() == 1
    assert path.read_bytes() == b"# mine\n"
    with Terminal(["reset", "echo_server"], project, env) as term:
        term.wait_for("Replace it? [y/N]")
        term.send(b"y\r")
        assert term.wait_exit() == 0
    assert path.read_bytes() == stub


# -- --verbose ------------------------------------------------------------------------------------

def test_verbose_records_every_checks_wire_transcript_into_json():
    result = run_grader("echo_server", "--solutions", "--verbose", "--check", "right away", "--format", "json")
    assert result.returncode == 0, result.stderr
    checks = json.loads(result.stdout)["exercises"][0]["checks"]
    assert all(isinstance(c["transcript"], list) for c in checks)  # an extra key, only with --verbose
    transcript = next(c["transcript"] for c in checks if "right away" in c["name"])
    assert transcript[1:] == ["Sent bytes: b'hello, echo\\n'", "Received bytes: b'hello, echo\\n'",
                              "Sent bytes: b'and once more\\n'", "Received bytes: b'and once more\\n'",
                              "Closed the connection"]


# -- grader watch ---------------------------------------------------------------------------------

class Terminal:
    """`python -m grader ARGS` on a pseudo-terminal: type keys, read the screen as text."""

    def __init__(self, args, cwd, env):
        self.args, self.cwd, self.env = args, cwd, env
        self.output = ""

    def __enter__(self):
        import pty

        master, slave = pty.openpty()
        self.master = master
        self.process = subprocess.Popen([sys.executable, "-m", "grader", *self.args], cwd=self.cwd,
                                        env={**os.environ, "TERM": "xterm", **self.env},
                                        stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)

    def read(self, timeout):
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the other side closed
                data = b""
            self.output += ANSI.sub("", data.decode("utf-8", "replace")).replace("\r", "")
            return bool(data)
        return False

    def wait_for(self, text, timeout=30, since=0):
        """Read until ``text`` is on the screen after position ``since``; the position after it."""
        deadline = time.monotonic() + timeout
        while text not in self.output[since:]:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not appear within {timeout} s; the screen:\n{self.output[since:]}")
            self.read(0.1)
        return self.output.index(text, since) + len(text)

    def send(self, keys):
        os.write(self.master, keys)

    def wait_exit(self, timeout=10):
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read(0.1)
        while self.read(0):
            pass
        return self.process.wait(max(0.0, deadline - time.monotonic()))


@pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")
def test_watch_grades_on_save_congratulates_and_moves_on(project, env):
    exercise_file = project / "exercises" / "echo_server" / "echo_server.py"
    with Terminal(["watch", "echo_server"], project, env) as term:
        at = term.wait_for("q quit")
        first = term.output[:at]
        assert "echo_server  not started" in first
        assert progress_bar(0, len(EXERCISES)) in first
        assert "Watching exercises/echo_server/echo_server.py: save it to grade it." in first

        put(project, "echo_server", BROKEN_ECHO)
        failed = term.wait_for("not passed yet", since=at)
        at = term.wait_for("q quit", since=failed)
        assert "skipped: grader watch stops at the first failure" in term.output[:at]

        saved = time.monotonic()
        exercise_file.write_bytes((SOLUTIONS / "echo_server" / "echo_server.py").read_bytes())
        passed = term.wait_for("Well done! echo_server passes every check.", since=at)
        feedback = time.monotonic() - saved
        at = term.wait_for("q quit", since=passed)
        screen = term.output[passed:at]
        assert "Next: http_hello_server" in screen
        assert progress_bar(1, len(EXERCISES)) in screen
        assert "Watching exercises/http_hello_server/http_hello_server.py" in screen
        print(f"feedback after the save: {feedback:.2f} s")
        assert feedback < 15  # about 1 s on an idle machine; the bound is for a loaded CI runner

        term.send(b"h")
        at = term.wait_for("http_hello_server, hint 1 of 4:", since=at)
        term.send(b"q")
        assert term.wait_exit() == 0
    assert "Traceback" not in term.output


@pytest.mark.skipif(os.name != "posix", reason="signals and process groups are POSIX")
def test_watch_without_a_terminal_quits_on_ctrl_c(project, env):
    process = subprocess.Popen([sys.executable, "-m", "grader", "watch"], cwd=project,
                               env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        output = b""
        deadline = time.monotonic() + 30
        while b"Ctrl-C quits" not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stdout], [], [], 0.1)
            if ready:
                output += os.read(process.stdout.fileno(), 65536)
        assert b"Ctrl-C quits (keys need a terminal)" in output
        assert b"\x1b[2J" not in output  # no screen clearing into a pipe
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert b"Traceback" not in errors and b"stopped" in errors
