"""The track, proved from its manifest (grader/track.py): every exercise has every part in its
place, and adding one is its folders plus one manifest entry.

For each exercise: its README has the common sections and its row in the top README's track
table; its stub is untouched and reads as not started without a process; the pristine copy
that `grader reset` restores is the stub; its checks add up to its points; its solution passes
every check; every check is caught by at least one broken program of its test module (whose
CAUGHT_BY map names them); its peer's command answers --help.
"""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, grade_json
from grader.cli.readme import SECTIONS, title_and_sections
from grader.engine.catalog import checks_of
from grader.learner.source import inspect_file
from grader.track import EXERCISES

NAMES = [e.name for e in EXERCISES]
BY = {e.name: e for e in EXERCISES}


def track_table():
    """The rows of README.md's track table: name -> (you write, you learn)."""
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\| `(\w+)` \| `(.+)` \| (.+) \|", line.strip())
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_the_track_table_lists_the_manifest_in_order():
    assert list(track_table()) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_track_table_row_is_the_manifest_entry(name):
    exercise = BY[name]
    assert track_table()[name] == (exercise.signature, exercise.teaches)


@pytest.mark.parametrize("name", NAMES)
def test_the_readme_has_the_common_sections(name):
    title, sections = title_and_sections((ROOT / "exercises" / name / "README.md").read_text(encoding="utf-8"))
    assert title == name
    assert [section for section, _ in sections] == list(SECTIONS)


@pytest.mark.parametrize("name", NAMES)
def test_the_stub_is_untouched_and_the_pristine_copy_is_it(name):
    exercise = BY[name]
    stub = ROOT / "exercises" / name / exercise.filename
    assert inspect_file(exercise.stub_path, exercise.function).kind == "untouched"
    if inspect_file(stub, exercise.function).kind != "untouched":
        pytest.skip(f"exercises/{name}/ holds a learner's work: only the shipped stub can be compared")
    assert exercise.stub_path.read_bytes() == stub.read_bytes(), (
        f"grader/katas/{name}/stub.py differs from exercises/{name}/{exercise.filename}: after changing a "
        f"stub, copy it: cp exercises/{name}/{exercise.filename} grader/katas/{name}/stub.py")


@pytest.mark.parametrize("name", NAMES)
def test_the_checks_add_up_to_the_exercise_points(name):
    checks = checks_of(name)
    assert checks, f"grader/katas/{name}/checks.py has no checks"
    assert sum(c.points for c in checks) == BY[name].points


@pytest.fixture(scope="module")
def solutions_report():
    # Two exercises at a time, not eight: the other test workers are grading too, and this run
    # should meet a busy machine, not make one.
    status, report = grade_json("--solutions", env={"NETKATA_WORKERS": "2"})
    return report


@pytest.mark.parametrize("name", NAMES)
def test_the_solution_passes_every_check(name, solutions_report):
    (exercise,) = [e for e in solutions_report["exercises"] if e["name"] == name]
    failing = [c["name"] for c in exercise["checks"] if c["status"] != "passed"]
    assert not failing, failing
    assert exercise["score"] == BY[name].points


@pytest.mark.parametrize("name", NAMES)
def test_every_check_is_caught_by_a_broken_program(name):
    tests = importlib.import_module(f"test_{name}")
    caught = {check for checks in tests.CAUGHT_BY.values() for check in checks}
    missing = [c.name for c in checks_of(name) if c.name not in caught]
    assert not missing, f"no broken program under tests/implementations/{name}/ is caught by: {missing}"
    programs = {p.stem for p in (ROOT / "tests" / "implementations" / name).glob("broken_*.py")}
    assert set(tests.CAUGHT_BY) <= programs


@pytest.mark.parametrize("name", [e.name for e in EXERCISES if e.peer])
def test_the_peer_runs_by_hand(name):
    result = subprocess.run([sys.executable, "-m", BY[name].peer, "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def contract_clauses(name):
    """The numbered clauses of an exercise's contract (its README's "- **C<n>.**" lines), in order."""
    text = (ROOT / "exercises" / name / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^- \*\*(C\d+)\.\*\*", text, flags=re.MULTILINE)


@pytest.mark.parametrize("name", NAMES)
def test_every_clause_has_a_program_that_breaks_it(name):
    """Each test module's CLAUSES maps every clause of the contract to the broken programs that
    breach that clause alone (each of which CAUGHT_BY proves caught), or to the reason, beginning
    "not graded:", why no check can enforce it without failing a correct style."""
    tests = importlib.import_module(f"test_{name}")
    clauses = contract_clauses(name)
    assert clauses, f"exercises/{name}/README.md has no numbered clauses"
    mapped = getattr(tests, "CLAUSES", {})
    assert list(mapped) == clauses, "CLAUSES must name every clause of the README, in order"
    for clause, breaches in mapped.items():
        if isinstance(breaches, str):
            assert breaches.startswith("not graded:"), clause
            continue
        assert breaches, f"{clause} has no program that breaks it"
        unknown = [program for program in breaches if program not in tests.CAUGHT_BY]
        assert not unknown, f"{clause}: {unknown} not in CAUGHT_BY (so not proved caught)"
