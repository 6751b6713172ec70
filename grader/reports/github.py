"""For GitHub Actions: annotations on the learner's files, a step summary, the text report.

- An ``::error`` workflow command per failed check, pointing at the learner's file (and line,
  when the failure knows one), so the failure shows on the file and in the run's summary.
- The text report on stdout for the log, between ``::stop-commands::TOKEN`` and ``::TOKEN::``:
  the runner executes no workflow command in between, so nothing the learner's program printed
  (quoted in the messages) can set outputs, add paths, mask values or end a group.
- A Markdown table appended to the file named by ``GITHUB_STEP_SUMMARY`` when it is set, with
  each failure's message in a code fence longer than any run of backticks inside it.

Why TOKEN is a digest of the whole report, learner output included, and not a random number:
to end the fence early, learner output would have to hold the line ``::TOKEN::``, so it would
have to contain the hash of a report that contains it, which no one can compute. A random token
would be as safe, but the same result would no longer give the same log, and the formats are
tested byte for byte (the token changes only with the report, durations included).

Outside the fence the grader writes only its own commands. Their data escapes %, CR and LF (so a
message cannot start a line of its own) and property values (file, title) also escape : and ,;
every message is made printable first (``grader.quoting``), as in the text report, so the log
viewer, which renders ANSI colour, shows learner escape sequences instead of obeying them.
"""

import html
import os
import re
from pathlib import Path

from grader.quoting import inline, printable
from grader.reports import text
from grader.reports.common import all_passed_words, interrupted_note, points, report_digest, status_words
from grader.results import ERROR, FAILED, PASSED

FROM_ENVIRONMENT = object()  # option default: read GITHUB_STEP_SUMMARY / GITHUB_WORKSPACE
SUMMARY_MESSAGE_LIMIT = 4000  # characters of one failure's message in the step summary
ANNOTATION_MESSAGE_LIMIT = 4000


def escape_data(value):
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value):
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name, message, **properties):
    shown = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items()
                     if value is not None)
    return f"::{name}{' ' + shown if shown else ''}::{escape_data(message)}"


def stop_token(report):
    return "netkata-" + report_digest(report)[:32]


def repository_path(file, workspace):
    """The learner's file as GitHub names it: relative to the workspace, with forward slashes."""
    path = Path(file)
    for base in (workspace, os.getcwd()):
        if base:
            try:
                return path.resolve().relative_to(Path(base).resolve()).as_posix()
            except (ValueError, OSError):
                continue
    return path.as_posix()


def annotations(report, workspace=None):
    lines = []
    if report.interrupted:
        lines.append(command("warning", interrupted_note(report), title="netkata: grading was interrupted"))
    for exercise in report.exercises:
        for check in exercise.checks:
            if check.status not in (FAILED, ERROR):
                continue
            message = printable(check.message or "failed")
            if len(message) > ANNOTATION_MESSAGE_LIMIT:
                message = message[:ANNOTATION_MESSAGE_LIMIT] + "\n[... cut; the log has the whole message]"
            lines.append(command("error", message, file=repository_path(exercise.file, workspace),
                                 line=check.failure.line if check.failure is not None else None, title=inline(f"{exercise.name}: {check.name}")))
    return lines


def _fence(content):
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    return "`" * max(3, longest + 1)


def markdown_summary(report):
    partial = " (partial: grading was interrupted)" if report.interrupted else ""
    out = [f"## netkata: {points(report.score)}/{points(report.max_score)}{partial}", "",
           "| exercise | status | score |", "|---|---|---|"]
    for exercise in report.exercises:
        mark = "\u2705" if exercise.status == PASSED else "\u274c"
        out.append(f"| {exercise.name} | {mark} {status_words(exercise)} "
                   f"| {points(exercise.score)}/{points(exercise.max_score)} |")
    failed = [(e, c) for e in report.exercises for c in e.checks if c.status in (FAILED, ERROR)]
    if failed:
        out += ["", "### Checks that did not pass", ""]
        for exercise, check in failed:
            message = printable(check.message)
            if len(message) > SUMMARY_MESSAGE_LIMIT:
                message = message[:SUMMARY_MESSAGE_LIMIT] + "\n[... cut; the log has the whole message]"
            fence = _fence(message)
            out += [f"<details><summary>{html.escape(exercise.name)}: {html.escape(check.name)}</summary>", "",
                    fence + "text", message, fence, "", "</details>", ""]
    nxt = report.next_unfinished()
    if report.interrupted:
        out += ["", interrupted_note(report), ""]
    else:
        out += ["", all_passed_words(report) if nxt is None else f"Next: **{nxt.name}**.", ""]
    return "\n".join(out)


def write(report, stream, *, summary=FROM_ENVIRONMENT, workspace=FROM_ENVIRONMENT, **_):
    """``summary``: a path or a text stream for the Markdown summary (None: none);
    ``workspace``: the folder file paths are relative to. Both default to the variables
    GitHub Actions sets."""
    if workspace is FROM_ENVIRONMENT:
        workspace = os.environ.get("GITHUB_WORKSPACE")
    if summary is FROM_ENVIRONMENT:
        summary = os.environ.get("GITHUB_STEP_SUMMARY") or None
    token = stop_token(report)
    for line in annotations(report, workspace):
        stream.write(line + "\n")
    stream.write(f"::stop-commands::{token}\n")
    text.write(report, stream)
    stream.write(f"::{token}::\n")
    if summary is None:
        return
    if hasattr(summary, "write"):
        summary.write(markdown_summary(report))
        return
    with open(summary, "a", encoding="utf-8") as file:
        file.write(markdown_summary(report))
