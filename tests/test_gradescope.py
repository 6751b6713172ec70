"""The Gradescope autograder: gradescope/run_autograder against a fake /autograder in a temp folder.

The fake layout is Gradescope's: ROOT/submission (the learner's upload), ROOT/results. The
grader is this checkout's (NETKATA_PYTHON is the interpreter running the tests); on Gradescope it
is the one setup.sh installs from the autograder zip.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile

import pytest

from conftest import ROOT
from grader.cli.autograder import build_tree
from grader.track import EXERCISES
from report_schemas import validate_gradescope

RUN_AUTOGRADER = ROOT / "gradescope" / "run_autograder"

needs_shell = pytest.mark.skipif(shutil.which("bash") is None or shutil.which("timeout") is None
                                 or os.name != "posix", reason="needs bash and timeout (Gradescope is Linux)")


def run_autograder(root, *args, python=sys.executable, time_limit=None):
    env = {**os.environ, "NETKATA_AUTOGRADER_ROOT": str(root), "NETKATA_PYTHON": str(python)}
    if time_limit is not None:
        env["NETKATA_TIME_LIMIT"] = str(time_limit)
    completed = subprocess.run([str(RUN_AUTOGRADER), *args], cwd=root, env=env, capture_output=True,
                               text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    validate_gradescope(results)
    return results


def upload(root, files):
    for name, text in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "results").mkdir(exist_ok=True)
    return root


SOLUTION = (ROOT / "solutions/echo_server/echo_server.py").read_text()
STUB = (ROOT / "grader/katas/http_hello_server/stub.py").read_text()  # as shipped, whatever exercises/ holds
POISON = "import os\nos._exit(7)\n"  # what would happen if the grader imported it


@needs_shell
def test_loose_files_are_graded_and_everything_else_ignored(tmp_path):
    root = upload(tmp_path / "autograder", {
        "echo_server.py": SOLUTION,
        "old/echo_server.py": POISON,
        "__MACOSX/echo_server.py": POISON,
        "http_hello_server/http_hello_server.py": STUB,
        "grader.py": POISON, "grader/__init__.py": POISON, "conftest.py": POISON,
        "sitecustomize.py": POISON, "pytest.ini": "[pytest]\naddopts = --bogus\n",
    })
    results = run_autograder(root, "--check", "RESETS")
    assert results["score"] == 2.0
    passed = [t["name"] for t in results["tests"] if t["status"] == "passed"]
    assert passed == ["echo_server: starts and listens on the port it is given",
                      "echo_server: keeps serving after a client resets its connection"]
    assert "echo_server: graded echo_server.py\n" in results["output"]
    assert "http_hello_server: graded http_hello_server/http_hello_server.py\n" in results["output"]
    assert "paginator: missing" in results["output"]
    assert "/tmp" not in json.dumps(results) and str(root) not in json.dumps(results)


@needs_shell
def test_a_folder_zipped_whole_is_not_where_the_grader_reads_and_says_so(tmp_path):
    root = upload(tmp_path / "autograder", {"netkata/exercises/http_hello_server/http_hello_server.py": STUB})
    results = run_autograder(root)
    assert results["score"] == 0
    assert ("http_hello_server: missing: netkata/exercises/http_hello_server/http_hello_server.py is not "
            "where the grader reads (http_hello_server/http_hello_server.py)") in results["output"]


@needs_shell
def test_a_weekly_assignment_is_graded_on_its_exercises_alone(tmp_path):
    root = upload(tmp_path / "autograder", {"echo_server/echo_server.py": SOLUTION})
    (root / "source").mkdir()
    (root / "source" / "assignment.txt").write_text("echo_server\n")
    results = run_autograder(root)
    assert results["score"] == 12
    assert {t["name"].split(":")[0] for t in results["tests"]} == {"echo_server"}
    assert sum(t["max_score"] for t in results["tests"]) == 12


@needs_shell
def test_grading_that_overruns_its_limit_still_writes_results(tmp_path):
    root = upload(tmp_path / "autograder", {"echo_server.py": "while True:\n    pass\n"})
    results = run_autograder(root, time_limit=1)
    assert results["score"] == 0 and results["tests"] == []
    assert "did not finish within 1 seconds" in results["output"]
    assert "echo_server: graded echo_server.py" in results["output"]


@needs_shell
def test_a_grader_that_cannot_run_still_leaves_valid_results(tmp_path):
    root = upload(tmp_path / "autograder", {"echo_server.py": SOLUTION})
    results = run_autograder(root, python=shutil.which("false"))
    assert results["score"] == 0 and results["tests"] == []
    assert "the autograder failed (exit status 1)" in results["output"]


@needs_shell
def test_no_submission_folder(tmp_path):
    root = tmp_path / "autograder"
    (root / "results").mkdir(parents=True)
    results = run_autograder(root)
    assert results["score"] == 0 and "No submission was found" in results["output"]


def test_only_exercise_modules_are_copied(tmp_path):
    submission = tmp_path / "submission"
    for name in ("a/b/url_validator.py", "url_validator/url_validator.py", "url_validator.py", "helpers.py",
                 "echo_server.py", "exercises/multi_message_client/multi_message_client.py"):
        (submission / name).parent.mkdir(parents=True, exist_ok=True)
        (submission / name).write_text(f"# {name}\n")
    os.symlink(submission / "echo_server.py", submission / "paginator.py")  # links are not followed
    tree = tmp_path / "tree"
    notes, _ = build_tree(submission, tree, EXERCISES)
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()) == [
        "echo_server/echo_server.py", "multi_message_client/multi_message_client.py",
        "url_validator/url_validator.py"]
    assert (tree / "url_validator/url_validator.py").read_text() == "# url_validator/url_validator.py\n"
    assert "url_validator: graded url_validator/url_validator.py" in notes
    assert "multi_message_client: graded exercises/multi_message_client/multi_message_client.py" in notes
    assert "echo_server: graded echo_server.py" in notes
    assert "paginator: missing" in notes  # a link is neither graded nor named


def test_the_pins_cover_every_dependency_within_its_range():
    from packaging.requirements import Requirement
    pins = {}
    for line in (ROOT / "gradescope" / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]:
        requirement = Requirement(spec)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned in gradescope/constraints.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement.specifier}"


def test_the_autograder_zip_holds_the_entry_points_and_the_grader(tmp_path):
    output = tmp_path / "autograder.zip"
    subprocess.run([sys.executable, str(ROOT / "gradescope" / "build_zip.py"), "--output", str(output)],
                   check=True, capture_output=True)
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "constraints.txt", "pyproject.toml", "README.md", "grader/__init__.py",
                "grader/cli/autograder.py", "grader/engine/pytest.ini"} <= names
        assert not any("__pycache__" in n or n.endswith(".pyc") or n.startswith(("tests/", "solutions/"))
                       for n in names)
        for script in ("setup.sh", "run_autograder"):
            info = archive.getinfo(script)
            assert stat.S_IMODE(info.external_attr >> 16) == 0o755
            assert archive.read(script) == (ROOT / "gradescope" / script).read_bytes()


def test_a_weekly_zip_names_its_exercises(tmp_path):
    output = tmp_path / "week1.zip"
    subprocess.run([sys.executable, str(ROOT / "gradescope" / "build_zip.py"), "http_hello_server", "echo_server",
                    "--output", str(output)], check=True, capture_output=True)
    with zipfile.ZipFile(output) as archive:
        assert archive.read("assignment.txt") == b"echo_server\nhttp_hello_server\n"  # learning order
    wrong = subprocess.run([sys.executable, str(ROOT / "gradescope" / "build_zip.py"), "echo_servr",
                            "--output", str(output)], capture_output=True, text=True)
    assert wrong.returncode == 2 and "unknown exercise 'echo_servr'" in wrong.stderr
