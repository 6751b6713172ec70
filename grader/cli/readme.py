"""The exercise READMEs: one shape for all five, and the hints read from them.

Every exercise's README.md has the same sections in the same order (``SECTIONS``), so a learner
who has read one knows where everything is in the next (as every Exercism exercise has the same
files). tests/unit/test_readmes.py holds each README to it.

The hints live in one place only, the README's last section: a numbered list, a nudge first,
then more and more of the way. ``grader hint`` and the ``h`` key of ``grader watch`` read them
from there, so a hint edited in the README is the hint the grader gives.
"""

import re

SECTIONS = ("What you will build", "What you will learn", "The contract", "Try it by hand",
            "How it is graded", "Hints")

_NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")


def readme_of(exercise, tree):
    """Where ``exercise``'s README is in an exercises/ tree."""
    return tree / exercise.name / "README.md"


def title_and_sections(text):
    """(the ``# `` title, [(section title, section text), ...]) of a README, in order."""
    title = None
    sections = []
    for line in text.splitlines():
        if line.startswith("# ") and title is None and not sections:
            title = line[2:].strip()
        elif line.startswith("## "):
            sections.append([line[3:].strip(), []])
        elif sections:
            sections[-1][1].append(line)
    return title, [(name, "\n".join(lines).strip("\n")) for name, lines in sections]


def hints(text):
    """The numbered items of the ``## Hints`` section, each as its own text: continuation lines
    lose the indentation of the item's text (the width of ``1. ``), keeping any code's own."""
    section = dict(title_and_sections(text)[1]).get("Hints", "")
    items = []
    for line in section.splitlines():
        numbered = _NUMBERED.match(line)
        if numbered and int(numbered.group(1)) == len(items) + 1:
            items.append((numbered.start(2), [numbered.group(2)]))
        elif items and (line.startswith(" ") or not line.strip()):
            indent, lines = items[-1]
            lines.append(line[min(indent, len(line) - len(line.lstrip(" "))):])
        elif items:  # text after the list is not part of the last hint
            break
    return ["\n".join(lines).rstrip() for _, lines in items]
