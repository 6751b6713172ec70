"""Every exercise has the same shape: README sections in one order, hints read from the README,
and a pristine stub in the grader package identical to the one in exercises/."""

from pathlib import Path

import pytest

from grader.track import EXERCISES
from grader.cli.readme import SECTIONS, hints, title_and_sections

ROOT = Path(__file__).resolve().parents[2]
NAMES = [e.name for e in EXERCISES]


def readme(name):
    return (ROOT / "exercises" / name / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_every_readme_has_the_same_sections_in_the_same_order(name):
    title, sections = title_and_sections(readme(name))
    assert title == name
    assert [section for section, _ in sections] == list(SECTIONS)
    assert all(text.strip() for _, text in sections), "a section is empty"


@pytest.mark.parametrize("name", NAMES)
def test_every_readme_gives_hints_from_a_nudge_to_more(name):
    found = hints(readme(name))
    assert len(found) >= 3
    assert all(hint.strip() and not hint[0].isspace() for hint in found)


def test_hints_are_the_numbered_items_with_their_continuation_lines():
    text = "\n".join([
        "# x", "", "## Hints", "",
        "1. First, a nudge",
        "   that goes on.",
        "2. Then more:",
        "",
        "       code()",
        "",
        "3. The last.",
        "",
        "Text after the list.",
    ])
    assert hints(text) == ["First, a nudge\nthat goes on.", "Then more:\n\n    code()", "The last."]


def test_no_hints_section_gives_no_hints():
    assert hints("# x\n\n## What you will build\n\n1. not a hint\n") == []
