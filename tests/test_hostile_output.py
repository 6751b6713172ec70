"""Learner programs that imitate the grader's report: every report format stays truthful.

The programs are in tests/hostile/ (each file's docstring says what it does and what the grader
must report). Each is graded for real, once per format, in a process of its own as a learner or
instructor runs it; the report goes to a file, so the bytes checked are the bytes written. What
must hold whatever the learner prints, raises or returns:

- the exercise fails, and the real total appears once, where the grader puts it;
- no control character from the learner reaches the text report (an ESC would start a colour,
  a cursor move or a screen clear; a CR would overwrite a line);
- every line the learner wrote is, in the text report, inside a quoted block behind the gutter
  (or inside one of the grader's own sentences), never a line of its own;
- the GitHub output acts on no workflow command but the grader's annotations: all the rest is
  fenced by a stop token the learner cannot guess;
- JSON and Gradescope's results.json parse and add up; JUnit parses as XML and fits its schema.
"""

import ast
import io
import json
import re
import shutil

import pytest

from conftest import ROOT, run_grader
from grader.failures import Failure
from grader.quoting import GUTTER, inline, printable, quote
from grader.reports import text
from grader.results import CheckResult, ExerciseResult, Report
from report_schemas import validate_gradescope, validate_junit
from test_reports import runner_view

HOSTILE = ROOT / "tests" / "hostile"
PROGRAMS = {"echo_server": HOSTILE / "echo_server" / "impersonates_report.py",
            "url_validator": HOSTILE / "url_validator" / "impersonates_report.py"}
MAX_SCORE = 24  # echo_server and url_validator, 12 points each

# Characters a terminal acts on; none may reach a report raw (tab and newline excepted).
ACTED_ON = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                      "\u2028\u2029\ud800-\udfff]")


def learner_lines():
    """Every line the hostile programs print, raise or return (their string constants but the
    docstrings, line by line, as the report shows them), stripped: none may start a line of the
    text report outside a quoted block."""
    lines = set()
    for path in PROGRAMS.values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                lines.update(printable(part).strip() for part in node.value.split("\n"))
    return {line for line in lines if len(line) >= 4}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "tree"
    for exercise, program in PROGRAMS.items():
        (root / exercise).mkdir(parents=True)
        shutil.copy(program, root / exercise / f"{exercise}.py")
    return root


def grade(tree, tmp_path, fmt, **env):
    """Grade the hostile tree in format ``fmt``; the report's bytes, as written to a file."""
    out = tmp_path / f"report.{fmt}"
    result = run_grader(*PROGRAMS, "--path", tree, "--format", fmt, "--output", out, env=env)
    assert result.returncode == 1, result.stderr  # graded, not passed: never a grader failure
    return out.read_bytes()


def rewrite(report_json, tmp_path, fmt, **env):
    """``grader report`` of a saved JSON report in ``fmt`` (how the GitHub workflow writes its log)."""
    saved = tmp_path / "saved.json"
    saved.write_bytes(report_json)
    out = tmp_path / f"rewritten.{fmt}"
    result = run_grader("report", saved, "--format", fmt, "--output", out, env=env)
    assert result.returncode == 1, result.stderr
    return out.read_bytes()


# -- what each format must show -------------------------------------------------------------------

def assert_truthful_text(data):
    """The text report: the real scores once, nothing raw, every learner line quoted."""
    assert not ACTED_ON.search(data.decode("utf-8")), "a control character reached the text report"
    lines = data.decode("utf-8").split("\n")
    scores = [float(m.group(1)) for line in lines if (m := re.fullmatch(r"  Score: ([\d.]+)/12  .*", line))]
    assert len(scores) == 2 and scores[0] == 0 and scores[1] < 12
    totals = [line for line in lines if line.lstrip().startswith("Total:")]
    assert totals == [f"Total: {sum(scores):g}/{MAX_SCORE}"]
    fakes = learner_lines()
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(GUTTER.strip()):
            continue  # quoted: the learner's, and marked as theirs
        assert not any(stripped.startswith(fake) for fake in fakes), f"learner text as a line of its own: {line!r}"
    return sum(scores)


def assert_acts_only_on_annotations(data):
    """The GitHub log: annotations, then the text report fenced by a token nobody could guess."""
    stdout = data.decode("utf-8")
    assert "\x1b" not in stdout
    acted, still_stopped = runner_view(stdout)
    assert still_stopped is None
    assert acted and {name for name, _, _ in acted} == {"error"}
    for _, properties, message in acted:
        assert re.fullmatch(r"file=[^,:]+(,line=\d+)?,title=(echo_server|url_validator)%3A [^,:]+", properties)
        assert "\n" not in message and "\r" not in message
    lines = stdout.split("\n")
    starts = [n for n, line in enumerate(lines) if line.startswith("::stop-commands::")]
    assert len(starts) == 1
    token = lines[starts[0]][len("::stop-commands::"):]
    assert re.fullmatch(r"netkata-[0-9a-f]{32}", token)
    assert all(token not in program.read_text(encoding="utf-8") for program in PROGRAMS.values())
    assert lines[-2:] == [f"::{token}::", ""]  # the fence ends at the end, and only there
    assert not any(line.lstrip().startswith("##[") for line in lines)
    return assert_truthful_text("\n".join(lines[starts[0] + 1:-2]).encode("utf-8") + b"\n")


def assert_truthful_json(data):
    report = json.loads(data)
    assert report["max_score"] == MAX_SCORE
    assert [e["status"] for e in report["exercises"]] == ["failed", "failed"]
    assert report["score"] == sum(e["score"] for e in report["exercises"]) < MAX_SCORE
    assert report["exercises"][0]["score"] == 0
    for exercise in report["exercises"]:
        assert exercise["score"] == sum(c["score"] for c in exercise["checks"])
        for check in exercise["checks"]:
            assert not ACTED_ON.search(check["message"]), check["message"]
    return report["score"]


# -- one real grading per format ------------------------------------------------------------------

def test_text_report_quotes_the_learner_and_shows_nothing_raw(tree, tmp_path):
    assert_truthful_text(grade(tree, tmp_path, "text"))


def test_json_report_is_valid_and_right_and_rewrites_truthfully(tree, tmp_path):
    data = grade(tree, tmp_path, "json")
    score = assert_truthful_json(data)
    assert assert_truthful_text(rewrite(data, tmp_path, "text")) == score
    summary = tmp_path / "summary.md"
    assert assert_acts_only_on_annotations(
        rewrite(data, tmp_path, "github", GITHUB_STEP_SUMMARY=str(summary))) == score
    markdown = summary.read_text(encoding="utf-8")
    assert not ACTED_ON.search(markdown)
    assert markdown.startswith(f"## netkata: {score:g}/{MAX_SCORE}\n")


def test_github_output_acts_only_on_the_graders_annotations(tree, tmp_path):
    assert_acts_only_on_annotations(grade(tree, tmp_path, "github", GITHUB_STEP_SUMMARY=""))


def test_gradescope_results_are_valid_json_and_add_up(tree, tmp_path):
    results = json.loads(grade(tree, tmp_path, "gradescope"))
    validate_gradescope(results)
    assert results["max_score"] == MAX_SCORE and results["score"] < MAX_SCORE
    assert all(test["status"] == "failed" for test in results["tests"] if test["number"].startswith("1."))
    assert not ACTED_ON.search(json.dumps(results, ensure_ascii=False))
    assert results["output"].count("Total:") == 1


def test_junit_is_valid_xml_whatever_the_learner_printed(tree, tmp_path):
    root = validate_junit(grade(tree, tmp_path, "junit").decode("ascii"))
    properties = {(suite.get("name"), p.get("name")): p.get("value")
                  for suite in root for p in suite.iter("property")}
    assert properties[("echo_server", "status")] == "failed" and properties[("echo_server", "score")] == "0"
    assert properties[("url_validator", "status")] == "failed"
    case = root.find("testsuite[@name='echo_server']/testcase")
    assert "##[error]netkata: grader failed, score 60/60 kept" in case.find("system-out").text
    assert "\\x1b[32m\u2713\\x1b[0m echo_server: all 11 checks passed" in case.find("failure").text


# -- the pieces ------------------------------------------------------------------------------------

def test_printable_escapes_what_a_terminal_would_obey_and_keeps_layout():
    assert printable("a\tb\r\nc\rd\x1b[2J\x9b\x07\b\x00\x7f") == "a\tb\nc\\rd\\x1b[2J\\x9b\\x07\\x08\\x00\\x7f"
    assert printable("\u202eevil\u2028x\ud800 caf\u00e9 \u2713") == "\\u202eevil\\u2028x\\ud800 caf\u00e9 \u2713"
    assert printable(printable("\x1b\\x1b")) == printable("\x1b\\x1b")  # escaping twice changes nothing
    assert inline("one\ntwo\r\n") == "one\\ntwo\\r\\n"


def test_quote_puts_every_line_behind_the_gutter():
    assert quote("Heading:", "Total: 60/60\n\n\x1b[32mok\n") == [
        "Heading:", GUTTER + "Total: 60/60", GUTTER, GUTTER + "\\x1b[32mok"]


def test_failure_keeps_learner_text_on_the_graders_lines_or_quoted():
    failure = Failure("serve() raised Fake\nTotal: 60/60", output="\u2713 all passed\rTotal: 60/60",
                      note="Traceback (your code):\n  File \"x.py\", line 1\nFake\nTotal: 60/60")
    assert failure.lines() == [
        "serve() raised Fake\\nTotal: 60/60",
        "Traceback (your code):", GUTTER + "  File \"x.py\", line 1", GUTTER + "Fake", GUTTER + "Total: 60/60",
        "Your program printed (last lines):", GUTTER + "\u2713 all passed\\rTotal: 60/60"]


def test_a_long_learner_line_is_folded_on_a_terminal_behind_its_gutter(monkeypatch):
    """Left to the terminal, a line past its width would wrap to column 0."""
    monkeypatch.setattr(text, "terminal_width", lambda stream: 80)
    message = Failure("It stopped.", output=" " * 200 + "Total: 60/60\n" + "\u4e00" * 100).render()
    report = Report([ExerciseResult("echo_server", "failed",
                                    [CheckResult("starts", "failed", 12.0, message)], "echo_server.py")])
    stream = io.StringIO()
    text.write(report, stream)
    rows = stream.getvalue().split("\n")
    printed = rows[rows.index("      Your program printed (last lines):") + 1:]
    printed = printed[:next(n for n, row in enumerate(printed) if not row.startswith("      " + GUTTER))]
    assert len(printed) > 4 and "".join(row[10:] for row in printed).endswith("\u4e00" * 100)
    assert all(sum(text.columns(c) for c in row) <= 80 for row in printed)
    assert [row for row in rows if row.lstrip().startswith("Total:")] == ["Total: 0/12"]


def test_prose_is_folded_at_spaces_and_a_command_never():
    words = "Send each chunk back as soon as recv() returns it; do not wait for the client to finish. " * 3
    rows = text.fold("      Hint:     " + words.strip(), 60, "      ")
    assert len(rows) > 2 and all(len(row) <= 60 for row in rows)
    assert [word for row in rows for word in row.split()] == ("Hint: " + words).split()  # no word cut
    command = "      Try it:   python echo_server.py 9000   # then: python -c 'import socket; " + "x" * 100 + "'"
    assert text.fold(command, 60, "      ") == [command]
