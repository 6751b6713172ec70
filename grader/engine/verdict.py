"""What a check came to: its phases (setup, call, teardown) read into a status, a message and a
failure's fields.

A phase passed, was skipped (and why), failed with a ``Failure`` (the learner's program did the
wrong thing), ran out of time, or failed because the grader itself broke. The check's result is
its first phase that failed or erred, else its first skip; and when its server died during it,
how the server ended is added to the message and to the failure.
"""

import dataclasses

import pytest

from grader.failures import Failure, NotStarted
from grader.quoting import inline
from grader.results import ERROR, FAILED, PASSED, SKIPPED, FailureDetails

INTERNAL_ERROR_HINT = ("This is a bug in the grader, not in your code. Please report it with the "
                       "message above.")
HYPOTHESIS_NOTE = "(Hypothesis tried many inputs; this is the smallest failing one it found.)"


@dataclasses.dataclass
class Verdict:
    """What one phase of a check came to."""

    status: str
    message: str = ""
    duration: float = 0.0
    failure: FailureDetails | None = None


def verdict(call, hint):
    """The Verdict of one phase of a check (pytest's CallInfo); ``hint`` is the check's own."""
    duration = call.duration
    if call.excinfo is None:
        return Verdict(PASSED, "", duration)
    exc = call.excinfo.value
    if isinstance(exc, BaseExceptionGroup):  # Hypothesis: a failure that did not always happen
        failures = [e for e in exc.exceptions if isinstance(e, Failure)]
        if failures:
            exc = failures[0]
            exc.note = (exc.note + "\n" if exc.note else "") + \
                "This failure did not happen every time the same input was tried."
    if isinstance(exc, NotStarted):
        return Verdict(SKIPPED, "not started", duration)
    if isinstance(exc, pytest.skip.Exception):
        return Verdict(SKIPPED, str(exc.msg), duration)
    if isinstance(exc, Failure):
        exc.hint = exc.hint or hint
        details = FailureDetails(**exc.fields())
        message = exc.render()
        if any(note.startswith(("Falsifying example", "Failing test case")) for note in getattr(exc, "__notes__", [])):
            message += "\n" + HYPOTHESIS_NOTE
            details.note = "\n".join(part for part in (details.note, HYPOTHESIS_NOTE) if part)
        return Verdict(FAILED, message, duration, details)
    if isinstance(exc, pytest.fail.Exception) and str(exc.msg).startswith("Timeout"):
        summary = ("This check did not finish within its time limit "
                   f"({str(exc.msg).split()[1].lstrip('>')}), so it was stopped.")
        return Verdict(FAILED, summary, duration, FailureDetails(summary))
    summary = f"The grader failed while running this check: {type(exc).__name__}: {exc}"
    return Verdict(ERROR, f"{summary}\n{INTERNAL_ERROR_HINT}", duration,
                   FailureDetails(inline(summary), hint=INTERNAL_ERROR_HINT))


def combined(phases, death=None):
    """(status, message, failure) of a check from the Verdicts of its phases; ``death`` is a
    Failure saying how its server ended during it, if it did."""
    failed = [p for p in phases if p.status in (FAILED, ERROR)]
    first = (failed or [p for p in phases if p.status == SKIPPED] or [Verdict(PASSED)])[0]
    status, message, failure = first.status, first.message, first.failure
    if len(failed) > 1:
        message = "\n".join(p.message for p in failed)
    if status == FAILED and death and death.render().splitlines()[0] not in message:
        message += "\n" + death.render()
        failure = _with_death(failure, death)
    return status, message, failure


def _with_death(details, death):
    """A check's failure with how the server ended during it: its summary added to the note, its
    output, traceback and line where the check's own failure has none."""
    ended = FailureDetails(**death.fields())
    if details is None:
        return ended
    note = "\n".join(part for part in (details.note, ended.summary) if part)
    return dataclasses.replace(details, note=note, output=details.output or ended.output,
                               traceback=details.traceback or ended.traceback, line=details.line or ended.line)
