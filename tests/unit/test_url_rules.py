"""The url_validator oracle against its example table, the outside URL rules' examples and the speed
inputs."""

import re
import time
from pathlib import Path

import pytest

from grader.katas.url_validator.rules import (
    ADVERSARIAL_INPUTS, EXAMPLES, RULES, SLOW_CALL_SECONDS, Adversarial, find_violation,
    is_valid_url, main)

pytestmark = pytest.mark.timeout(30)

# The project's outside law, URL_RULES.md, in the shared folder beside the repository where there is
# one (CI): read when present. docs/url-rules.md restates it in the repository, and
# tests/unit/test_docs.py holds that restatement's examples to the oracle everywhere.
RULES_MD = Path(__file__).resolve().parents[3] / "shared" / "URL_RULES.md"


def short(url):
    return repr(url) if len(url) <= 60 else repr(url[:60]) + f"...({len(url)} chars)"


@pytest.mark.parametrize("example", EXAMPLES, ids=[short(e.url) for e in EXAMPLES])
def test_the_oracle_agrees_with_every_row_and_names_its_rule(example):
    violation = find_violation(example.url)
    assert is_valid_url(example.url) is example.valid, (example, violation)
    if not example.valid:
        assert violation.rule == example.rule, (example, violation)


def test_the_table_has_valid_and_invalid_rows_for_every_rule_and_no_duplicates():
    for rule in RULES:
        assert {e.valid for e in EXAMPLES if e.rule == rule} == {True, False}, rule
    urls = [e.url for e in EXAMPLES]
    assert len(urls) == len(set(urls))
    assert all(e.reason for e in EXAMPLES)


def rules_md_examples(text):
    """(url, valid) of each row of the example table in a Markdown text of the URL rules."""
    rows = []
    for line in text.splitlines():
        match = re.fullmatch(r"\| `(.*)`(.*?) \| (yes|no)\b.*\|", line)
        if match:
            url = match.group(1)
            if "ends in a newline" in match.group(2):
                url = url.replace("\\n", "\n")
            rows.append((url, match.group(3) == "yes"))
    return rows


@pytest.mark.skipif(not RULES_MD.exists(), reason="URL_RULES.md is not beside the repository")
def test_every_example_of_url_rules_md_is_in_the_table():
    rows = rules_md_examples(RULES_MD.read_text(encoding="utf-8"))
    assert len(rows) >= 30
    table = {e.url: e.valid for e in EXAMPLES}
    assert [row for row in rows if table.get(row[0]) is not row[1]] == []


def test_a_reason_quotes_a_long_input_cut_short():
    violation = find_violation("http://" + "a" * 50_000)
    assert violation.rule == 3 and "(50000 characters)" in violation.reason
    assert len(str(violation)) < 300


def test_the_adversarial_inputs_are_long_or_backtracking_and_answered_quickly():
    assert sum(len(a.url) >= 10_000 for a in ADVERSARIAL_INPUTS) >= 10
    for adversarial in ADVERSARIAL_INPUTS:
        started = time.perf_counter()
        find_violation(adversarial.url)
        assert time.perf_counter() - started < SLOW_CALL_SECONDS, adversarial.expression


def test_an_adversarial_input_shows_the_expression_that_builds_it():
    adversarial = Adversarial("http://", "a", 3, "!")
    assert adversarial.url == "http://aaa!"
    assert adversarial.expression == "'http://' + 'a' * 3 + '!'"
    assert Adversarial("", "x", 2).expression == "'x' * 2"


def test_the_command_line_prints_each_verdict_and_the_broken_rule(capsys):
    main(["http://example.com./", "http://example.com:0/"])
    assert capsys.readouterr().out.splitlines() == [
        "'http://example.com./': valid",
        "'http://example.com:0/': breaks rule 4 (port 1 to 65535): the port '0' is not in 1 "
        "to 65535",
    ]
