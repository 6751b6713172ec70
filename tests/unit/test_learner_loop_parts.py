"""The learner loop's small parts, without a grading run: the progress bar, the memo's keys, the
transcript in the text report, backups, what counts as a save."""

import io

import pytest

from grader.engine import memo
from grader.track import BY_NAME
from grader.reports.text import progress_bar
from grader.reports import text
from grader.cli.reset import backup_path, restore
from grader.results import CheckResult, ExerciseResult, FailureDetails, Report
from grader.cli.watch import signature

ECHO = BY_NAME["echo_server"]


@pytest.mark.parametrize("passed, bar", [(0, "[>----] 0/5"), (1, "[#>---] 1/5"), (3, "[###>-] 3/5"),
                                         (4, "[####>] 4/5"), (5, "[#####] 5/5")])
def test_progress_bar_draws_one_mark_per_exercise(passed, bar):
    assert progress_bar(passed, 5) == f"Progress: {bar}"


def test_text_report_shows_the_transcript_under_passing_and_failing_checks():
    report = Report([ExerciseResult("echo_server", "failed", [
        CheckResult("echoes", "passed", 6.0, transcript=["Sent bytes: b'a'", "Received bytes: b'a'"]),
        CheckResult("echoes more", "failed", 6.0, "It did not.", transcript=["Sent bytes: b'b'"]),
    ], "/t/echo_server/echo_server.py")])
    out = io.StringIO()
    text.write(report, out)
    lines = out.getvalue().splitlines()
    at = lines.index("  + echoes") if "  + echoes" in lines else lines.index("  \u2713 echoes")
    assert lines[at + 1:at + 4] == ["      Wire transcript:", "        Sent bytes: b'a'", "        Received bytes: b'a'"]
    failed = next(i for i, line in enumerate(lines) if line.endswith(" echoes more"))
    assert lines[failed + 1:failed + 4] == ["      It did not.", "      Wire transcript:", "        Sent bytes: b'b'"]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "tree" / "echo_server"
    folder.mkdir(parents=True)
    (folder / "echo_server.py").write_text("def serve(host, port):\n    pass\n")
    return tmp_path / "tree"


def result(status="failed", check_status="failed"):
    check = CheckResult("echoes", check_status, 12.0, "why", "hint", 0.5, id="echo_server.check_echoes",
                        failure=FailureDetails("why", output="printed", line=3))
    return ExerciseResult("echo_server", status, [check], "/somewhere/echo_server.py", 1.0)


def test_memo_recalls_a_result_for_the_same_files_only(tree):
    key = memo.key(ECHO, tree)
    assert memo.look_up(key, "x") is None
    memo.keep(key, result())
    recalled = memo.look_up(memo.key(ECHO, tree), tree / "echo_server" / "echo_server.py")
    assert recalled.status == "failed" and recalled.checks[0] == result().checks[0]  # its id and failure too
    assert recalled.file == str(tree / "echo_server" / "echo_server.py")
    (tree / "echo_server" / "helper.py").write_text("X = 1\n")  # any file of the exercise counts
    assert memo.key(ECHO, tree) != key
    assert memo.look_up(memo.key(ECHO, tree), "x") is None


def test_memo_never_keeps_a_grader_error(tree):
    key = memo.key(ECHO, tree)
    memo.keep(key, result(check_status="error"))
    assert memo.look_up(key, "x") is None


def test_a_save_changes_the_signature_and_a_backup_never_does(tree):
    path = tree / "echo_server" / "echo_server.py"
    before = signature(ECHO, tree)
    path.write_text("def serve(host, port):\n    return None\n")
    after = signature(ECHO, tree)
    assert after != before
    restore(path, b"stub\n")
    assert len(list(path.parent.glob("echo_server.py.*.bak"))) == 1
    assert signature(ECHO, tree) != after
    assert all(name.endswith(".py") for name, _, _ in signature(ECHO, tree))


def test_backup_names_never_collide(tmp_path):
    path = tmp_path / "echo_server.py"
    first = backup_path(path, now=0)
    first.write_text("")
    assert backup_path(path, now=0) != first
    assert backup_path(path, now=0).name.endswith("-2.bak")
