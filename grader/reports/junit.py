"""JUnit XML, for CI test-report tools: a testsuite per exercise, a testcase per check.

The de facto schema that Jenkins, GitLab, Azure Pipelines and the GitHub test-report actions
read: ``testsuites`` > ``testsuite`` (name, tests, failures, errors, skipped, time) >
``testcase`` (name, classname, time, file) holding at most one of ``failure``, ``error`` or
``skipped`` (message attribute, full text inside) and a ``system-out`` with what the learner's
program printed. Each testsuite's properties carry the exercise's status and score.

Learner output can hold any character; those XML 1.0 cannot carry are written as ``\\xNN``
escapes, line ends as ``\\n`` (an XML parser would turn ``\\r\\n`` into ``\\n`` anyway), and
everything outside ASCII as character references, so the document reads the same whatever
encoding the stream has.
"""

import re
import xml.etree.ElementTree as ET

from grader.reports.common import points, shown_path, summary_of
from grader.results import ERROR, FAILED, MISSING, NOT_STARTED, SKIPPED

MESSAGE_ATTRIBUTE_LIMIT = 500  # characters of the summary line kept in message="..."

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text):
    """Text that XML 1.0 can carry and that a parser gives back unchanged."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", text)


def _seconds(value):
    return f"{value:.3f}"


def _outcome(exercise, check):
    """The JUnit outcome of a check: a check of an exercise not started or missing did not pass,
    so it is a failure, not a skip (a CI page showing "0 failures" for work not done says green
    for nothing); other checks keep their own status."""
    if check.status == SKIPPED and exercise.status in (NOT_STARTED, MISSING):
        return FAILED
    return check.status


def _counts(exercises):
    outcomes = [_outcome(e, c) for e in exercises for c in e.checks]
    return {
        "tests": str(len(outcomes)),
        "failures": str(outcomes.count(FAILED)),
        "errors": str(outcomes.count(ERROR)),
        "skipped": str(outcomes.count(SKIPPED)),
    }


def document(report):
    root = ET.Element("testsuites", {"name": "netkata", **_counts(report.exercises),
                                     "time": _seconds(report.duration)})
    for exercise in report.exercises:
        file = shown_path(exercise.file) if exercise.file else ""
        suite = ET.SubElement(root, "testsuite", {"name": exercise.name, **_counts([exercise]),
                                                  "time": _seconds(exercise.duration)})
        properties = ET.SubElement(suite, "properties")
        values = [("status", exercise.status), ("score", points(exercise.score)),
                  ("max_score", points(exercise.max_score)), ("file", file)]
        if exercise.interrupted:  # Ctrl-C cut its grading short: the score covers the checks that ran
            values.append(("interrupted", "true"))
        for name, value in values:
            ET.SubElement(properties, "property", {"name": name, "value": clean(value)})
        for check in exercise.checks:
            case = ET.SubElement(suite, "testcase", {
                "name": clean(check.name), "classname": f"netkata.{exercise.name}",
                "time": _seconds(check.duration), "file": clean(file)})
            status = _outcome(exercise, check)
            tag = {FAILED: "failure", ERROR: "error", SKIPPED: "skipped"}.get(status)
            if tag is None:
                continue
            summary = summary_of(check)
            if len(summary) > MESSAGE_ATTRIBUTE_LIMIT:
                summary = summary[:MESSAGE_ATTRIBUTE_LIMIT] + "..."
            outcome = ET.SubElement(case, tag, {"message": clean(summary)})
            if tag != "skipped":
                outcome.set("type", exercise.status if status != check.status else check.status)
                outcome.text = clean(check.message)
            printed = check.failure.output if check.failure is not None else None
            if printed:
                ET.SubElement(case, "system-out").text = clean(printed)
    ET.indent(root, space="  ")
    return root


def write(report, stream, **_):
    body = ET.tostring(document(report), encoding="us-ascii").decode("ascii")
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n")
