"""Pieces several report formats share: how points read, exercise numbers, the learner's output.

Every format is a view of the same ``Report``; what they share is computed here once so that
two formats cannot describe the same result differently.
"""

import hashlib
import json
import re
from pathlib import Path

from grader.track import EXERCISES
from grader.failures import is_output_heading
from grader.quoting import GUTTER as OUTPUT_PREFIX
from grader.results import FAILED, INTERRUPTED, STATUS_WORDS



def points(value):
    """12.0 -> '12', 1.5 -> '1.5'."""
    return f"{value:g}"


def status_words(exercise):
    if exercise.interrupted:
        return interrupted_words(exercise)
    return STATUS_WORDS.get(exercise.status, STATUS_WORDS[FAILED])


def interrupted_words(exercise):
    """How an exercise whose grading Ctrl-C cut short reads: reached or not."""
    if all(check.message == INTERRUPTED for check in exercise.checks):
        return "interrupted before it was graded"
    return "interrupted (partly graded)"


def interrupted_note(report):
    """The sentence that ends a report Ctrl-C cut short (None for a complete report): the score
    covers only the checks that ran, and the way to the full score."""
    if not report.interrupted:
        return None
    not_run = report.checks_not_run()
    if not not_run:
        return "Grading was interrupted (Ctrl-C) after its last check: the score is complete."
    return (f"Grading was interrupted (Ctrl-C): {not_run} check{'' if not_run == 1 else 's'} did not run "
            "and scored nothing, so this score is partial. Run the same command again for your full score.")


def exercise_number(exercise, position):
    """The exercise's place in the learning order (1 for echo_server), whatever was selected;
    ``position`` (1-based, in the report) for a name the track does not know."""
    for number, known in enumerate(EXERCISES, 1):
        if known.name == exercise.name:
            return number
    return position


def learner_output(message):
    """What the learner's program printed, as quoted in a check's message ('' when nothing)."""
    lines = message.splitlines()
    start = next((number + 1 for number, line in enumerate(lines) if is_output_heading(line)), None)
    if start is None:
        return ""
    printed = []
    for line in lines[start:]:
        if not line.startswith(OUTPUT_PREFIX.rstrip()):
            break
        printed.append(line[len(OUTPUT_PREFIX):])
    return "\n".join(printed)


def first_line(message):
    return message.splitlines()[0] if message.strip() else ""


def report_digest(report):
    """A hex digest of everything in the report, learner output included: a token that learner
    output cannot know in advance (it would have to contain its own hash)."""
    text = json.dumps(report.to_json(), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


_FILE_LINE = re.compile(r"\.py, line (\d+)|\bat line (\d+)")


def line_of(message):
    """The line of the learner's file a message names ('echo_server.py, line 4', 'at line 4')."""
    found = _FILE_LINE.search(first_line(message))
    return int(found.group(1) or found.group(2)) if found else None


def summary_lines(report):
    """One line per exercise with its score, then the total: the short form every format shows."""
    width = max((len(e.name) for e in report.exercises), default=0)
    rows = []
    for exercise in report.exercises:
        score = f"{points(exercise.score)}/{points(exercise.max_score)}"
        rows.append(f"{exercise.name:<{width}}  {score:>7}  {status_words(exercise)}")
    partial = " (partial: grading was interrupted)" if report.interrupted else ""
    rows.append(f"Total: {points(report.score)}/{points(report.max_score)}{partial}")
    return rows


def shown_path(path):
    """A file as a reader of the report finds it: relative to the current folder when it is
    inside it, with forward slashes either way."""
    try:
        return Path(path).resolve().relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):
        return Path(path).as_posix()
