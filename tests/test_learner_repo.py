"""The learner's version of the project (scripts/learner_repo.py), installed as grade.yml installs
it (`pip install .`, not editable): every learner command works there without solutions/."""

import os
import subprocess
import sys

from conftest import ROOT


def test_the_learner_repo_has_no_answers_and_every_command_works(tmp_path):
    dest = tmp_path / "learner"
    made = subprocess.run([sys.executable, str(ROOT / "scripts" / "learner_repo.py"), str(dest)],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    top = {p.name for p in dest.iterdir()}
    assert {"exercises", "grader", "README.md", "pyproject.toml", ".github", ".git"} <= top
    assert not top & {"solutions", "tests", "scripts", "gradescope", ".ci"}
    assert [p.name for p in (dest / ".github" / "workflows").iterdir()] == ["grade.yml"]
    assert subprocess.run(["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True).stdout == ""

    site = tmp_path / "site"  # installed, not editable: the package is copied out of the repository
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                                "--target", str(site), str(dest)], capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def grader(*args):
        return subprocess.run([sys.executable, "-m", "grader", *args], cwd=dest, env=env, capture_output=True,
                              text=True, timeout=120)

    graded = grader()
    assert graded.returncode == 1 and "not started" in graded.stdout, graded.stderr
    assert grader("list").returncode == 0
    assert grader("hint", "echo_server").stdout.startswith("echo_server, hint 1 of")
    (dest / "exercises/echo_server/echo_server.py").write_text("# my attempt\n")
    reset = grader("reset", "echo_server", "--yes")
    assert reset.returncode == 0, reset.stderr
    assert (dest / "exercises/echo_server/echo_server.py").read_bytes() == (
        ROOT / "grader/katas/echo_server/stub.py").read_bytes()
