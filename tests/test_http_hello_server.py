"""http_hello_server: every check catches its broken server, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "http_hello_server"

VALID = "sends valid HTTP/1.1, byte for byte"
# Each deliberately broken server, and the check(s) that must catch it.
CAUGHT_BY = {
    "broken_fixed_port": ["starts and listens on the port it is given"],
    "broken_h1_body": ["answers GET / with 200 and Hello, World!"],
    "broken_text_html": ["labels the body Content-Type: text/plain; charset=utf-8"],
    "broken_no_content_type": ["labels the body Content-Type: text/plain; charset=utf-8"],
    "broken_bare_lf": [VALID],
    "broken_no_reason_phrase": [VALID],
    "broken_bytes_after_response": [VALID],
    "broken_no_content_length": ["answers GET / with 200 and Hello, World!", VALID],
    "broken_content_length_off_by_one": ["answers GET / with 200 and Hello, World!", VALID],
    "broken_404_other_paths": ["answers GET of any path, not just /"],
    "broken_head_with_body": ["answers HEAD with GET's headers and no body"],
    "broken_head_content_length_zero": ["answers HEAD with GET's headers and no body"],
    "broken_post_200": ["refuses POST, PUT, PATCH, DELETE and OPTIONS with 405 and Allow: GET, HEAD"],
    "broken_405_without_allow": ["refuses POST, PUT, PATCH, DELETE and OPTIONS with 405 and Allow: GET, HEAD"],
    # Its 405 response runs 2 bytes past its Content-Length: they also come before the next response.
    "broken_content_length_in_characters": [
        "refuses POST, PUT, PATCH, DELETE and OPTIONS with 405 and Allow: GET, HEAD",
        "reads a request's body, so the next request on the connection works"],
    "broken_no_keep_alive": ["keeps the connection open for the next request (keep-alive)"],
    "broken_body_not_consumed": ["reads a request's body, so the next request on the connection works"],
    "broken_body_only_from_buffer": ["reads a request's body, so the next request on the connection works"],
    "broken_drops_next_request": ["reads a request's body, so the next request on the connection works"],
    "broken_ignores_connection_close": ["closes the connection after a request with Connection: close"],
    "broken_http10_kept_open": ["closes the connection after an HTTP/1.0 request"],
    "broken_no_400_bad_request_line": ["answers 400 to a malformed request line, then closes"],
    "broken_no_400_bad_header": ["answers 400 to a header line without a colon, then closes"],
    "broken_no_400_missing_host": ["answers 400 to an HTTP/1.1 request without Host, then closes"],
    "broken_400_left_open": ["answers 400 to a malformed request line, then closes",
                             "answers 400 to a header line without a colon, then closes",
                             "answers 400 to an HTTP/1.1 request without Host, then closes"],
    "broken_dies_on_malformed": ["keeps serving after garbage and after a client that sends nothing"],
    "broken_dies_on_empty_connection": ["keeps serving after garbage and after a client that sends nothing"],
    # One recv() per request also reads a 256 KiB body as requests of its own.
    "broken_single_recv": ["reads big requests and requests sent in small pieces",
                           "reads a request's body, so the next request on the connection works"],
    "broken_one_at_a_time": ["serves 20 clients at once; an idle kept-alive client blocks no one"],
    "broken_small_thread_pool": ["serves 20 clients at once; an idle kept-alive client blocks no one"],
    "broken_wrong_function_name": ["starts and listens on the port it is given"],
    "broken_imports_helper": ["starts and listens on the port it is given"],
    "broken_imports_grader": ["starts and listens on the port it is given"],
    "broken_unknown_method_200": ["refuses POST, PUT, PATCH, DELETE and OPTIONS with 405 and Allow: GET, HEAD"],
    "broken_accepts_any_http_version": ["answers 400 to a malformed request line, then closes"],
    "broken_small_head_limit": ["reads big requests and requests sent in small pieces"],
    "broken_dies_on_reset": ["keeps serving after garbage and after a client that sends nothing"],
}

# What the failing check says about some of them (its message holds every word).
SAYS = {
    "broken_wrong_function_name": ["no function named serve()", "run_server"],
    "broken_imports_helper": ["ModuleNotFoundError", "http_parsing"],
    "broken_imports_grader": ["never imports the grader", "Remove the import of the grader"],
    "broken_unknown_method_200": ["BREW / (a method your server cannot know) got HTTP/1.1 200 OK"],
    "broken_accepts_any_http_version": ["HTTP/2.0"],
    "broken_dies_on_reset": ["reset its connection"],
}

# Every clause of the contract (exercises/http_hello_server/README.md), and the broken servers that
# breach it alone (tests/test_track.py: each is in CAUGHT_BY, so proved caught).
CLAUSES = {
    "C1": ["broken_wrong_function_name", "broken_fixed_port"],
    "C2": ["broken_content_length_off_by_one", "broken_no_content_length", "broken_bytes_after_response",
           "broken_no_reason_phrase", "broken_content_length_in_characters"],
    "C3": ["broken_bare_lf"],
    "C4": ["broken_404_other_paths", "broken_h1_body", "broken_text_html", "broken_no_content_type"],
    "C5": ["broken_head_with_body", "broken_head_content_length_zero"],
    "C6": ["broken_post_200", "broken_405_without_allow"],
    "C7": ["broken_unknown_method_200"],
    "C8": ["broken_body_not_consumed", "broken_body_only_from_buffer", "broken_drops_next_request"],
    "C9": ["broken_no_400_bad_request_line", "broken_accepts_any_http_version", "broken_no_400_bad_header",
           "broken_no_400_missing_host", "broken_400_left_open"],
    "C10": ["broken_no_keep_alive", "broken_ignores_connection_close"],
    "C11": ["broken_http10_kept_open"],
    "C12": ["broken_single_recv"],
    "C13": ["broken_small_head_limit"],
    "C14": ["broken_one_at_a_time", "broken_small_thread_pool"],
    "C15": ["broken_dies_on_malformed", "broken_dies_on_empty_connection", "broken_dies_on_reset"],
    "C16": "not graded: the clause itself frees the reason phrase (any words, or none after the space, pass); "
           "a status line without the space before it breaks C2's grammar, not this clause",
    "C17": ["broken_imports_helper"],
    "C18": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_server_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_every_broken_server_is_listed():
    assert {p.values[0].stem for p in implementations(EXERCISE, "broken")} == set(CAUGHT_BY)


# Bugs whose failure could spread to other checks: it must not. Bare LF breaks every raw probe
# (the later raw checks are skipped instead); a server that closes after each response breaks
# every second request on a connection; an HTML body changes what every GET returns. These are
# graded whole, and so are those caught by several checks (one run instead of one per check).
WHOLE = {"broken_bare_lf", "broken_no_keep_alive", "broken_h1_body", "broken_single_recv"}


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "broken"))
def test_broken_server_is_caught(tmp_path, implementation):
    tree = tree_with(tmp_path, EXERCISE, implementation)
    expected = CAUGHT_BY[implementation.stem]
    if implementation.stem in WHOLE or len(expected) > 1:
        code, report = grade_json(EXERCISE, "--path", tree)
        failed = {name for name, status in checks_by_status(report).items() if status == "failed"}
        assert failed == set(expected), report  # one bug, one failure (or the listed few)
        assert code == 1
        return
    code, report = grade_json(EXERCISE, "--path", tree, "--check", expected[0])
    assert checks_by_status(report)[expected[0]] == "failed", report
    assert code == 1
    (exercise,) = report["exercises"]
    message = next(c["message"] for c in exercise["checks"] if c["name"] == expected[0])
    for words in SAYS.get(implementation.stem, []):
        assert words in message, message


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "correct"))
def test_correct_server_passes(tmp_path, implementation):
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0

