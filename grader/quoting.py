"""Learner text in the grader's reports: shown, never obeyed, and always marked as theirs.

What a learner's program prints, the messages and type names of the exceptions it raises, its
tracebacks and the reprs of what it returns all reach reports that people read in terminals, CI
logs and web pages. A hostile (or just unlucky) program must not be able to make any of it pass
for the grader's own words, so two rules hold wherever learner text is shown:

* Nothing in it is obeyed. Every character that a terminal or a log viewer acts on instead of
  showing is written as an escape, the way ``repr()`` writes it (``\\x1b``, ``\\r``): C0 and C1
  control characters (ESC starts colour, cursor, screen-clearing and OSC title or hyperlink
  sequences; ``\\x9b`` is a one-byte ``ESC [``; ``\\r`` and ``\\b`` overwrite what came before),
  DEL, the Unicode line and paragraph separators (``str.splitlines`` breaks on them) and the
  bidirectional overrides that reorder what a line seems to say. Tabs and newlines keep their
  meaning, and a Windows ``\\r\\n`` is a newline. Lone surrogates (an exception message can hold
  one) are escaped too: no encoder accepts them, so they would crash the writing of a report.
  Backslashes are left alone, so escaping twice changes nothing.
* Several lines of it are a quoted block: a heading in the grader's words ("Your program printed
  (last lines):"), then every line behind a gutter, ``  | ``. A printed "Total: 60/60" then reads
  as something the program printed, never as the grader's total. Learner text inside one of the
  grader's sentences (an exception message after "raised") is kept on that sentence's line.

A quoted block is also bounded, so that a program cannot make a message long: each line at most
``MAX_LINE`` characters as shown (a longer one is cut, and says how much of it was cut), and at
most ``MAX_LINES`` lines (the middle is dropped, with a note: the start of a traceback and its
end, the error, are what explain a failure). A repr of 4 KiB of binary data, printed once per
chunk received, is then one line of 200 characters, not 16,000.
"""

import re

GUTTER = "  | "  # before every line of a quoted block
MAX_LINE = 200  # characters of one quoted line, as shown (escapes counted), the note of a cut included
MAX_LINES = 20  # lines of one quoted block

_ACTED_ON = ("\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
             "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks and overrides
             "\u2028\u2029"  # line and paragraph separators
             "\ud800-\udfff")  # lone surrogates
_KEEPING_NEWLINES = re.compile(f"[{_ACTED_ON}]")
_ON_ONE_LINE = re.compile(f"[\n{_ACTED_ON}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match):
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text):
    """``text`` with every character a terminal would act on written as an escape; newlines
    (``\\r\\n`` included) and tabs stay."""
    return _KEEPING_NEWLINES.sub(_escape, text.replace("\r\n", "\n"))


def inline(text):
    """``printable(text)`` on one line: newlines too are written as ``\\n``, so learner text
    inside one of the grader's sentences cannot start a line of its own."""
    return _ON_ONE_LINE.sub(_escape, text)


def quote(heading, text, *, max_lines=MAX_LINES):
    """A quoted block: ``heading``, then each line of ``text`` (made printable, cut to MAX_LINE
    characters) behind the gutter, at most ``max_lines`` of them: the first and the last, with a
    note of how many between them are not shown (a traceback's frames, and the error it ends in)."""
    lines = printable(text).rstrip("\n").split("\n")
    if len(lines) > max_lines:
        head = (max_lines - 1) // 2
        tail = max_lines - 1 - head
        note = f"[... {len(lines) - head - tail:,} lines not shown ...]"
        lines = lines[:head] + [note] + lines[len(lines) - tail:]
    return [heading] + [GUTTER + cut_line(line) for line in lines]


def cut_line(line, limit=MAX_LINE):
    """``line`` (already printable) cut to ``limit`` characters, with a note saying how many more
    it had; as it is when it fits."""
    if len(line) <= limit:
        return line
    keep = _whole_escape(line, limit - len(f" [... {len(line):,} more characters]"))
    return line[:keep] + f" [... {len(line) - keep:,} more characters]"


_ESCAPE_START = re.compile(r"\\(x[0-9a-f]{0,1}|u[0-9a-f]{0,3})?$")


def _whole_escape(line, keep):
    """``keep``, moved back so that the cut does not split an escape such as ``\\x1b``."""
    start = max(0, keep - 6)
    match = _ESCAPE_START.search(line[start:keep])
    return start + match.start() if match else keep
