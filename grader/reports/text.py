"""The report for people: a line per check, a short block under each failure, scores, what next.

Colour only helps on a terminal, so it is used only there, and never when NO_COLOR is set
(https://no-color.org). The pass and fail marks fall back to ASCII where the terminal's
encoding cannot show them.

A check's message may quote the learner's program (grader/quoting.py): every line of it is
written through ``printable``, so nothing in it reaches the terminal as a control sequence, even
from a saved JSON report that was never grader-written. On a terminal, a message line wider than
the terminal is folded here, each row keeping the line's indent and gutter: left to the terminal,
a long learner line would wrap to column 0 and could put "Total: 60/60" where the real total is.
"""

import os
import unicodedata
from pathlib import Path

from grader.quoting import GUTTER, inline, printable
from grader.reports.common import all_passed_words, interrupted_note, interrupted_words
from grader.results import ERROR, FAILED, MISSING, NOT_STARTED, PASSED, SKIPPED, STATUS_WORDS

MESSAGE_INDENT = " " * 6  # before each line of a check's message
TRANSCRIPT_INDENT = " " * 8
PRINTED_SHOWN = 1 << 20  # bytes printed from which an exercise's block says how much its program printed

GREEN, RED, YELLOW, DIM, BOLD, RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[0m"


def use_colour(stream):
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _marks(stream):
    try:
        "\u2713\u2717".encode(getattr(stream, "encoding", None) or "ascii")
        return {PASSED: "\u2713", FAILED: "\u2717", ERROR: "!", SKIPPED: "-"}
    except (UnicodeEncodeError, LookupError):
        return {PASSED: "+", FAILED: "x", ERROR: "!", SKIPPED: "-"}


def _shown_path(path):
    try:
        shown = str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    return printable(shown)


def _points(value):
    return f"{value:g}"


def write(report, stream, **_):
    painter = Painter(stream)
    out = []
    for exercise in report.exercises:
        out.extend(exercise_lines(exercise, painter))
    if out and out[-1] != "":
        out.append("")
    partial = " (partial)" if report.interrupted else ""
    if report.isolation:  # how the learner's programs ran (grader/learner/sandbox.py)
        out.append(f"Isolation: {report.isolation}")
    out.append(painter(f"Total: {_points(report.score)}/{_points(report.max_score)}{partial}", BOLD))
    note = interrupted_note(report)  # instead of "Next": the next step is to grade again
    out.extend([painter(note, YELLOW)] if note else fold(_next_step(report), painter.width, "  "))
    stream.write("\n".join(out) + "\n")


def terminal_width(stream):
    """The columns of the terminal ``stream`` writes to; None when it is not a terminal."""
    try:
        return os.get_terminal_size(stream.fileno()).columns if stream.isatty() else None
    except (AttributeError, OSError, ValueError):
        return None


class Painter:
    """Colours text for ``stream`` when it is a terminal that wants colour; knows the marks it can
    show and, on a terminal, its width."""

    def __init__(self, stream):
        self.colour = use_colour(stream)
        self.marks = _marks(stream)
        self.width = terminal_width(stream)

    def __call__(self, text, code):
        return f"{code}{text}{RESET}" if self.colour else text


def exercise_lines(exercise, paint):
    """One exercise's block: a line per check, what went wrong under a failure, the score.
    With --verbose, each check that ran also shows its wire transcript."""
    marks = paint.marks
    tone = {PASSED: GREEN, FAILED: RED, ERROR: RED, SKIPPED: YELLOW}
    out = []
    score = f"{_points(exercise.score)}/{_points(exercise.max_score)}"
    if exercise.status in (NOT_STARTED, MISSING):
        label = STATUS_WORDS[NOT_STARTED if exercise.status == NOT_STARTED else MISSING]
        lines = [f"{paint(exercise.name, BOLD)}  {paint(label, DIM)}  {score}"]
        said = exercise.checks[0].message if exercise.checks else ""
        if said.startswith("not started: "):  # it says which line still raises
            lines.append(f"  {printable(said.removeprefix('not started: '))}")
        return lines
    out.append(f"{paint(printable(exercise.name), BOLD)}  {paint(_shown_path(exercise.file), DIM)}")
    for note in exercise.notes:  # (folded before painting: colour codes take no columns)
        first, *rest = fold(f"  Note: {printable(note)}", paint.width, "        ")
        out += [first.replace("Note:", paint("Note:", YELLOW), 1), *rest]
    skipped_reason = None
    skipped = 0
    for check in exercise.checks:
        if check.status == SKIPPED:
            if skipped and check.message != skipped_reason:
                out.append(_skipped_line(paint, marks, skipped, skipped_reason))
                skipped = 0
            skipped_reason = check.message
            skipped += 1
            continue
        if skipped:
            out.append(_skipped_line(paint, marks, skipped, skipped_reason))
            skipped = 0
        out.append(f"  {paint(marks[check.status], tone[check.status])} {printable(check.name)}")
        if check.status in (FAILED, ERROR):
            out.extend(message_lines(check.message, paint.width))
        if check.transcript:
            out.append(MESSAGE_INDENT + paint("Wire transcript:", DIM))
            for line in check.transcript:
                out.extend(fold(TRANSCRIPT_INDENT + printable(line), paint.width, TRANSCRIPT_INDENT + "  "))
    if skipped:
        out.append(_skipped_line(paint, marks, skipped, skipped_reason))
    if exercise.printed >= PRINTED_SHOWN:
        out.append(paint(f"  Your program printed {exercise.printed:,} bytes while it was graded (printing never "
                         "fails a check; messages quote its last lines).", DIM))
    if exercise.interrupted:
        verdict = paint(interrupted_words(exercise), YELLOW)
    else:
        verdict = paint("passed", GREEN) if exercise.status == PASSED else paint("not passed yet", RED)
    out.append(f"  Score: {score}  {verdict}")
    out.append("")
    return out


def message_lines(message, width=None):
    """A check's message, indented under its check, made printable, folded to ``width`` if given."""
    out = []
    for line in printable(message).splitlines():
        if line.startswith(GUTTER):
            continuation = MESSAGE_INDENT + GUTTER
        else:
            continuation = MESSAGE_INDENT + line[:len(line) - len(line.lstrip(" "))][:12] + "  "
        out.extend(fold(MESSAGE_INDENT + line, width, continuation))
    return out


def columns(char):
    """Columns a character takes on a terminal, counted high (a tab as 8, wide characters as 2)
    so that a folded row never wraps."""
    if char == "\t":
        return 8
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


COMMAND_LABEL = "Try it:"  # a line that is a command to copy: never folded (a fold would break it)


def fold(line, width, continuation):
    """``line`` as rows of at most ``width`` columns, every row after the first starting with
    ``continuation``, broken at a space where one is near the end of the row (inside a word
    only when a word is longer than a row); the line as it is when ``width`` is None, and a
    command to copy always as it is."""
    if width is None or len(line) * 2 <= width and "\t" not in line or line.lstrip().startswith(COMMAND_LABEL):
        return [line]
    width = max(width, len(continuation) + 20)  # on a very narrow terminal, rows may still wrap
    rows, row, used = [], "", 0
    for char in line:
        size = columns(char)
        if used + size > width and used > len(continuation):
            space = row.rfind(" ", len(continuation) if rows else 0)
            if space > len(row) * 2 // 3 and row[:space].strip():  # a space in the last third: break there
                rows.append(row[:space])
                row = continuation + row[space + 1:]
            else:
                rows.append(row)
                row = continuation
            used = sum(columns(c) for c in row)
        row += char
        used += size
    rows.append(row)
    return rows


def _skipped_line(paint, marks, count, reason):
    reason = inline(reason)
    what = "check" if count == 1 else "checks"
    return f"  {paint(marks[SKIPPED], YELLOW)} {paint(f'{count} {what} {reason}', DIM)}" if reason.startswith(
        "skipped") else f"  {paint(marks[SKIPPED], YELLOW)} {paint(f'{count} {what} skipped: {reason}', DIM)}"


def next_command(name):
    """What every "Next" line tells a learner to run (the report's, grader list's, the README's)."""
    return f"grader {name} (or keep `grader watch` open: it grades on every save)"


def _next_step(report):
    exercise = report.next_unfinished()
    if exercise is None:
        return all_passed_words(report)
    folder = _shown_path(Path(exercise.file).parent)
    said = exercise.checks[0].message if exercise.checks else ""
    if exercise.status == NOT_STARTED and said.startswith("not started: "):
        return (f"Next: {exercise.name}. In {_shown_path(exercise.file)}, "
                f"{said.removeprefix('not started: ')}; then run: {next_command(exercise.name)}")
    if exercise.status == NOT_STARTED:
        return (f"Next: {exercise.name}. Read {folder}/README.md, write your code in "
                f"{_shown_path(exercise.file)}, then run: {next_command(exercise.name)}")
    if exercise.status == MISSING:
        return f"Next: {exercise.name}. Its file is missing: {_shown_path(exercise.file)}"
    left = sum(1 for c in exercise.checks if c.status != PASSED)
    return (f"Next: {exercise.name}, {left} check{'s' if left != 1 else ''} to go. "
            f"Edit {_shown_path(exercise.file)}, then run: {next_command(exercise.name)}")


def progress_bar(passed, total):
    """``Progress: [###>-] 3/5``: one mark per exercise, as rustlings draws it."""
    if passed >= total:
        bar = "#" * total
    else:
        bar = "#" * passed + ">" + "-" * (total - passed - 1)
    return f"Progress: [{bar}] {passed}/{total}"
