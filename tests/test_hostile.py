"""Hostile submissions (tests/hostile/): the grader finishes within its bound, fails that exercise
with a message that says what happened, grades another exercise normally in the same run, and
leaves no learner process (daemons included) behind.

Each file under tests/hostile/<exercise>/ is a whole learner module whose docstring says what it
does; CASES says what the grader must answer. A second exercise, the reference solution, is
graded in the same run, so that the hostile one is shown to cost only itself.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ROOT, learner_processes, run_grader
from grader.learner import procfs

HOSTILE = Path(__file__).resolve().parent / "hostile"


@dataclass
class Case:
    exercise: str
    name: str
    says: str  # in the message of the exercise's first check that did not pass
    bound: float  # seconds the whole run may take (the grader's own bounds, with room for a busy CI)
    env: dict = field(default_factory=dict)
    focus: str | None = None  # --check TEXT: for a program that costs every check its whole wait

    @property
    def id(self):
        return f"{self.exercise}/{self.name}" + ("+" + ",".join(self.env.values()) if self.env else "")


CASES = [
    Case("echo_server", "loops_at_import", "did not finish within 10 s", 40),
    Case("echo_server", "loops_at_import", "used more than 1 s of CPU time", 30, {"NETKATA_LIMITS": "cpu=1"}),
    Case("echo_server", "never_listens", "Nothing accepted connections", 40),
    Case("echo_server", "never_accepts", "Nothing came back", 30, focus="right away"),
    Case("echo_server", "accepts_never_reads", "Nothing came back", 30, focus="right away"),
    Case("echo_server", "os_exit", "exited with status 0", 30),
    Case("echo_server", "sys_exit", "called sys.exit(0)", 30),
    Case("echo_server", "allocates_forever", "used more than 1 GiB of memory", 30),
    Case("echo_server", "fifty_children", "more than 40 processes running at once", 40),
    Case("echo_server", "fork_bomb", "more than 40 processes running at once", 40),
    Case("echo_server", "daemon_keeps_socket", "returned after", 30),
    # Without isolation (a machine without namespaces) the grader's own sweep must find the daemon.
    Case("echo_server", "daemon_keeps_socket", "returned after", 30, {"NETKATA_ISOLATION": "off"}),
    Case("echo_server", "closes_stdout", "I/O operation on closed file", 30),
    Case("echo_server", "binds_wrong_port", "nothing listens on", 30),
    Case("echo_server", "writes_huge_file", "wrote a file larger than 1 MiB", 30, {"NETKATA_LIMITS": "file_size=1MiB"}),
    Case("url_validator", "os_exit", "ended the process (exit status 0", 90),
    Case("url_validator", "sys_exit", "called sys.exit(0)", 90),
    Case("url_validator", "closes_all_descriptors", "closed file descriptors it had not opened", 90),
    Case("url_validator", "allocates_forever", "used more than 1 GiB of memory", 90),
    Case("multi_message_client", "binds_grader_port", "Address already in use", 60),
]

# The exercise graded normally beside the hostile one: a server, so that ports and processes
# left by the hostile one would show.
NEIGHBOUR = {"echo_server": "http_hello_server"}
DEFAULT_NEIGHBOUR = "echo_server"


def _tree(tmp_path, case):
    tree = tmp_path / "tree"
    (tree / case.exercise).mkdir(parents=True)
    shutil.copy(HOSTILE / case.exercise / f"{case.name}.py", tree / case.exercise / f"{case.exercise}.py")
    neighbour = NEIGHBOUR.get(case.exercise, DEFAULT_NEIGHBOUR)
    shutil.copytree(ROOT / "solutions" / neighbour, tree / neighbour)
    return tree, neighbour


# Hostile programs that are correct all the same: the grader must pass them, within BOUND seconds.
CORRECT_ALL_THE_SAME = {"echo_server/prints_hundreds_of_mb"}
FLOOD_BOUND = 90  # 300 MB printed by each of the 11 checks' servers, 3.3 GB through a pipe: about 30 s
# on a 2-core machine with a load of 16, 5 s on a quiet one


def test_every_hostile_file_has_a_case():
    files = {f"{p.parent.name}/{p.stem}" for p in HOSTILE.glob("*/*.py")
             if not p.stem.startswith("impersonates") and p.parent.name != "isolation"}  # tests/test_isolation.py
    assert files == {f"{c.exercise}/{c.name}" for c in CASES} | CORRECT_ALL_THE_SAME


@pytest.mark.skipif(not procfs.available(), reason="finding leftover processes needs /proc")
def test_a_server_that_prints_hundreds_of_mb_then_serves_passes_and_is_told_how_much(tmp_path):
    """Printing is no bug: every byte is drained, the program is never stopped for its volume, and the
    report says how much it printed (a fresh server per check prints its 300 MB again)."""
    case = Case("echo_server", "prints_hundreds_of_mb", "", FLOOD_BOUND)
    tree, neighbour = _tree(tmp_path, case)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "grader", case.exercise, neighbour, "--path", str(tree),
                                "--format", "json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=case.bound)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode(errors="replace")[-3000:]
    assert time.monotonic() - started < case.bound
    report = {e["name"]: e for e in json.loads(out)["exercises"]}
    flood = report[case.exercise]
    assert flood["status"] == "passed" and flood["score"] == flood["max_score"]
    checks = len(flood["checks"])
    assert flood["printed"] >= checks * 300_000_300  # each check's server printed its 300 MB
    assert "printed" not in report[neighbour]  # a silent program's report is as it was
    assert learner_processes(process.pid) == []
    text = run_grader("report", _saved(tmp_path, out)).stdout
    assert f"Your program printed {flood['printed']:,} bytes while it was graded" in text


def _saved(tmp_path, report):
    path = tmp_path / "report.json"
    path.write_bytes(report)
    return path


@pytest.mark.skipif(not procfs.available(), reason="finding leftover processes needs /proc")
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_hostile_submission_fails_alone_and_leaves_nothing(case, tmp_path):
    tree, neighbour = _tree(tmp_path, case)
    daemon_file = tmp_path / "daemon.txt"
    env = {**os.environ, "DAEMON_FILE": str(daemon_file), "NETKATA_ISOLATION": "auto", **case.env}
    started = time.monotonic()
    focus = ["--check", case.focus] if case.focus else []
    process = subprocess.Popen([sys.executable, "-m", "grader", case.exercise, neighbour, "--path", str(tree),
                                "--format", "json", *focus], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=case.bound)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    elapsed = time.monotonic() - started
    assert process.returncode == 1, err.decode(errors="replace")[-3000:]
    assert elapsed < case.bound
    report = {e["name"]: e for e in json.loads(out)["exercises"]}

    hostile = report[case.exercise]
    assert hostile["status"] == "failed"
    first = next(c for c in hostile["checks"] if c["status"] != "passed")
    assert case.says in first["message"], first["message"]

    assert report[neighbour]["status"] == "passed", report[neighbour]
    assert report[neighbour]["score"] == report[neighbour]["max_score"]

    assert learner_processes(process.pid) == []
    sandboxed = json.loads(out).get("isolation") == "network, user, filesystem"
    # (In the sandbox the daemon cannot write DAEMON_FILE, and the kernel ends it with its PID namespace.)
    if case.name == "daemon_keeps_socket" and not sandboxed:  # the daemon did start; it must be gone, and its socket
        assert daemon_file.exists()
        pid, port = map(int, daemon_file.read_text().split())
        assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)
        assert procfs.listening_now(port) is not True


def _is_zombie(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2] in "ZX"


DAEMON_STARTER = """\
import os, time

def start(path):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            with open(path + ".part", "w") as file:
                file.write(str(os.getpid()))
            os.replace(path + ".part", path)
            while True:
                time.sleep(1)
        os._exit(0)
    os.wait()
    while not os.path.exists(path):
        time.sleep(0.001)
    return int(open(path).read())
"""


@pytest.mark.skipif(not procfs.available(), reason="needs /proc")
def test_stopping_a_program_stops_the_daemon_it_double_forked(tmp_path):
    """Not by the last sweep of marked processes: stopping the one program finds its daemon, which
    the learner's child adopted as a subreaper."""
    from grader.learner.process import LearnerProcess

    (tmp_path / "starter.py").write_text(DAEMON_STARTER)
    process = LearnerProcess(tmp_path / "starter.py", "start")
    process.start()
    try:
        outcome = process.call(str(tmp_path / "pid"), limit=10)
        daemon = outcome.value
        assert isinstance(daemon, int) and daemon in procfs.descendants(process.pid), outcome
    finally:
        process.stop()
    assert not Path(f"/proc/{daemon}").exists() or _is_zombie(daemon)


def test_bytecode_beside_the_module_is_not_run(tmp_path):
    """--path grades the source: an unchecked .pyc of the solution in __pycache__ changes nothing."""
    import py_compile

    from conftest import grade_json

    folder = tmp_path / "tree" / "echo_server"
    folder.mkdir(parents=True)
    source = folder / "echo_server.py"
    shutil.copy(ROOT / "solutions/echo_server/echo_server.py", source)
    py_compile.compile(str(source), cfile=str(folder / "__pycache__" / f"echo_server.{sys.implementation.cache_tag}.pyc"),
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    source.write_text('def serve(host, port):\n    raise RuntimeError("the source")\n')
    _, report = grade_json("echo_server", "--path", tmp_path / "tree", "--check", "starts and listens")
    assert "the source" in report["exercises"][0]["checks"][0]["message"]
