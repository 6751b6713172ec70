"""The URL strategies: valid URLs are valid and cover every form; broken ones break one rule."""

import pytest
from hypothesis import HealthCheck, given, settings

from grader.katas.url_validator.rules import RULES, find_violation
from grader.katas.url_validator.strategies import broken_urls, valid_urls


SETTINGS = settings(max_examples=200, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def host_and_port(url):
    """The host and the port (None when absent) of a valid URL."""
    authority = url.split("/")[2].partition("?")[0].partition("#")[0]
    if authority.startswith("["):
        address, _, after = authority.partition("]")
        return address + "]", after[1:] if after else None
    host, colon, port = authority.partition(":")
    return host, port if colon else None


def host(url):
    return host_and_port(url)[0]


def port(url):
    return host_and_port(url)[1]


FORMS = {
    "mixed-case scheme": lambda url: url[:5] not in ("http:", "https"),
    "DNS name with a trailing dot": lambda url: host(url).endswith("."),
    "name near 253 characters": lambda url: len(host(url)) > 240,
    "IPv4": lambda url: set(host(url)) <= set("0123456789."),
    "IPv6 with ::": lambda url: host(url).startswith("[") and "::" in host(url),
    "IPv6 with an IPv4 tail": lambda url: host(url).startswith("[") and "." in host(url),
    "port": lambda url: port(url) is not None,
    "port with leading zeros": lambda url: (port(url) or "").startswith("0"),
    "percent escape": lambda url: "%" in url,
    "empty query": lambda url: url.endswith("?") or "?#" in url,
    "fragment holding ?": lambda url: "?" in url.partition("#")[2],
}


def test_every_generated_valid_url_is_valid_and_every_form_appears():
    seen = set()

    @SETTINGS
    @given(valid_urls())
    def check(url):
        assert find_violation(url) is None
        seen.update(name for name, form in FORMS.items() if form(url))

    check()
    assert sorted(set(FORMS) - seen) == []


@SETTINGS
@given(broken_urls())
def test_every_broken_url_breaks_the_rule_it_names_first(pair):
    url, rule = pair
    violation = find_violation(url)
    assert violation is not None and violation.rule == rule, (url, rule, violation)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_the_breaks_of_one_rule_break_that_rule(rule):
    @settings(SETTINGS, max_examples=40)
    @given(broken_urls(rule))
    def check(pair):
        url, broken = pair
        assert broken == rule and find_violation(url).rule == rule, (url, find_violation(url))

    check()
