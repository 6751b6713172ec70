"""paginator: every check catches its broken client, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "paginator"

THREE_PAGES = "fetches every item of a three-page collection, in order"
ONE_AND_EMPTY = "makes one request for a one-page collection, and returns [] for an empty one"
UNEVEN = "keeps going past a short page and an empty page until next is null"
RELATIVE = "resolves relative next links with urljoin"
REDIRECT = "resolves next against the final URL after a redirect"
ANY_LAYOUT = "returns every item for any page layout (Hypothesis)"
ONE_CONNECTION = "fetches every page over one kept-alive connection (one Session)"
PERMANENT = "raises HTTPError at once on 404 and 500, without retrying"
BAD_PAGES = "raises ValueError for a page that is not JSON or lacks items/next"
LOOP = "stops with RuntimeError on a loop of next links, requesting no page twice"
RETRY_AFTER = "waits Retry-After seconds after a 429, then asks again"
GIVES_UP_429 = "gives up with HTTPError after 5 answers of 429 in a row"
TRANSIENT = "retries 502, 503 and 504 after a backoff, then carries on"
PERSISTENT = "gives up on a page that keeps answering 503 after 3 retries, waiting longer each time"
STALL = "times out a stalled request and retries it"
IN_ORDER = [THREE_PAGES, ONE_AND_EMPTY, UNEVEN, RELATIVE, REDIRECT, ANY_LAYOUT, ONE_CONNECTION, PERMANENT,
            BAD_PAGES, LOOP, RETRY_AFTER, GIVES_UP_429, TRANSIENT, PERSISTENT, STALL]

# Each deliberately broken client, and the check(s) that must catch it.
CAUGHT_BY = {
    "broken_backoff_too_slow": [PERSISTENT],
    "broken_builds_page_urls": [THREE_PAGES, ONE_AND_EMPTY],
    "broken_concatenates_next": [RELATIVE],
    "broken_constant_backoff": [PERSISTENT],
    "broken_drops_first_page": [THREE_PAGES],
    "broken_drops_last_page": [THREE_PAGES],
    "broken_duplicates_first_page": [THREE_PAGES],
    "broken_duplicates_last_page": [THREE_PAGES],
    "broken_gives_up_on_429": [RETRY_AFTER, GIVES_UP_429],
    "broken_gives_up_on_503": [TRANSIENT],
    "broken_ignores_retry_after": [RETRY_AFTER],
    "broken_joins_with_requested_url": [REDIRECT, ANY_LAYOUT],
    "broken_lenient_page_shape": [BAD_PAGES],
    "broken_loop_check_misses_start": [LOOP],
    "broken_no_backoff": [TRANSIENT, PERSISTENT],
    "broken_no_loop_detection": [LOOP],
    "broken_no_session": [ONE_CONNECTION],
    "broken_no_timeout": [STALL],
    "broken_retries_429_forever": [GIVES_UP_429],
    "broken_retries_every_error": [PERMANENT],
    "broken_retries_forever": [PERSISTENT],
    "broken_retry_after_always_one_second": [RETRY_AFTER],
    "broken_stops_on_empty_page": [UNEVEN],
    "broken_stops_on_short_page": [UNEVEN, ANY_LAYOUT],
    "broken_swallows_bad_json": [BAD_PAGES],
    "broken_timeout_first_try_only": [STALL],
    "broken_timeout_not_retried": [STALL],
    "broken_waits_for_empty_page": [THREE_PAGES],
    "broken_wrong_function_name": [THREE_PAGES],
    "broken_imports_helper": [THREE_PAGES],
    "broken_imports_grader": [THREE_PAGES],
    "broken_appends_pages": [THREE_PAGES],
    "broken_requires_retry_after": [RETRY_AFTER],
    "broken_retries_timeouts_forever": [STALL],
    "broken_retries_counted_per_call": [TRANSIENT],
    "broken_429s_counted_per_call": [GIVES_UP_429],
    "broken_checks_only_next": [BAD_PAGES],
}

# What the first caught check's message must say: the wire fact a learner acts on.
SAYS = {
    "broken_builds_page_urls": ["'/api/v1/items?page=2', a URL no next link gave it", "-> 404"],
    "broken_concatenates_next": ["raised InvalidURL", "urljoin(response.url, next) gives"],
    "broken_constant_backoff": ["the backoff does not grow"],
    "broken_drops_first_page": ["the items of page 0 (the first) are missing"],
    "broken_drops_last_page": ["the items of page 2 (the last) are missing"],
    "broken_duplicates_first_page": ["requested page 0 twice"],
    "broken_ignores_retry_after": ["asked for page 1 again 0.", "s after the 429"],
    "broken_joins_with_requested_url": ["after a 302", "a URL no next link gave it"],
    "broken_no_loop_detection": ["never stopped", "refused the rest (410)"],
    "broken_no_session": ["4 TCP connections"],
    "broken_no_timeout": ["still waiting for page 1 after 9.1 s"],
    "broken_timeout_first_try_only": ["still waiting for that retry", "without timeout=0.3"],
    "broken_retries_forever": ["still retrying after 8.5 s", "may add up to 5 s at most"],
    "broken_backoff_too_slow": ["between its requests to page 1", "s in all", "may add up to 5 s at most"],
    "broken_retry_after_always_one_second": ["asked for page 1 again 1.0", "s after the 429"],
    "broken_stops_on_short_page": ["fetch_all stopped after page 1"],
    "broken_wrong_function_name": ["no function named fetch_all()", "fetch_pages"],
    "broken_imports_helper": ["ModuleNotFoundError", "page_checks"],
    "broken_imports_grader": ["never imports the grader", "Remove the import of the grader"],
    "broken_requires_retry_after": ["raised KeyError"],
    "broken_retries_timeouts_forever": ["page 1 staying silent every time", "still retrying after"],
    "broken_retries_counted_per_call": ["its first error", "count them for each page afresh"],
    "broken_429s_counted_per_call": ["5 answers of 429 in all, but never 5 in a row for one page"],
    "broken_checks_only_next": ["the JSON {\"next\": null}", "raised KeyError, not ValueError"],
}

# Every clause of the contract (exercises/paginator/README.md), and the broken clients that breach
# it alone (tests/test_track.py: each is in CAUGHT_BY, so proved caught).
CLAUSES = {
    "C1": ["broken_wrong_function_name"],
    "C2": "not graded: a promise the API makes to the client, not one the client makes (the grader's API "
          "keeps it on every page but the ones C13 is about)",
    "C3": ["broken_drops_first_page", "broken_drops_last_page", "broken_duplicates_first_page",
           "broken_duplicates_last_page", "broken_appends_pages"],
    "C4": ["broken_concatenates_next", "broken_joins_with_requested_url"],
    "C5": ["broken_waits_for_empty_page", "broken_stops_on_empty_page", "broken_stops_on_short_page",
           "broken_builds_page_urls"],
    "C6": ["broken_no_session"],
    "C7": ["broken_no_timeout", "broken_timeout_first_try_only"],
    "C8": ["broken_ignores_retry_after", "broken_retry_after_always_one_second", "broken_gives_up_on_429",
           "broken_requires_retry_after"],
    "C9": ["broken_retries_429_forever", "broken_429s_counted_per_call"],
    "C10": ["broken_no_backoff", "broken_constant_backoff", "broken_gives_up_on_503", "broken_timeout_not_retried",
            "broken_backoff_too_slow"],
    "C11": ["broken_retries_forever", "broken_retries_timeouts_forever", "broken_retries_counted_per_call"],
    "C12": ["broken_retries_every_error"],
    "C13": ["broken_lenient_page_shape", "broken_swallows_bad_json", "broken_checks_only_next"],
    "C14": ["broken_no_loop_detection", "broken_loop_check_misses_start"],
    "C15": ["broken_imports_helper"],
    "C16": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_client_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_the_checks_are_these_in_this_order_and_add_up_to_12():
    checks = checks_of(EXERCISE)
    assert [c.name for c in checks] == IN_ORDER
    assert sum(c.points for c in checks) == 12 and all(c.hint for c in checks)


def test_every_broken_client_is_listed():
    assert {p.values[0].stem for p in implementations(EXERCISE, "broken")} == set(CAUGHT_BY)


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "broken"))
def test_broken_client_is_caught(tmp_path, implementation):
    tree = tree_with(tmp_path, EXERCISE, implementation)
    for number, name in enumerate(CAUGHT_BY[implementation.stem]):
        code, report = grade_json(EXERCISE, "--path", tree, "--check", name)
        assert checks_by_status(report)[name] == "failed", report
        assert code == 1
        if number == 0:
            (exercise,) = report["exercises"]
            (message,) = [c["message"] for c in exercise["checks"] if c["name"] == name]
            for phrase in SAYS.get(implementation.stem, []):
                assert phrase in message, message


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "correct"))
def test_correct_client_passes(tmp_path, implementation):
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0
