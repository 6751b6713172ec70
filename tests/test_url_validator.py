"""url_validator: every check catches its broken validator, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "url_validator"

RETURNS_BOOL = "returns True or False for any string, without raising"
VALID = "accepts valid URLs of every form"
SCHEMES = "rejects schemes other than http and https, and a missing //"
USERINFO = "rejects user information before the host"
HOSTS = "rejects bad host names, IPv4 and IPv6 addresses"
PORTS = "accepts ports 1 to 65535 only"
HIDDEN = "rejects spaces, control characters and non-ASCII anywhere"
PATH = "rejects bad characters and percent escapes in path, query and fragment"
GENERATED_VALID = "accepts generated valid URLs"
GENERATED_BROKEN = "rejects generated URLs that break one rule"
FAST = "answers long and adversarial inputs within a second each"
IN_ORDER = [RETURNS_BOOL, VALID, SCHEMES, USERINFO, HOSTS, PORTS, HIDDEN, PATH, GENERATED_VALID,
            GENERATED_BROKEN, FAST]

# Each deliberately broken validator, and every check that fails for it: its table check, and the
# generated URLs that catch the same bug. (A slow validator fails wherever its slow inputs are.)
CAUGHT_BY = {
    "broken_accepts_ftp": [SCHEMES, GENERATED_BROKEN],
    "broken_accepts_spaces": [HIDDEN, GENERATED_BROKEN],
    "broken_bad_percent_accepted": [PATH, GENERATED_BROKEN],
    "broken_catastrophic_regex": [VALID, GENERATED_VALID, GENERATED_BROKEN, FAST],
    "broken_dollar_anchor": [HIDDEN, GENERATED_BROKEN],
    "broken_empty_port": [PORTS, GENERATED_BROKEN],
    "broken_ignorecase_regex": [HIDDEN, GENERATED_BROKEN],
    "broken_ipv4_leading_zero": [HOSTS, GENERATED_BROKEN],
    "broken_ipv4_octet_256": [HOSTS, GENERATED_BROKEN],
    "broken_ipv6_rejected": [VALID, GENERATED_VALID],
    "broken_label_hyphen_ends": [HOSTS, GENERATED_BROKEN],
    "broken_long_label": [HOSTS, GENERATED_BROKEN],
    "broken_long_name": [HOSTS, GENERATED_BROKEN],
    "broken_naive_urlparse": [SCHEMES, USERINFO, HOSTS, PORTS, HIDDEN, PATH, GENERATED_BROKEN],
    "broken_no_port_range": [PORTS, GENERATED_BROKEN],
    "broken_non_ascii_accepted": [HIDDEN, GENERATED_BROKEN],
    "broken_numeric_tld": [HOSTS, GENERATED_BROKEN],
    "broken_raises_on_unclosed_bracket": [RETURNS_BOOL, HOSTS, GENERATED_BROKEN],
    "broken_second_hash_accepted": [PATH, GENERATED_BROKEN],
    "broken_underscore_accepted": [HOSTS, GENERATED_BROKEN],
    "broken_uppercase_scheme_rejected": [VALID, GENERATED_VALID],
    "broken_userinfo_accepted": [USERINFO, GENERATED_BROKEN],
    "broken_zone_id_accepted": [HOSTS, GENERATED_BROKEN],
    # Not loaded, or no function to call: the first check fails, and the rest are skipped for it.
    "broken_wrong_function_name": [RETURNS_BOOL],
    "broken_imports_helper": [RETURNS_BOOL],
    "broken_imports_grader": [RETURNS_BOOL],
    "broken_strips_input": [HIDDEN, GENERATED_BROKEN],
    # A re.Match or None is no bool: every check that reads an answer fails.
    "broken_returns_match": [RETURNS_BOOL, VALID, SCHEMES, USERINFO, HOSTS, PORTS, HIDDEN, PATH, GENERATED_VALID,
                             GENERATED_BROKEN],
}

# Every clause of the contract (exercises/url_validator/README.md), and the broken validators that
# breach it alone (tests/test_track.py: each is in CAUGHT_BY, so proved caught). C2's are one per
# rule broken: rule 0, 1, 2, 3 (names, IPv4, IPv6), 4, 5.
CLAUSES = {
    "C1": ["broken_wrong_function_name"],
    "C2": ["broken_accepts_spaces", "broken_non_ascii_accepted", "broken_dollar_anchor", "broken_ignorecase_regex",
           "broken_accepts_ftp", "broken_uppercase_scheme_rejected", "broken_userinfo_accepted",
           "broken_label_hyphen_ends", "broken_long_label", "broken_long_name", "broken_numeric_tld",
           "broken_underscore_accepted", "broken_ipv4_leading_zero", "broken_ipv4_octet_256", "broken_ipv6_rejected",
           "broken_zone_id_accepted", "broken_empty_port", "broken_no_port_range", "broken_bad_percent_accepted",
           "broken_second_hash_accepted", "broken_naive_urlparse"],
    "C3": ["broken_strips_input"],
    "C4": ["broken_raises_on_unclosed_bracket", "broken_returns_match"],
    "C5": ["broken_catastrophic_regex"],
    "C6": ["broken_imports_helper"],
    "C7": ["broken_imports_grader"],
}

# What a check's message must say, by (implementation, check): the URL as the learner must see
# it (hidden characters escaped), the rule it breaks, what came back.
SAYS = {
    ("broken_accepts_ftp", SCHEMES): ["is_valid_url('ftp://example.com/') returned True; expected False.",
                                      "It breaks rule 1 (scheme http or https, then ://)"],
    ("broken_catastrophic_regex", FAST): ["Too slow: is_valid_url('http://' + 'a' * 30 + '!') gave no answer "
                                          "within 1 s", '"http://" + "a" * 30 + "!"'],
    ("broken_catastrophic_regex", VALID): ["Too slow", "'a' * 63 + '.' + 'a' * 63"],
    ("broken_dollar_anchor", HIDDEN): ["is_valid_url('http://example.com/\\n') returned True",
                                       "a trailing newline", 'is_valid_url("http://example.com/\\n")'],
    ("broken_dollar_anchor", GENERATED_BROKEN): ["\\n') returned True; expected False.", "rule 0"],
    ("broken_ignorecase_regex", HIDDEN): ["is_valid_url('http://\\u212aelvin.example/') returned True"],
    ("broken_ignorecase_regex", GENERATED_BROKEN): ["(U+"],
    ("broken_ipv6_rejected", GENERATED_VALID): ["is_valid_url('http://[::1]:8000/') returned False; "
                                                "expected True.", "The URL follows every rule."],
    ("broken_raises_on_unclosed_bracket", RETURNS_BOOL): [
        "is_valid_url('http://[') raised ValueError: Invalid IPv6 URL (line 20); expected True or False.",
        "Traceback (your code):"],
    ("broken_raises_on_unclosed_bracket", GENERATED_BROKEN): ["raised ValueError", "rule 3"],
    ("broken_userinfo_accepted", GENERATED_BROKEN): ["is_valid_url('http://@a') returned True",
                                                     "It breaks rule 2 (no user information)",
                                                     "by removing characters"],
    ("broken_zone_id_accepted", GENERATED_BROKEN): ["a zone id ('%...') is not allowed"],
    ("broken_wrong_function_name", RETURNS_BOOL): ["no function named is_valid_url()", "is_valid"],
    ("broken_imports_helper", RETURNS_BOOL): ["ModuleNotFoundError", "url_patterns"],
    ("broken_imports_grader", RETURNS_BOOL): ["never imports the grader", "Remove the import of the grader"],
    ("broken_strips_input", HIDDEN): ["is_valid_url(' http://example.com') returned True"],
    ("broken_returns_match", RETURNS_BOOL): ["(a NoneType, not a bool)"],
}


def test_every_check_has_a_broken_validator_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_the_checks_are_these_in_this_order_and_add_up_to_12():
    checks = checks_of(EXERCISE)
    assert [c.name for c in checks] == IN_ORDER
    assert sum(c.points for c in checks) == 12 and all(c.hint for c in checks)


def test_every_broken_validator_is_listed():
    assert {p.values[0].stem for p in implementations(EXERCISE, "broken")} == set(CAUGHT_BY)


def test_every_expected_message_belongs_to_a_listed_catch():
    assert all(check in CAUGHT_BY[name] for name, check in SAYS)


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "broken"))
def test_broken_validator_is_caught(tmp_path, implementation):
    """Graded whole, one run (each is caught by several checks): exactly the listed checks fail,
    so a bug never spreads to the checks of other rules."""
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    statuses = checks_by_status(report)
    assert {name for name, status in statuses.items() if status == "failed"} == \
        set(CAUGHT_BY[implementation.stem]), report
    skipped = {name for name, status in statuses.items() if status == "skipped"}
    assert not skipped or statuses[RETURNS_BOOL] == "failed", report  # skipped only for the first check
    assert set(statuses.values()) <= {"passed", "failed", "skipped"}, report
    assert code == 1
    (exercise,) = report["exercises"]
    messages = {c["name"]: c["message"] for c in exercise["checks"]}
    for (name, check), phrases in SAYS.items():
        if name == implementation.stem:
            for phrase in phrases:
                assert phrase in messages[check], messages[check]


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "correct"))
def test_correct_validator_passes(tmp_path, implementation):
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0
