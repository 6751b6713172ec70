"""Pieces several report formats share: how points read, exercise numbers, a check's summary.

Every format is a view of the same ``Report``; what they share is computed here once so that
two formats cannot describe the same result differently.
"""

import hashlib
import json
from pathlib import Path

from grader.track import BY_NAME, EXERCISES
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


def all_passed_words(report):
    """What to say when every check of ``report`` passed: the track is done only when the report
    holds every exercise with all of its checks (not after ``grader echo_server`` or ``--check``)."""
    whole = [e for e in report.exercises
             if e.name in BY_NAME and e.max_score >= BY_NAME[e.name].points]
    if len(whole) == len(EXERCISES):
        return "Every exercise passes. Well done!"
    if len(whole) == len(report.exercises):
        return "Every exercise graded here passes. Run `grader` to grade the whole track."
    names = " ".join(e.name for e in report.exercises)
    its = "its" if len(report.exercises) == 1 else "their"
    return f"Every check graded here passes. Run `grader {names}` to grade all of {its} checks."


def exercise_number(exercise, position):
    """The exercise's place in the learning order (1 for echo_server), whatever was selected;
    ``position`` (1-based, in the report) for a name the track does not know."""
    for number, known in enumerate(EXERCISES, 1):
        if known.name == exercise.name:
            return number
    return position


def first_line(message):
    return message.splitlines()[0] if message.strip() else ""


def summary_of(check):
    """A check's one-line summary: its failure's, or for a check without one (skipped, or made
    by hand) its message's first line."""
    return check.failure.summary if check.failure is not None else first_line(check.message)


def report_digest(report):
    """A hex digest of everything in the report, learner output included: a token that learner
    output cannot know in advance (it would have to contain its own hash)."""
    text = json.dumps(report.to_json(), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


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
