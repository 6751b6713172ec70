"""Asks the grader's own oracle instead of applying the rules: a program that needs the grader to run
(and that would grade itself)."""

from grader.katas.url_validator import rules


def is_valid_url(url: str) -> bool:
    """True when url is an absolute http or https URL by the rules of docs/url-rules.md."""
    return rules.is_valid_url(url)
