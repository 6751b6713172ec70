"""Read a JSON report back into the result model, to write it again in any format.

``grader report FILE --format F`` uses it: grade once (say, in CI or with ``grader batch``),
keep the JSON, and show the same result as text, JUnit, Gradescope or GitHub output later.
Scores are derived from the checks, as always, so the view cannot disagree with the JSON.

A report saved before checks had a ``failure`` object (and an ``id``) is read too: the fields
the formats need (the summary, the learner's output, the line) are then recovered from the
message, which quotes them as ``grader.failures`` renders them. That is the one place a message
is parsed; everything written since keeps the fields themselves.
"""

import re

from grader.failures import OUTPUT_HEADING
from grader.quoting import GUTTER
from grader.results import ERROR, FAILED, CheckResult, ExerciseResult, FailureDetails, Report


class NotAReport(ValueError):
    pass


def report_from_json(data):
    try:
        exercises = []
        for exercise in data["exercises"]:
            checks = [_check(c) for c in exercise["checks"]]
            exercises.append(ExerciseResult(str(exercise["name"]), str(exercise["status"]), checks,
                                            str(exercise.get("file", "")),
                                            float(exercise.get("duration", 0.0)),
                                            exercise.get("interrupted") is True,
                                            int(exercise.get("printed", 0)),
                                            tuple(str(note) for note in exercise.get("notes", ()))))
        return Report(exercises, str(data.get("tree", "")), float(data.get("duration", 0.0)),
                      data.get("interrupted") is True, str(data.get("isolation", "")))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NotAReport(f"not a netkata JSON report ({type(exc).__name__}: {exc})") from None


def _check(data):
    check = CheckResult.from_json(data)
    if check.failure is None and check.status in (FAILED, ERROR) and check.message.strip():
        check.failure = failure_from_message(check.message)
    return check


_FILE_LINE = re.compile(r"\.py, line (\d+)|\bat line (\d+)")


def failure_from_message(message):
    """The fields of a failure that a report saved without them still shows in its message: the
    summary (the first line), what the learner's program printed (the quoted block under
    OUTPUT_HEADING), and the line of their file the summary names ("x.py, line 4", "at line 4")."""
    lines = message.splitlines()
    summary = lines[0]
    found = _FILE_LINE.search(summary)
    return FailureDetails(summary, output=_quoted_output(lines) or None,
                          line=int(found.group(1) or found.group(2)) if found else None)


def _quoted_output(lines):
    try:
        start = lines.index(OUTPUT_HEADING) + 1
    except ValueError:
        return ""
    printed = []
    for line in lines[start:]:
        if not line.startswith(GUTTER.rstrip()):
            break
        printed.append(line[len(GUTTER):])
    return "\n".join(printed)
