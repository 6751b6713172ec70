"""Every report format, compared byte for byte with golden files written from fixed results.

The fixed Report below has one exercise in every state and messages with everything a learner's
program can put in them (workflow commands, XML specials, control characters, backticks, non-ASCII).
No grading runs here except in the command-line tests at the end, which grade the untouched stubs
(settled by reading, no learner process) and compare with timing and paths normalised.

To regenerate the golden files after an intended change of a format:

    NETKATA_UPDATE_GOLDEN=1 pytest tests/test_reports.py

and read the diff before committing it.
"""

import io
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, run_grader
from grader.cli import main as cli
from grader.failures import Failure, Prose
from grader.reports import FORMATS, github, junit
from grader.reports.load import NotAReport, failure_from_message, report_from_json
from grader.results import CheckResult, ExerciseResult, FailureDetails, Report
from report_schemas import validate_gradescope, validate_junit

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("NETKATA_UPDATE_GOLDEN") == "1"
TREE = "/course/alice"

HOSTILE_OUTPUT = "\n".join([
    "::set-output name=score::60",
    "::error file=grader/cli.py::you have been graded 60/60",
    "::add-mask::secret",
    "%0A::warning::escaped newline",
    "<script>alert(1)</script> & ]]> \x00\x1b[31m red \x7f",
    "``` end of fence? ````",
    "caf\u00e9 \u2713 \U0001f600 \r carriage",
])


def failed(name, max_score, failure, duration, check_id):
    """A failed check as the grader makes one: the message rendered from the Failure, its fields kept."""
    return CheckResult(name, "failed", max_score, failure.render(), duration=duration, id=check_id,
                       failure=FailureDetails(**failure.fields()))


def fixed_report():
    crash = Failure(
        "Your server stopped: serve('127.0.0.1', 40123) raised ConnectionResetError at line 14 "
        "after a client reset its connection.",
        note="Traceback (your code):\n  File \"echo_server.py\", line 14, in serve",
        output=HOSTILE_OUTPUT, line=14,
        hint="Catch ConnectionResetError around one connection's recv()/sendall(), 100% of the time.")
    mismatch = Failure("The reply differs: 50% of it, at byte 3.", sent=b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                       received=b"HTTP/1.1 200 OK\n", expected=b"HTTP/1.1 200 OK\r\n",
                       hint="End every line with \\r\\n, not \\n.")
    http = f"{TREE}/http_hello_server/http_hello_server.py"
    return Report([
        ExerciseResult("echo_server", "failed", [
            CheckResult("starts and listens on the port it is given", "passed", 1.0, duration=0.25,
                        id="echo_server.check_starts"),
            CheckResult("echoes binary data unchanged (NUL bytes, invalid UTF-8, \\r\\n)", "passed", 1.5,
                        duration=0.5, id="echo_server.check_binary_data"),
            failed("keeps serving after a client resets its connection", 1.5, crash, 1.125,
                   "echo_server.check_survives_reset"),
            CheckResult("serves 20 clients at once", "error", 2.0,
                        "The check itself failed: KeyError: 'x'\nHint:     This is a bug in the grader.",
                        duration=0.0625, id="echo_server.check_many_clients",
                        failure=FailureDetails("The check itself failed: KeyError: 'x'",
                                               hint="This is a bug in the grader.")),
            CheckResult("echoes a payload of 8 MiB", "skipped", 6.0,
                        "skipped because \u201ckeeps serving after a client resets its connection\u201d failed",
                        id="echo_server.check_big_payload"),
        ], f"{TREE}/echo_server/echo_server.py", 2.0),
        ExerciseResult("http_hello_server", "failed", [
            CheckResult("starts and listens on the port it is given", "passed", 1.0, duration=0.125,
                        id="http_hello_server.check_starts"),
            failed("ends every line with CRLF", 11.0, mismatch, 0.375, "http_hello_server.check_crlf"),
        ], http, 0.5),
        ExerciseResult("multi_message_client", "not_started", [
            CheckResult("sends each message and returns the replies", "skipped", 12.0, "not started",
                        id="multi_message_client.check_replies"),
        ], f"{TREE}/multi_message_client/multi_message_client.py"),
        ExerciseResult("url_validator", "missing", [
            CheckResult("accepts http and https URLs", "skipped", 12.0,
                        f"missing: there is no url_validator/url_validator.py in {TREE}",
                        id="url_validator.check_accepts"),
        ], f"{TREE}/url_validator/url_validator.py"),
        ExerciseResult("paginator", "passed", [
            CheckResult("fetches a single page", "passed", 12.0, duration=0.75, id="paginator.check_one_page"),
        ], f"{TREE}/paginator/paginator.py", 0.75),
    ], TREE, 3.5)


def rendered(name, report=None, **options):
    stream = io.StringIO()
    FORMATS[name](report or fixed_report(), stream, **options)
    return stream.getvalue()


def github_rendered(report=None):
    summary = io.StringIO()
    stdout = rendered("github", report, summary=summary, workspace=TREE)
    return stdout, summary.getvalue()


def outputs():
    stdout, summary = github_rendered()
    return {"report.txt": rendered("text"), "report.json": rendered("json"),
            "report.gradescope.json": rendered("gradescope"), "report.junit.xml": rendered("junit"),
            "report.github.txt": stdout, "report.github-summary.md": summary, "report.html": rendered("html")}


def compare_with_golden(name, actual):
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        pytest.skip(f"wrote {path}")
    assert actual.encode("utf-8") == path.read_bytes(), f"{name} differs from tests/golden/{name}"


@pytest.mark.parametrize("name", list(outputs()))
def test_format_matches_golden_file(name):
    compare_with_golden(name, outputs()[name])


def test_every_format_has_a_golden_file():
    golden_formats = {"text", "json", "gradescope", "junit", "github", "html"}
    assert set(FORMATS) == golden_formats


def test_formats_agree_on_the_scores():
    report = fixed_report()
    total, maximum = report.score, report.max_score
    assert (total, maximum) == (15.5, 60.0)
    assert json.loads(rendered("json"))["score"] == total
    results = json.loads(rendered("gradescope"))
    assert (results["score"], results["max_score"]) == (total, maximum)
    assert f"Total: {total:g}/{maximum:g}" in rendered("text")
    stdout, summary = github_rendered()
    assert f"Total: {total:g}/{maximum:g}" in stdout and f"netkata: {total:g}/{maximum:g}" in summary
    root = ET.fromstring(rendered("junit"))
    scores = {s.get("name"): {p.get("name"): p.get("value") for p in s.iter("property")} for s in root}
    assert sum(float(s["score"]) for s in scores.values()) == total


# -- Gradescope ----------------------------------------------------------------------------------

def test_gradescope_results_follow_the_schema():
    results = json.loads(rendered("gradescope"))
    validate_gradescope(results)
    assert [t["number"] for t in results["tests"]] == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2",
                                                       "3.1", "4.1", "5.1"]
    assert {t["status"] for t in results["tests"][4:5]} == {"failed"}  # a skipped check scores nothing


def test_gradescope_numbers_follow_the_learning_order_when_exercises_are_selected():
    report = fixed_report()
    report.exercises = report.exercises[4:]
    assert json.loads(rendered("gradescope", report))["tests"][0]["number"] == "5.1"


# -- JUnit ---------------------------------------------------------------------------------------

def test_junit_follows_the_schema_and_carries_messages_and_output():
    text = rendered("junit")
    root = validate_junit(text)
    assert text.isascii()
    assert [s.get("name") for s in root] == [e.name for e in fixed_report().exercises]
    case = root.find("testsuite[@name='echo_server']/testcase[@name='keeps serving after a client resets "
                     "its connection']")
    failure = case.find("failure")
    report_check = fixed_report().exercises[0].checks[2]
    assert failure.text == junit.clean(report_check.message)
    assert failure.get("message").startswith("Your server stopped")
    assert case.find("system-out").text == junit.clean(report_check.failure.output)
    assert "\\x00" in case.find("system-out").text and "\u2713" in case.find("system-out").text
    assert root.find("testsuite[@name='echo_server']/testcase[@name='serves 20 clients at once']/error") is not None


def test_junit_cleaning_keeps_what_xml_can_carry():
    assert junit.clean("a\r\nb\rc\td\x00\x1b\ufffe") == "a\nb\nc\td\\x00\\x1b\\ufffe"


# -- GitHub --------------------------------------------------------------------------------------

def test_workflow_command_escaping():
    assert github.escape_data("50%\r\nnext: a, b") == "50%25%0D%0Anext: a, b"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def runner_view(stdout):
    """The workflow commands a GitHub runner would act on, reading stdout line by line (it
    ignores leading white space)."""
    acted, stopped_by = [], None
    for line in stdout.split("\n"):
        line = line.lstrip()
        if stopped_by is not None:
            if line == f"::{stopped_by}::":
                stopped_by = None
            continue
        found = re.match(r"::([a-z-]+)(?: ([^:]*))?::(.*)$", line)
        if found is None:
            continue
        name, properties, data = found.groups()
        if name == "stop-commands":
            stopped_by = data
            continue
        acted.append((name, properties, data))
    return acted, stopped_by


def test_learner_output_cannot_issue_workflow_commands():
    stdout, _ = github_rendered()
    assert "::set-output name=score::60" in stdout  # it is there, quoted in the text report...
    acted, still_stopped = runner_view(stdout)
    assert still_stopped is None  # ...inside a fence that is closed again at the end
    assert [name for name, _, _ in acted] == ["error"] * 3  # the failed and the error checks only
    for _, properties, data in acted:
        assert "\n" not in data and "\r" not in data
        assert all(re.fullmatch(r"[a-z]+=[^,:]*", p) for p in properties.split(","))


def test_annotations_point_at_the_learners_file_and_line():
    acted, _ = runner_view(github_rendered()[0])
    properties = [dict(p.split("=", 1) for p in props.split(",")) for _, props, _ in acted]
    assert properties[0] == {"file": "echo_server/echo_server.py", "line": "14",
                             "title": "echo_server%3A keeps serving after a client resets its connection"}
    assert properties[2]["file"] == "http_hello_server/http_hello_server.py" and "line" not in properties[2]
    message = acted[0][2].replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert message == fixed_report().exercises[0].checks[2].message


def test_stop_token_depends_on_the_learner_output():
    report = fixed_report()
    other = fixed_report()
    other.exercises[0].checks[2].message += "\n  | one more line"
    assert github.stop_token(report) != github.stop_token(other)
    assert github.stop_token(report) == github.stop_token(fixed_report())


def test_summary_fences_are_longer_than_any_backtick_run_inside():
    _, summary = github_rendered()
    assert "\n`````text\n" in summary  # the learner output holds a run of four backticks


def test_summary_is_appended_to_the_step_summary_file(tmp_path, monkeypatch):
    path = tmp_path / "summary.md"
    path.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    monkeypatch.setenv("GITHUB_WORKSPACE", TREE)
    stdout = rendered("github")
    assert stdout == github_rendered()[0]
    assert path.read_text(encoding="utf-8") == "earlier step\n" + github_rendered()[1]


def test_no_summary_without_the_variable(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert rendered("github", workspace=TREE) == github_rendered()[0]


# -- shared pieces -------------------------------------------------------------------------------

def test_a_failure_keeps_its_fields_as_its_message_shows_them():
    failure = Failure("It crashed\nhere.", sent=b"a\x00", expected=Prose("the end"), output="first\n\nlast\x1b",
                      traceback="  File \"x.py\", line 9\nKeyError", hint="Look.", line=9)
    fields = FailureDetails(**failure.fields())
    assert fields == FailureDetails("It crashed\\nhere.", sent="b'a\\x00'", expected="the end", hint="Look.",
                                    output="first\n\nlast\\x1b", traceback="  File \"x.py\", line 9\nKeyError",
                                    line=9)
    message = failure.render()
    assert message.splitlines()[0] == fields.summary and "  | last\\x1b" in message
    assert FailureDetails.from_json(json.loads(json.dumps(fields.to_json()))) == fields


def test_a_report_saved_without_failure_fields_still_shows_them():
    """``grader report`` of a JSON report from before checks kept their failure: the fields the
    formats need are read back from the message, so every format reads as it did."""
    data = json.loads(rendered("json"))
    for exercise in data["exercises"]:
        for check in exercise["checks"]:
            check.pop("failure", None)
            check.pop("id", None)
    old = report_from_json(data)
    crash = old.exercises[0].checks[2].failure
    assert crash.line == 14 and crash.output == fixed_report().exercises[0].checks[2].failure.output
    for name in ("junit", "text", "gradescope"):
        assert rendered(name, old) == rendered(name), name
    assert github_rendered(old)[1] == github_rendered()[1]
    assert runner_view(github_rendered(old)[0])[0] == runner_view(github_rendered()[0])[0]


def test_the_line_of_an_old_message_is_read_from_its_first_line_only():
    assert failure_from_message("Importing echo_server.py, line 7 raised NameError: x").line == 7
    assert failure_from_message("Your server stopped: serve() raised OSError at line 3.").line == 3
    assert failure_from_message("The reply differs.\n  File \"x.py\", line 9").line is None
    assert failure_from_message(Failure("No output.").render()).output is None


def test_a_json_report_reads_back_into_the_same_report():
    again = report_from_json(json.loads(rendered("json")))
    for name in FORMATS:
        if name != "github":
            assert rendered(name, again) == rendered(name), name
    assert github_rendered(again) == github_rendered()


def test_a_json_file_that_is_not_a_report_is_refused():
    with pytest.raises(NotAReport):
        report_from_json({"score": 1})


# -- the command line ----------------------------------------------------------------------------

def normalise(text, tree):
    text = text.replace(str(tree), "<TREE>")
    text = re.sub(r'("duration": )[0-9.]+', r"\g<1>0", text)
    text = re.sub(r'("execution_time": )[0-9]+', r"\g<1>0", text)
    text = re.sub(r'time="[0-9.]+"', 'time="0.000"', text)
    return re.sub(r"netkata-[0-9a-f]{32}", "netkata-TOKEN", text)


def grade_stubs(format_name, folder, stubs):
    """The command line, in this process (the stubs are settled by reading: no pytest run)."""
    out = folder / f"report.{format_name}"
    assert cli.main(["--path", str(stubs), "--format", format_name, "--output", str(out)]) == 1
    return out.read_text(encoding="utf-8")


@pytest.fixture
def stubs_json(tmp_path, pristine_project):
    return grade_stubs("json", tmp_path, pristine_project / "exercises")


@pytest.mark.parametrize("name", [f for f in FORMATS if f != "json"])
def test_command_line_writes_each_format_from_the_same_result(name, stubs_json, tmp_path, monkeypatch,
                                                              pristine_project):
    """The command line's output in each format is that format written from its JSON report
    (timings normalised: the two are separate runs)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", "")
    monkeypatch.setenv("GITHUB_WORKSPACE", "")
    output = grade_stubs(name, tmp_path, pristine_project / "exercises")
    if name == "gradescope":
        validate_gradescope(json.loads(output))
    if name == "junit":
        validate_junit(output)
    again = report_from_json(json.loads(stubs_json))
    options = {"summary": None, "workspace": None} if name == "github" else {}
    expected = rendered(name, again, **options)
    stubs = pristine_project / "exercises"
    assert normalise(output, stubs) == normalise(expected, stubs)


def test_report_command_rewrites_a_saved_report(tmp_path):
    saved = tmp_path / "alice.json"
    saved.write_text(rendered("json"), encoding="utf-8")
    result = run_grader("report", saved, "--format", "junit")
    assert result.returncode == 1
    assert result.stdout == rendered("junit")
    result = run_grader("report", saved, "--format", "gradescope", "--output", tmp_path / "results.json")
    assert result.returncode == 1 and result.stdout == ""
    assert (tmp_path / "results.json").read_text(encoding="utf-8") == rendered("gradescope")


def test_report_command_refuses_what_is_not_a_report(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{\"score\": 3}", encoding="utf-8")
    assert cli.main(["report", str(bad)]) == 2
    assert "not a netkata JSON report" in capsys.readouterr().err
    assert cli.main(["report", str(tmp_path / "nowhere.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
