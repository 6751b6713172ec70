"""The command line as docs/command-line.md fixes it: arguments, exit statuses, reports, bad input."""

import json
import shlex
import shutil
import subprocess
import sys
import os
import textwrap

import pytest

from conftest import ROOT, grade_json, learner_processes, pristine_exercises, run_grader
from grader.engine.catalog import checks_of
from grader.track import EXERCISES

STATUSES = {"passed", "failed", "not_started", "missing"}
CHECK_STATUSES = {"passed", "failed", "error", "skipped"}


def write_tree(tmp_path, exercise, source):
    folder = tmp_path / "tree" / exercise
    folder.mkdir(parents=True)
    (folder / f"{exercise}.py").write_text(textwrap.dedent(source))
    return tmp_path / "tree"


def test_untouched_stubs_are_not_started(pristine_project):
    code, report = grade_json(cwd=pristine_project)
    assert code == 1
    assert [e["name"] for e in report["exercises"]] == [e.name for e in EXERCISES]
    for exercise in report["exercises"]:
        assert exercise["status"] == "not_started", exercise
        assert exercise["score"] == 0
        assert all(c["status"] == "skipped" for c in exercise["checks"])


def test_text_report_for_stubs_says_where_to_begin(pristine_project):
    result = run_grader(cwd=pristine_project)
    assert result.returncode == 1
    assert "not started" in result.stdout
    assert "Next: echo_server" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("exercise", [e.name for e in EXERCISES])
def test_reference_solution_passes_every_check(exercise):
    if not checks_of(exercise):
        pytest.skip(f"{exercise} has no checks yet")
    code, report = grade_json(exercise, "--solutions")
    (result,) = report["exercises"]
    assert result["status"] == "passed", result
    assert code == 0


def test_json_report_matches_the_contract():
    code, report = grade_json("echo_server", "--solutions")
    assert set(report) >= {"score", "max_score", "exercises"}
    assert isinstance(report["score"], float) and isinstance(report["max_score"], float)
    for exercise in report["exercises"]:
        assert set(exercise) >= {"name", "status", "score", "max_score", "checks"}
        assert exercise["status"] in STATUSES
        assert exercise["max_score"] == 12.0
        assert exercise["score"] == sum(c["score"] for c in exercise["checks"])
        for check in exercise["checks"]:
            assert set(check) >= {"name", "status", "score", "max_score", "message"}
            assert check["status"] in CHECK_STATUSES
            assert isinstance(check["message"], str)
    assert report["score"] == sum(e["score"] for e in report["exercises"])


def test_every_exercise_is_worth_twelve_points():
    for exercise in EXERCISES:
        points = [c.points for c in checks_of(exercise.name)]
        assert not points or sum(points) == 12, exercise.name


def test_unknown_exercise_is_a_usage_error():
    result = run_grader("echo_sever")
    assert result.returncode == 2
    assert "unknown exercise 'echo_sever'" in result.stderr
    assert "Did you mean echo_server?" in result.stderr


def test_missing_tree_is_a_usage_error(tmp_path):
    result = run_grader("--path", tmp_path / "nowhere")
    assert result.returncode == 2
    assert "no such folder" in result.stderr


def test_unknown_format_is_a_usage_error():
    result = run_grader("--format", "xml")
    assert result.returncode == 2
    assert "invalid choice: 'xml'" in result.stderr
    assert "gradescope" in result.stderr and "junit" in result.stderr


def test_exercises_missing_from_a_tree_are_reported_missing(tmp_path):
    (tmp_path / "tree").mkdir()
    code, report = grade_json("--path", tmp_path / "tree")
    assert code == 1
    assert {e["status"] for e in report["exercises"]} == {"missing"}


def test_output_file(tmp_path, pristine_project):
    out = tmp_path / "report.json"
    result = run_grader("echo_server", "--format", "json", "--output", out, cwd=pristine_project)
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads(out.read_text())["exercises"][0]["status"] == "not_started"


def test_output_dash_is_standard_output(tmp_path, pristine_project):
    """`--output -` is the report on standard output, as most tools read it, never a file named "-"."""
    result = run_grader("echo_server", "--format", "json", "--output", "-", cwd=pristine_project)
    assert result.returncode == 1 and json.loads(result.stdout)["exercises"][0]["status"] == "not_started"
    assert not (pristine_project / "-").exists()


def test_syntax_error_names_file_and_line(tmp_path):
    tree = write_tree(tmp_path, "echo_server", """\
        def serve(host, port):
            while True
                pass
        """)
    code, report = grade_json("echo_server", "--path", tree)
    checks = report["exercises"][0]["checks"]
    assert code == 1 and report["exercises"][0]["status"] == "failed"
    assert checks[0]["status"] == "failed"
    assert "echo_server.py, line 2" in checks[0]["message"]
    assert {c["status"] for c in checks[1:]} == {"skipped"}


def test_import_error_names_file_line_and_error(tmp_path):
    tree = write_tree(tmp_path, "echo_server", """\
        import socket
        PORT = undefined_name
        def serve(host, port):
            pass
        """)
    code, report = grade_json("echo_server", "--path", tree)
    checks = report["exercises"][0]["checks"]
    assert "echo_server.py, line 2 raised NameError" in checks[0]["message"]
    assert {c["status"] for c in checks[1:]} == {"skipped"}


def test_renamed_function_is_explained(tmp_path):
    tree = write_tree(tmp_path, "echo_server", "def server(host, port):\n    pass\n")
    _, report = grade_json("echo_server", "--path", tree)
    assert "has no function named serve()" in report["exercises"][0]["checks"][0]["message"]


def test_not_implemented_at_run_time_is_not_started(tmp_path):
    tree = write_tree(tmp_path, "echo_server", """\
        def serve(host, port):
            print("starting")
            raise NotImplementedError
        """)
    code, report = grade_json("echo_server", "--path", tree)
    assert report["exercises"][0]["status"] == "not_started"


def test_exit_at_import_is_reported(tmp_path):
    tree = write_tree(tmp_path, "echo_server", "import sys\nsys.exit(0)\n")
    _, report = grade_json("echo_server", "--path", tree)
    message = report["exercises"][0]["checks"][0]["message"]
    assert "SystemExit" in message or "exited" in message


def test_megabytes_of_output_are_capped(tmp_path):
    tree = write_tree(tmp_path, "echo_server", """\
        import sys
        sys.stdout.write("x" * 5_000_000)
        raise RuntimeError("boom")
        """)
    result = run_grader("echo_server", "--path", tree)
    assert result.returncode == 1
    assert "RuntimeError" in result.stdout
    assert len(result.stdout) < 20_000


def test_grading_writes_nothing_into_the_tree(tmp_path):
    tree = write_tree(tmp_path, "echo_server", (ROOT / "solutions/echo_server/echo_server.py").read_text())
    before = sorted(p.relative_to(tree) for p in tree.rglob("*"))
    code, _ = grade_json("echo_server", "--path", tree, cwd=tree)
    assert code == 0
    assert sorted(p.relative_to(tree) for p in tree.rglob("*")) == before


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="needs /proc")
def test_no_learner_process_outlives_a_run(tmp_path):
    import subprocess
    import sys

    tree = write_tree(tmp_path, "echo_server", """\
        import socket, subprocess, sys, threading
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        def serve(host, port):
            server = socket.create_server((host, port))
            while True:
                conn, _ = server.accept()
                threading.Thread(target=lambda c=conn: [c.sendall(d) for d in iter(lambda: c.recv(65536), b"")],
                                 daemon=True).start()
        """)
    process = subprocess.Popen([sys.executable, "-m", "grader", "echo_server", "--path", str(tree)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    process.wait(timeout=120)
    assert learner_processes(process.pid) == []


def test_same_submission_same_grade(tmp_path):
    """The grade never depends on timing. (A message may: a server that adds a newline after
    every recv() sends back a stream that depends on how TCP cut the data, and the message
    describes what it really did.)"""
    broken = ROOT / "tests/implementations/echo_server/broken_adds_newline.py"
    tree = write_tree(tmp_path, "echo_server", broken.read_text())
    grades = []
    for _ in range(3):
        _, report = grade_json("echo_server", "--path", tree, "--check", "newlines")
        grades.append([(c["name"], c["status"], c["score"]) for c in report["exercises"][0]["checks"]])
    assert grades[0] == grades[1] == grades[2]


def test_check_focus_runs_the_named_check_and_what_it_needs():
    code, report = grade_json("echo_server", "--solutions", "--check", "RESETS")
    assert [c["name"] for c in report["exercises"][0]["checks"]] == [
        "starts and listens on the port it is given", "keeps serving after a client resets its connection"]
    assert code == 0


def test_check_focus_that_matches_nothing_is_a_usage_error():
    result = run_grader("echo_server", "--check", "no such check")
    assert result.returncode == 2 and "contains 'no such check'" in result.stderr


def test_missing_dependency_is_explained_not_an_internal_error(monkeypatch, capsys):
    from grader.cli import main as cli

    monkeypatch.setattr(cli, "missing_dependencies", lambda: ["h11"])
    assert cli.main(["echo_server", "--solutions"]) == 2
    assert "h11 not installed" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["echo_server", "paginator"])
def test_code_above_the_stubs_raise_is_told_which_line_still_stops_it(tmp_path, name):
    stub = next(e for e in EXERCISES if e.name == name).stub_path.read_text()
    at = stub.index("    raise NotImplementedError")
    (tmp_path / name).mkdir()
    (tmp_path / name / f"{name}.py").write_text(stub[:at] + "    started = True\n    print('hello')\n" + stub[at:])
    line = stub[:at].count("\n") + 3
    function = next(e.function for e in EXERCISES if e.name == name)
    said = f"your {function}() still raises NotImplementedError at line {line}: delete that line"
    status, report = grade_json(name, "--path", tmp_path)
    (exercise,) = report["exercises"]
    assert status == 1 and exercise["status"] == "not_started"
    assert exercise["checks"][0]["message"] == f"not started: {said}"
    text = run_grader(name, "--path", tmp_path).stdout
    assert said in text and f"then run: grader {name}" in text


HELPER_MODULE = "def echo(conn):\n    while data := conn.recv(65536):\n        conn.sendall(data)\n    conn.close()\n"
USES_HELPER = ("import socket, threading\nfrom helpers import echo\n\n\ndef serve(host, port):\n"
               "    server = socket.create_server((host, port))\n    while True:\n"
               "        conn, _ = server.accept()\n        threading.Thread(target=echo, args=(conn,), daemon=True).start()\n")


def test_a_module_beside_the_file_is_noted_here_and_named_where_it_is_not_taken(tmp_path):
    (tmp_path / "echo_server").mkdir()
    (tmp_path / "echo_server" / "helpers.py").write_text(HELPER_MODULE)
    (tmp_path / "echo_server" / "echo_server.py").write_text(USES_HELPER)
    status, report = grade_json("echo_server", "--path", tmp_path, "--check", "RESETS")
    (exercise,) = report["exercises"]
    assert status == 0 and "imports helpers.py from its own folder. The exercise is one file" in exercise["notes"][0]
    (tmp_path / "echo_server" / "helpers.py").unlink()  # as batch and Gradescope grade it: the file alone
    status, report = grade_json("echo_server", "--path", tmp_path, "--check", "RESETS")
    message = report["exercises"][0]["checks"][0]["message"]
    assert "No module named 'helpers'" in message and "the exercise is one file, and only echo_server.py" in message


def test_all_passed_says_what_was_graded():
    one = run_grader("echo_server", "--solutions", "--check", "RESETS").stdout
    assert "Every check graded here passes. Run `grader echo_server` to grade all of its checks." in one
    assert "Well done" not in one


def test_hint_without_an_exercise_is_the_one_you_are_on(tmp_path):
    tree = tmp_path / "exercises"
    pristine_exercises(tree)
    shutil.copy(ROOT / "solutions/echo_server/echo_server.py", tree / "echo_server/echo_server.py")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = run_grader("hint", cwd=tmp_path, env=env, fresh=True)
    assert first.returncode == 0 and first.stdout.startswith("echo_server, hint 1 of"), first.stderr  # not graded yet
    assert run_grader("echo_server", cwd=tmp_path, env=env, fresh=True).returncode == 0  # remembered as passed
    after = run_grader("hint", cwd=tmp_path, env=env, fresh=True)
    assert after.stdout.startswith("http_hello_server, hint 1 of"), after.stdout + after.stderr


def test_a_reader_that_goes_away_is_no_grader_failure():
    result = subprocess.run(f"{shlex.quote(sys.executable)} -m grader hint echo_server --all | head -1",
                            shell=True, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
