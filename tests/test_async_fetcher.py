"""async_fetcher: every check catches its broken program, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "async_fetcher"

BODIES = "returns every body, as bytes, in the order of urls"
AT_MOST = "never has more than limit requests in flight (limit=3, and the default of 5)"
KEEPS_FULL = "keeps exactly limit requests in flight while more remain: no batches"
ABOVE_100 = "allows a limit above 100 (the session's connector too)"
ONE_SESSION = "makes every request through one ClientSession (its connections reused)"
FAILURES = "returns each failure as an exception object in its place, and the others' bodies"
REPEATED = "fetches a repeated URL once per appearance"
TIMEOUT = "times out each request timeout seconds after it got its slot, and gives it up"
ARGUMENTS = "raises ValueError for limit < 1 or timeout <= 0 before any request, and returns [] for no URLs"
CLEAN_RETURN = "leaves nothing in flight and its session closed when it returns"
IN_ORDER = [BODIES, AT_MOST, KEEPS_FULL, ABOVE_100, ONE_SESSION, FAILURES, REPEATED, TIMEOUT, ARGUMENTS,
            CLEAN_RETURN]

# Each deliberately broken program, and the check(s) that must catch it.
CAUGHT_BY = {
    "broken_imports_grader": [BODIES],
    "broken_batches": [KEEPS_FULL],
    "broken_completion_order": [BODIES],
    "broken_dedupes_urls": [REPEATED],
    "broken_default_connector": [ABOVE_100],
    "broken_default_limit_ten": [AT_MOST],
    "broken_error_body_as_success": [FAILURES],
    "broken_exception_escapes": [FAILURES],
    "broken_helper_module": [BODIES],
    "broken_limit_minus_one": [KEEPS_FULL],
    "broken_limit_plus_one": [AT_MOST],
    "broken_no_limit": [AT_MOST],
    "broken_no_timeout": [TIMEOUT],
    "broken_no_value_error": [ARGUMENTS],
    "broken_session_not_closed": [CLEAN_RETURN],
    "broken_session_per_request": [ONE_SESSION],
    "broken_text_not_bytes": [BODIES],
    "broken_timeout_between_reads": [TIMEOUT],
    "broken_timeout_includes_wait": [TIMEOUT],
    "broken_timeout_leaves_request_running": [TIMEOUT],
}

# What the first caught check's message must say: the wire fact a learner acts on.
SAYS = {
    "broken_imports_grader": ["No module named 'grader'"],
    "broken_batches": ["arrived 1.0", "after the request whose slot it took had ended", "in flight"],
    "broken_completion_order": ["not in the order of urls", "the server answered /paced/"],
    "broken_dedupes_urls": ["/ok/x appears 3 times in urls, but the server got 1 request(s)"],
    "broken_default_connector": ["100 request(s) were in flight at once", "limit=110"],
    "broken_default_limit_ten": ["10 request(s) were in flight at once", "limit=5"],
    "broken_error_body_as_success": ["entry 1 is the body of the 404 answer", "b'404 Not Found\\n'"],
    "broken_exception_escapes": ["fetch_all raised ClientResponseError instead of returning a list"],
    "broken_helper_module": ["ModuleNotFoundError", "fetch_helpers"],
    "broken_limit_minus_one": ["2 request(s) were in flight at once", "limit=3"],
    "broken_limit_plus_one": ["4 request(s) were in flight at once", "limit=3"],
    "broken_no_limit": ["12 request(s) were in flight at once"],
    "broken_no_timeout": ["did not return within 6 s", "/stall/a was still waiting"],
    "broken_no_value_error": ["limit=0", "did not raise ValueError"],
    "broken_session_not_closed": ["connections were still open", "never closed"],
    "broken_session_per_request": ["12 TCP connections"],
    "broken_text_not_bytes": ["str, not bytes"],
    "broken_timeout_between_reads": ["entry 1 (/drip/b", "longer than timeout=0.8 in all"],
    "broken_timeout_includes_wait": ["is TimeoutError object", "not from the call of fetch_all"],
    "broken_timeout_leaves_request_running": ["went on after its timeout",
                                              "other requests started and ended"],
}

# Every numbered clause of the README's contract: the broken programs that breach it alone.
CLAUSES = {
    "C1": ["broken_default_limit_ten"],
    "C2": ["broken_session_per_request"],
    "C3": ["broken_limit_plus_one", "broken_timeout_leaves_request_running"],
    "C4": ["broken_batches", "broken_limit_minus_one"],
    "C5": ["broken_default_connector"],
    "C6": ["broken_completion_order", "broken_text_not_bytes"],
    "C7": ["broken_error_body_as_success", "broken_exception_escapes"],
    "C8": ["broken_no_timeout", "broken_timeout_includes_wait", "broken_timeout_between_reads"],
    "C9": ["broken_dedupes_urls"],
    "C10": ["broken_no_value_error"],
    "C11": ["broken_session_not_closed"],
    "C12": ["broken_helper_module"],
    "C13": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_program_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_the_checks_are_these_in_this_order_and_add_up_to_12():
    checks = checks_of(EXERCISE)
    assert [c.name for c in checks] == IN_ORDER
    assert sum(c.points for c in checks) == 12 and all(c.hint for c in checks)


def test_every_broken_program_is_listed():
    assert {p.values[0].stem for p in implementations(EXERCISE, "broken")} == set(CAUGHT_BY)


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "broken"))
def test_broken_program_is_caught(tmp_path, implementation):
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
def test_correct_program_passes(tmp_path, implementation):
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0
