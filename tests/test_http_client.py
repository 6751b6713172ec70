"""http_client: every check catches its broken client, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "http_client"

CONTENT_LENGTH = "returns status, headers and body of a response with Content-Length"
REQUEST = "sends GET with the path and query, Host with the port and Connection: close, in CRLF lines"
KEEP_ALIVE = "finds the end of a body by its framing while the server keeps the connection open"
CHUNKED = "decodes a chunked body, ignoring chunk extensions and trailer fields"
UNTIL_CLOSE = "reads a body without Content-Length or chunks until the server closes"
NO_BODY = "skips interim 1xx responses, and reads no body for 204 and 304"
FIELDS = "lower-cases names, joins repeated fields, trims values; any status, an empty reason"
BYTE_BY_BYTE = "reads a response that arrives one byte at a time"
ANY_RESPONSE = "returns the same response however it is framed and cut (Hypothesis)"
EARLY_CLOSE = "raises ConnectionError when the server closes before the response is complete"
MALFORMED = "raises ValueError for a malformed status line, header line, chunk size or Content-Length"
BAD_URL = "raises ValueError for another scheme or no host, before connecting"
TIMEOUT = "raises TimeoutError when the server goes silent"
SLOW = "keeps waiting while a slow response keeps coming"
CLOSES = "closes the connection before returning or raising"
IMPORTS = "imports no HTTP library: socket alone"
IN_ORDER = [CONTENT_LENGTH, REQUEST, KEEP_ALIVE, CHUNKED, UNTIL_CLOSE, NO_BODY, FIELDS, BYTE_BY_BYTE, ANY_RESPONSE,
            EARLY_CLOSE, MALFORMED, BAD_URL, TIMEOUT, SLOW, CLOSES, IMPORTS]
INDEPENDENT = {CONTENT_LENGTH, REQUEST, BAD_URL, IMPORTS}  # judged on the wire or the source alone

# Each deliberately broken client, and the check(s) that must catch it (run with --check, so with
# only the checks it depends on).
CAUGHT_BY = {
    "broken_accepts_bad_chunk_size": [MALFORMED],
    "broken_body_for_204": [NO_BODY],
    "broken_case_sensitive_headers": [CONTENT_LENGTH],
    "broken_connects_before_checking": [BAD_URL],
    "broken_content_length_wins": [CHUNKED],
    "broken_empty_query_path": [REQUEST],
    "broken_empty_response_value_error": [EARLY_CLOSE],
    "broken_follows_redirect": [FIELDS],
    "broken_helper_module": [CONTENT_LENGTH],
    "broken_host_without_port": [REQUEST],
    "broken_imports_grader": [CONTENT_LENGTH],
    "broken_imports_http_client": [IMPORTS],
    "broken_last_field_wins": [FIELDS, ANY_RESPONSE],
    "broken_leaves_socket_open": [CLOSES],
    "broken_lf_only_request": [REQUEST],
    "broken_misnamed_function": [CONTENT_LENGTH],
    "broken_no_body_without_length": [UNTIL_CLOSE, ANY_RESPONSE],
    "broken_no_connection_close": [REQUEST],
    "broken_no_ows_trim": [FIELDS],
    "broken_no_timeout": [TIMEOUT],
    "broken_one_recv_body": [KEEP_ALIVE],
    "broken_one_recv_head": [BYTE_BY_BYTE, UNTIL_CLOSE, EARLY_CLOSE],
    "broken_raw_chunks": [CHUNKED, KEEP_ALIVE, BYTE_BY_BYTE],
    "broken_rejects_empty_reason": [FIELDS],
    "broken_returns_interim": [NO_BODY],
    "broken_sends_fragment": [REQUEST],
    "broken_short_body_on_close": [EARLY_CLOSE],
    "broken_total_deadline": [SLOW],
    "broken_waits_for_close": [KEEP_ALIVE, CHUNKED, NO_BODY],
}

# What the first caught check's message must say: the wire fact a learner acts on.
SAYS = {
    "broken_accepts_bad_chunk_size": ["returned instead of raising ValueError", "a chunk size that is not hex"],
    "broken_body_for_204": ["kept the connection open"],
    "broken_case_sensitive_headers": ["have 'Content-Type'", "return them lower-cased"],
    "broken_connects_before_checking": ["only after connecting"],
    "broken_content_length_wins": ["The body is 5 bytes", "the chunks win"],
    "broken_empty_query_path": ["The request target is '?q=only'; for this URL it is '/?q=only'", "^"],
    "broken_empty_response_value_error": ["raised ValueError, not ConnectionError", "closed the connection before the first byte"],
    "broken_follows_redirect": ["followed the redirect"],
    "broken_helper_module": ["No module named 'http_client_helpers'"],
    "broken_host_without_port": ["The Host header is '127.0.0.1'", "(with the port, since it is not 80)"],
    "broken_imports_grader": ["No module named 'grader'"],
    "broken_imports_http_client": ["Line 4 imports http.client, an HTTP library"],
    "broken_last_field_wins": ["headers['set-cookie'] is 'b=2'; expected 'a=1, b=2'"],
    "broken_leaves_socket_open": ["still open 1 s later"],
    "broken_lf_only_request": ["ends in a bare \\n"],
    "broken_misnamed_function": ["http_get"],
    "broken_no_body_without_length": ["The body is 0 bytes, b''; the server sent 65,536."],
    "broken_no_connection_close": ["no 'Connection: close' header"],
    "broken_no_ows_trim": ["headers['x-spaces'] is '\\t padded value\\t'"],
    "broken_no_timeout": ["still waiting after 3 s"],
    "broken_one_recv_body": ["the server sent 65,536 (its first bytes: the rest was not read)"],
    "broken_one_recv_head": ["one byte at a time"],
    "broken_raw_chunks": ["still holds the chunk sizes"],
    "broken_rejects_empty_reason": ["raised ValueError", "b'HTTP/1.1 302 \\r\\n'"],
    "broken_returns_interim": ["The status is 100; the server sent 200"],
    "broken_sends_fragment": ["the #fragment stays in the client"],
    "broken_short_body_on_close": ["returned although the server closed after 4 of the 10 Content-Length bytes"],
    "broken_total_deadline": ["raised TimeoutError after ", "while the response was still coming"],
    "broken_waits_for_close": ["kept the connection open, as keep-alive servers do"],
}

# Every clause of exercises/http_client/README.md's contract, and the broken programs that breach
# that clause alone.
CLAUSES = {
    "C1": ["broken_misnamed_function"],
    "C2": ["broken_connects_before_checking"],
    "C3": ["broken_sends_fragment", "broken_empty_query_path"],
    "C4": ["broken_host_without_port", "broken_no_connection_close", "broken_lf_only_request"],
    "C5": ["broken_rejects_empty_reason"],
    "C6": ["broken_raw_chunks", "broken_content_length_wins", "broken_no_body_without_length"],
    "C7": ["broken_returns_interim", "broken_body_for_204"],
    "C8": ["broken_waits_for_close"],
    "C9": ["broken_case_sensitive_headers", "broken_last_field_wins", "broken_no_ows_trim", "broken_follows_redirect"],
    "C10": ["broken_one_recv_head", "broken_one_recv_body"],
    "C11": ["broken_no_timeout", "broken_total_deadline"],
    "C12": ["broken_short_body_on_close", "broken_empty_response_value_error"],
    "C13": ["broken_accepts_bad_chunk_size"],
    "C14": ["broken_leaves_socket_open"],
    "C15": ["broken_imports_http_client"],
    "C16": ["broken_helper_module"],
    "C17": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_client_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_the_checks_are_these_in_this_order_and_add_up_to_12():
    checks = checks_of(EXERCISE)
    assert [c.name for c in checks] == IN_ORDER
    assert sum(c.points for c in checks) == 12 and all(c.hint for c in checks)
    assert {c.name for c in checks if not c.needs} == INDEPENDENT
    assert {c.needs for c in checks} == {(), (CONTENT_LENGTH,)}


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


def test_the_reference_solution_passes():
    code, report = grade_json(EXERCISE, "--solutions")
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0
