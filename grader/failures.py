"""What a check raises when the learner's program did the wrong thing, and how it reads.

A failure is written for the learner, not for the grader's authors: what was sent, what came
back, what was expected, a hint at the likely cause and, where there is one, a command to
reproduce the probe by hand. Bytes are always shown as Python literals so ``\\r\\n`` and
``\\x00`` are visible, and long ones are cut with a note saying so (after CodeCrafters'
testers and check50's ``Mismatch``).

Anything the learner's program said (what it printed, its traceback) is shown as a quoted block
behind a gutter, and every line is made printable (``grader.quoting``), so that nothing in a
message can pass for the grader's own words or be obeyed by a terminal.
"""

from grader.quoting import inline, printable, quote

SHOW_BYTES = 120  # bytes of a payload shown before it is cut


def show(value, limit=SHOW_BYTES):
    """repr() of a value, cut in the middle (with a note) when it is long."""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value)
        if len(value) <= limit:
            return repr(value)
        head, tail = value[: limit * 2 // 3], value[-(limit // 3):]
        return f"{head!r} ... {tail!r}  ({len(value):,} bytes in all; the middle is not shown)"
    text = repr(value)
    if len(text) <= limit * 2:
        return text
    return f"{text[: limit * 4 // 3]} ... {text[-(limit * 2 // 3):]}  ({len(text):,} characters in all)"


def one_line(text, limit=200):
    """``text`` on one line (runs of white space folded), cut with "..." past ``limit``."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_difference(expected, received):
    """Index of the first position where two sequences differ, or None if one is a prefix."""
    for index, (a, b) in enumerate(zip(expected, received)):
        if a != b:
            return index
    return None


class Prose(str):
    """A field value that is a description ("the connection closed"), shown as it is, not as repr."""


class NotStarted(Exception):
    """The learner's function still raises NotImplementedError: the exercise is not started.

    ``line`` is the line of the learner's file that raised it, when it is known: a learner who
    wrote code above the stub's ``raise`` is told which line still stops it."""

    def __init__(self, message="", line=None):
        super().__init__(message)
        self.line = line


OUTPUT_HEADING = "Your program printed (last lines):"
TRACEBACK_HEADING = "Traceback (your code):"
WHILE_THIS_CHECK_RAN = " while this check ran"


def output_heading(output, during=""):
    """The heading over what a program printed (``during``: when, e.g. WHILE_THIS_CHECK_RAN): it
    says how much that was in all when the quoted lines are not all of it (``output`` is then a
    ``grader.learner.output.Printed``)."""
    if getattr(output, "cut", False):
        return f"Your program printed {output.total:,} bytes in all{during} (last lines):"
    return f"Your program printed{during} (last lines):"


def is_output_heading(line):
    """Whether ``line`` of a message is the heading of what the program printed."""
    return line.startswith("Your program printed") and line.endswith("(last lines):")


class Failure(Exception):
    """A check failed; every field is optional except the summary.

    ``summary`` is one line: learner text in it (an exception's message or type name, which may
    hold newlines) has its newlines shown as ``\\n``. ``excerpt`` is lines the grader made of the
    learner's bytes, already escaped, that must keep their layout (a caret under one byte of the
    line above it): they come right after the summary. ``traceback`` and ``output`` are the
    learner's own text and are quoted behind a gutter. A ``note`` that starts with
    TRACEBACK_HEADING and a newline is taken as a traceback (learner.py and learner_server.py
    pass a traceback that way). ``line`` is the line of the learner's file the failure is about
    (where their code raised), when it is known: a GitHub annotation points there.
    """

    def __init__(self, summary, *, sent=None, received=None, expected=None, hint=None,
                 reproduce=None, output=None, note=None, traceback=None, line=None, excerpt=None):
        super().__init__(summary)
        if traceback is None and note and note.startswith(TRACEBACK_HEADING + "\n"):
            note, traceback = None, note[len(TRACEBACK_HEADING) + 1:]
        self.summary = summary
        self.sent = sent
        self.received = received
        self.expected = expected
        self.hint = hint
        self.reproduce = reproduce
        self.output = output  # what the learner's program printed, when it matters
        self.note = note
        self.traceback = traceback  # the learner's traceback (their frames only), when it matters
        self.line = line
        self.excerpt = excerpt  # lines shown as they are under the summary (a caret under a byte)

    def fields(self):
        """Every field as the rendered failure shows it (``grader.results.FailureDetails``'s keys):
        values as their repr or prose, learner text made printable, the summary on one line."""
        def value(v):
            return None if v is None else printable(v) if isinstance(v, Prose) else show(v)

        def text(v):
            return printable(v) if v else None

        return {"summary": inline(self.summary), "sent": value(self.sent), "received": value(self.received),
                "expected": value(self.expected), "note": text(self.note), "hint": text(self.hint),
                "reproduce": text(self.reproduce), "output": _quoted(self.output),
                "traceback": _quoted(self.traceback), "line": self.line}

    def lines(self):
        """The failure as labelled lines, in the order a learner reads them."""
        shown = self.fields()
        rows = [shown["summary"]]
        if self.excerpt:
            rows.extend(printable(self.excerpt).split("\n"))
        for label in ("Sent", "Received", "Expected"):
            if shown[label.lower()] is not None:
                rows.append(f"{label + ':':<10}{shown[label.lower()]}")
        if shown["note"]:
            rows.append(shown["note"])
        if self.traceback:
            rows.extend(quote(TRACEBACK_HEADING, self.traceback))
        if self.output:
            rows.extend(quote(output_heading(self.output), self.output))
        if shown["hint"]:
            rows.append(f"Hint:     {shown['hint']}")
        if shown["reproduce"]:
            rows.append(f"Try it:   {shown['reproduce']}")
        return rows

    def render(self):
        return "\n".join(self.lines())


def _quoted(text):
    """Learner text as a quoted block shows it, without the heading and gutter (None: nothing)."""
    return printable(text).rstrip("\n") if text else None


class Mismatch(Failure):
    """The program answered, but not with the expected bytes or value."""

    def __init__(self, summary, *, expected, received, **fields):
        super().__init__(summary, expected=expected, received=received, **fields)
        if isinstance(expected, Prose) and self.sent is not None:
            expected = self.sent  # "the same bytes back": compare with what was sent
        if self.note is None and isinstance(expected, (bytes, str)) and isinstance(received, type(expected)) \
                and received:
            self.note = where_they_differ(expected, received)


def where_they_differ(expected, received):
    """One sentence locating the first difference (or the cut) between two long values."""
    unit = "byte" if isinstance(expected, bytes) else "character"
    index = first_difference(expected, received)
    if index is None:
        if len(received) < len(expected):
            return f"It matches the first {len(received):,} of the {len(expected):,} {unit}s expected, then ends."
        if len(received) > len(expected):
            return (f"The first {len(expected):,} {unit}s are right, then came "
                    f"{len(received) - len(expected):,} more: {show(received[len(expected):], 40)}.")
        return None
    if len(expected) <= SHOW_BYTES and len(received) <= SHOW_BYTES:
        return None  # both are shown whole; the reader sees the difference
    return (f"First difference at {unit} {index:,}: expected {show(expected[index:index + 16], 40)}, "
            f"received {show(received[index:index + 16], 40)}.")
