"""Issues 15 and 26: a submission cannot forge its grade. Each program of tests/hostile/isolation/
attacks the grader one way at import (its docstring says how) and records any success in a file
outside the sandbox (``@CANARY@``) and in the error its ``is_valid_url`` raises ("EVIDENCE: ...",
which the report quotes); it is graded through all three paths, ``--path``, ``grader
batch`` and the Gradescope runner, as the user the tests run as (root on this project's CI). Each
attack must fail: no evidence, reports as the grader wrote them, the score the program earned
(0: none implements a rule), and the report naming its isolation.

Where isolation cannot be had (not Linux, no namespaces, no bubblewrap) these tests are skipped;
``test_required_refuses_without_namespaces`` simulates such a machine.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, grade_json, learner_processes, run_grader
from grader.learner import attempts, sandbox

HOSTILE = Path(__file__).resolve().parent / "hostile" / "isolation"
ATTACKS = sorted(p.stem for p in HOSTILE.glob("*.py"))
FULL = "network, user, filesystem"
FOCUS = "without raising"  # one check: the attack runs at import, the grade is settled by the first call
SECRET = {"NETKATA_TEST_SECRET": "s3cret-of-the-grader", "NETKATA_ISOLATION": "auto"}
VICTIM_SOURCE = (ROOT / "solutions" / "url_validator" / "url_validator.py").read_text() + "\n# VICTIM'S OWN WORK\n"


def _isolation_here():
    probe = subprocess.run([sys.executable, "-c", "from grader.learner import sandbox; sandbox.enter('auto'); "
                            "print(sandbox.describe())"], capture_output=True, text=True, timeout=60)
    return probe.stdout.strip()


ISOLATION = _isolation_here() if sys.platform.startswith("linux") else ""
needs_isolation = pytest.mark.skipif(ISOLATION != FULL, reason=f"no full isolation here: {ISOLATION}")


def _source(attack, canary, **fill):
    text = (HOSTILE / f"{attack}.py").read_text().replace("@CANARY@", str(canary))
    values = {"TARGETS": repr([]), "PACKAGE": str(sandbox.GRADER_PACKAGE), "VICTIM": "",
              "RULES": str(sandbox.GRADER_PACKAGE / "katas" / "url_validator" / "rules.py"), **fill}
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def _canary(tmp_path):
    folder = tmp_path / "evidence"
    folder.mkdir()
    folder.chmod(0o777)  # writable by anyone: only isolation keeps the learner's program out
    return folder / "canary"


def _check_report(report, attack):
    assert report["isolation"] == FULL
    (exercise,) = [e for e in report["exercises"] if e["name"] == "url_validator"]
    assert exercise["status"] != "passed"
    assert report["score"] == 0, f"{attack} scored {report['score']}"
    assert "FORGED" not in json.dumps(report)
    assert "SECRET FOUND [" not in json.dumps(report)
    assert "EVIDENCE:" not in json.dumps(report), json.dumps(report)[-3000:]  # the program's own account


DAEMON_PERIOD = 0.25  # seconds between a left-behind daemon's writes (tests/hostile/isolation/)


def _settle(attack, canary):
    if attack in ("outlives_grading", "writes_results"):
        time.sleep(DAEMON_PERIOD * 3)  # a daemon that survived acts every DAEMON_PERIOD: three chances
    assert not canary.exists(), f"{attack} succeeded:\n{canary.read_text()}"


def grade_path(tmp_path, attack, canary):
    tree = tmp_path / "tree" / "url_validator"
    tree.mkdir(parents=True)
    out = tmp_path / "report.json"
    out.write_text("")
    (tree / "url_validator.py").write_text(_source(attack, canary, TARGETS=repr([str(out)])))
    result = run_grader("--path", tree.parent, "url_validator", "--check", FOCUS, "--format", "json",
                        "--output", out, env=SECRET)
    assert result.returncode == 1, result.stderr
    assert "FORGED" not in result.stdout + result.stderr
    _settle(attack, canary)
    report = json.loads(out.read_text())
    _check_report(report, attack)
    assert not learner_processes(os.getpid())


def grade_batch(tmp_path, attack, canary):
    submissions, out = tmp_path / "submissions", tmp_path / "grades"
    (submissions / "attacker" / "url_validator").mkdir(parents=True)
    (submissions / "victim" / "url_validator").mkdir(parents=True)
    victim = submissions / "victim" / "url_validator" / "url_validator.py"
    victim.write_text(VICTIM_SOURCE)
    targets = [str(out / "grades.csv"), str(out / "victim.json"), str(out / "attacker.json")]
    (submissions / "attacker" / "url_validator" / "url_validator.py").write_text(
        _source(attack, canary, TARGETS=repr(targets), VICTIM=str(victim)))
    result = run_grader("batch", submissions, "--out", out, "--jobs", "2", "--check", FOCUS, env=SECRET)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FORGED" not in result.stdout + result.stderr
    assert f"Isolation: {FULL}" in result.stdout
    _settle(attack, canary)
    _check_report(json.loads((out / "attacker.json").read_text()), attack)
    assert json.loads((out / "victim.json").read_text())["score"] == 1
    assert "COPIED" not in (out / "attacker.json").read_text()
    rows = (out / "grades.csv").read_text()
    assert "999" not in rows and "forged" not in rows


def grade_gradescope(tmp_path, attack, canary):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    results = root / "results" / "results.json"
    (root / "submission" / "url_validator.py").write_text(
        _source(attack, canary, TARGETS=repr([str(results)])))
    finished = subprocess.run([sys.executable, "-I", "-m", "grader.cli.autograder", "--root", root, "--check", FOCUS],
                              capture_output=True, text=True, timeout=300, env={**os.environ, **SECRET})
    assert finished.returncode == 0, finished.stderr
    assert "FORGED" not in finished.stdout + finished.stderr
    _settle(attack, canary)
    data = json.loads(results.read_text())
    assert data["score"] == 0 and "forged" not in data
    assert "SECRET FOUND [" not in json.dumps(data)
    assert "EVIDENCE:" not in json.dumps(data), json.dumps(data)[-3000:]
    assert f"Isolation: {FULL}" in data["output"]


@needs_isolation
@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("path", ["path", "batch", "gradescope"])
def test_attack_fails(tmp_path, attack, path):
    canary = _canary(tmp_path)
    {"path": grade_path, "batch": grade_batch, "gradescope": grade_gradescope}[path](tmp_path, attack, canary)


@needs_isolation
def test_the_report_says_what_the_program_tried(tmp_path):
    """A refused write the program printed, and a daemon the grader stopped, are named in the
    exercise's notes (JSON and text) and in the gradebook's notes cell."""
    canary = _canary(tmp_path)
    tree = tmp_path / "tree" / "url_validator"
    tree.mkdir(parents=True)
    (tree / "url_validator.py").write_text(_source("writes_beside_itself", canary))
    code, report = grade_json("--path", tree.parent, "url_validator", "--check", FOCUS, env=SECRET)
    (notes,) = report["exercises"][0]["notes"]
    assert notes.startswith(attempts.NOTE_START), notes
    assert f"writing {str(tree / 'forged.json')!r}: read-only while graded (only a private /tmp" in notes
    assert "1 process that left the program's session (a daemon)" in notes
    text = run_grader("--path", tree.parent, "url_validator", "--check", FOCUS, env=SECRET).stdout
    assert attempts.NOTE_START in " ".join(text.split())
    out = tmp_path / "grades"
    run_grader("batch", tree.parent, "--out", out, "--check", FOCUS, env=SECRET)
    assert "url_validator: tried what the sandbox does not allow" in (out / "grades.csv").read_text()
    _settle("writes_beside_itself", canary)


@needs_isolation
def test_the_attacks_are_real_without_isolation(tmp_path):
    """The same programs, graded with --isolation off, leave their evidence: the tests above test
    the isolation, not attacks that could never work."""
    for attack in ("oracle_validator", "searches_disk", "reads_grader_environment", "changes_grader"):
        canary = _canary(tmp_path / attack) if (tmp_path / attack).mkdir() is None else None
        tree = tmp_path / attack / "tree" / "url_validator"
        tree.mkdir(parents=True)
        (tree / "url_validator.py").write_text(_source(attack, canary, PACKAGE=str(tmp_path / "not-the-grader")))
        result = run_grader("--path", tree.parent, "url_validator", "--check", FOCUS, "--format", "json",
                            "--isolation", "off", env=SECRET)
        assert canary.exists(), f"{attack} found nothing even without isolation:\n{result.stdout[-2000:]}"
        if attack == "oracle_validator":
            assert json.loads(result.stdout)["score"] == 1  # the oracle's verdicts pass the check


@needs_isolation
def test_the_learner_runs_unprivileged(tmp_path):
    """What the program sees of itself: the unprivileged uid, no capabilities, no_new_privs, its
    own PID namespace, no grader package, its own folder read-only and a writable private /tmp."""
    tree = tmp_path / "tree" / "url_validator"
    tree.mkdir(parents=True)
    (tree / "url_validator.py").write_text('''
import os, sys
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
facts = {"uid": os.getuid(), "euid": os.geteuid(), "groups": os.getgroups(),
         "cap_eff": status["CapEff"].strip(), "cap_prm": status["CapPrm"].strip(),
         "no_new_privs": status["NoNewPrivs"].strip(), "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}
try:
    import grader
    facts["grader"] = grader.__file__
except ImportError:
    facts["grader"] = None
import requests, aiohttp, hypothesis  # the project's declared dependencies stay importable
try:
    open("written_here", "w")
    facts["own_folder_writable"] = True
except OSError:
    facts["own_folder_writable"] = False
open("/tmp/scratch", "w").write("ok")
facts["home"] = os.environ.get("HOME")
facts["environment"] = sorted(os.environ)
print("FACTS", facts, file=sys.stderr)
def is_valid_url(url):
    raise ValueError(repr(facts))
''')
    result = run_grader("--path", tree.parent, "url_validator", "--check", FOCUS, "--format", "json", env=SECRET)
    report = json.loads(result.stdout)
    text = json.dumps(report)
    assert "'uid': 65534" in text and "'euid': 65534" in text and "'groups': []" in text
    assert "'cap_eff': '0000000000000000'" in text and "'cap_prm': '0000000000000000'" in text
    assert "'no_new_privs': '1'" in text
    assert "'grader': None" in text
    assert "'own_folder_writable': False" in text
    assert "'home': '/tmp'" in text
    assert "NETKATA_TEST_SECRET" not in text and "'NETKATA_ISOLATION'" not in text


@needs_isolation
def test_solutions_pass_under_full_isolation(tmp_path):
    """Every reference solution, with what the grader hands over (tls_client's cafile) in reach,
    and every temporary folder of the run (the handed-over files, the certificates) gone after it."""
    result = run_grader("--solutions", "--format", "json", fresh=True,  # (two exercises at a time: see test_track)
                        env={**SECRET, "TMPDIR": str(tmp_path), "NETKATA_WORKERS": "2"})
    report = json.loads(result.stdout)
    assert report["isolation"] == FULL
    failing = [(e["name"], c["name"], c["message"][:600]) for e in report["exercises"] for c in e["checks"]
               if c["status"] != "passed"]
    assert not failing, failing
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("netkata-")] == []


@pytest.mark.parametrize("how", ["option", "variable"])
def test_required_refuses_without_namespaces(tmp_path, how):
    """A machine that refuses namespaces (simulated): --isolation required refuses with exit status 2
    and says what is missing and what to install or enable; auto grades and says so."""
    env = {sandbox.REFUSE_VARIABLE: "all", sandbox.MODE_VARIABLE: "auto"}
    args = ["--solutions", "url_validator", "--check", FOCUS]
    if how == "option":
        args += ["--isolation", "required"]
    else:
        env[sandbox.MODE_VARIABLE] = "required"
    result = run_grader(*args, env=env)
    assert result.returncode == 2
    assert "isolation is required" in result.stderr and "bubblewrap" in result.stderr
    assert "network" in result.stderr
    graded = run_grader("--solutions", "url_validator", "--check", FOCUS, "--format", "json", env={sandbox.REFUSE_VARIABLE: "all", sandbox.MODE_VARIABLE: "auto"})
    assert graded.returncode == 0
    assert json.loads(graded.stdout)["isolation"].startswith("none (")


def test_gradescope_runner_refuses_when_required(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "url_validator.py").write_text(VICTIM_SOURCE)
    finished = subprocess.run([sys.executable, "-I", "-m", "grader.cli.autograder", "--root", root, "--check", FOCUS],
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, sandbox.REFUSE_VARIABLE: "filesystem", sandbox.MODE_VARIABLE: "required"})
    assert finished.returncode == 2
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "requires isolation" in results["output"]
