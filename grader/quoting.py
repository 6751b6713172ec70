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
"""

import re

GUTTER = "  | "  # before every line of a quoted block

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


def quote(heading, text):
    """A quoted block: ``heading``, then each line of ``text`` (made printable) behind the gutter."""
    return [heading] + [GUTTER + line for line in printable(text).rstrip("\n").split("\n")]
