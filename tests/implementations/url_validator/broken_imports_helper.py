"""The regular expression lives in a helper module beside url_validator.py (url_patterns.py), which
is not handed in: only url_validator/url_validator.py is graded."""

from url_patterns import URL


def is_valid_url(url: str) -> bool:
    """True when url is an absolute http or https URL by the rules of docs/url-rules.md."""
    return URL.fullmatch(url) is not None  # fullmatch: "$" would allow a final newline
