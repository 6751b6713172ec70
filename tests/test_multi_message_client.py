"""multi_message_client: every check catches its broken client, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "multi_message_client"

REPLIES = "returns the reply to each message, in order, as str"
ONLY_NEWLINE = "removes only the final \\n from each reply"
SENDS_LINES = "sends every message as a line ending in \\n"
ONE_CONNECTION = "uses one connection for all the messages"
BYTE_BY_BYTE = "reads a reply that arrives one byte at a time"
CUT_CHARACTER = "decodes a character cut between two reads"
SEVERAL = "finds several replies that arrive in one read"
ANY_MESSAGES = "returns the right replies for any messages, however the replies are cut"
REFUSES = "refuses a message with \\n or \\r before sending anything"
NO_MESSAGES = "returns [] for no messages, sending nothing"
CLOSES = "closes the connection before returning"
HANG_UP = "raises ConnectionError when the server hangs up early"
BIG = "sends and receives messages of hundreds of KiB and more"
TIMEOUT = "raises TimeoutError when the server goes silent"
SLOW = "keeps waiting while a slow reply keeps coming"
IN_ORDER = [REPLIES, ONLY_NEWLINE, SENDS_LINES, ONE_CONNECTION, BYTE_BY_BYTE, CUT_CHARACTER, SEVERAL,
            ANY_MESSAGES, REFUSES, NO_MESSAGES, CLOSES, HANG_UP, BIG, TIMEOUT, SLOW]
INDEPENDENT = {REPLIES, SENDS_LINES, ONE_CONNECTION, REFUSES, NO_MESSAGES}  # judged on the wire alone

# Each deliberately broken client, and the check(s) that must catch it (run with --check, so with
# only the checks it depends on).
CAUGHT_BY = {
    "broken_accepts_newlines": [REFUSES],
    "broken_allows_carriage_return": [REFUSES],
    "broken_connects_twice": [ONE_CONNECTION],
    "broken_decodes_each_chunk": [CUT_CHARACTER, BYTE_BY_BYTE],
    "broken_discards_partial_line": [SEVERAL, BYTE_BY_BYTE],
    "broken_drops_bytes_after_newline": [REPLIES],
    "broken_encodes_latin1": [REPLIES],
    "broken_fixed_timeout": [TIMEOUT],
    "broken_keeps_newline": [REPLIES],
    "broken_last_message_without_newline": [SENDS_LINES, REPLIES],
    "broken_leaves_connection_open": [CLOSES],
    "broken_loops_on_eof": [HANG_UP],
    "broken_new_connection_per_message": [ONE_CONNECTION, REPLIES],
    "broken_no_timeout": [TIMEOUT],
    "broken_one_recv_per_reply": [BYTE_BY_BYTE, CUT_CHARACTER, BIG],
    "broken_returns_bytes": [REPLIES],
    "broken_returns_partial_on_close": [HANG_UP],
    "broken_send_not_sendall": [BIG],
    "broken_sends_blank_line_for_empty_list": [NO_MESSAGES],
    "broken_splitlines": [ONLY_NEWLINE, ANY_MESSAGES],
    "broken_strips_replies": [ONLY_NEWLINE, ANY_MESSAGES],
    "broken_total_deadline": [SLOW],
    "broken_validates_while_sending": [REFUSES],
    "broken_wrong_function_name": [REPLIES],
    "broken_imports_helper": [REPLIES],
    "broken_imports_grader": [REPLIES],
    "broken_connect_without_timeout": [TIMEOUT],
}

# What the first caught check's message must say: the wire fact a learner acts on.
SAYS = {
    "broken_accepts_newlines": ["returned instead of raising ValueError"],
    "broken_connects_twice": ["opened 2 connections for 3 messages", "Connection 1: the server received nothing"],
    "broken_decodes_each_chunk": ["raised UnicodeDecodeError", "cannot be decoded alone"],
    "broken_drops_bytes_after_newline": ["raised TimeoutError", "The server had sent every reply"],
    "broken_encodes_latin1": ["raised UnicodeEncodeError", "not UTF-8", 'message.encode("utf-8")'],
    "broken_fixed_timeout": ["only 1.0", "after the server went silent, with timeout=0.5"],
    "broken_keeps_newline": ["Reply 1 is '1 → hello\\n'; expected '1 → hello'"],
    "broken_last_message_without_newline": ["received b'last' with no \\n after it"],
    "broken_leaves_connection_open": ["still open 0.5 s later"],
    "broken_loops_on_eof": ["still running after 1.5 s, although the server had closed the connection"],
    "broken_new_connection_per_message": ["opened 3 connections for 3 messages"],
    "broken_no_timeout": ["still waiting after 3 s", "the grader stopped your program"],
    "broken_returns_bytes": ["returned a list of bytes, not of str"],
    "broken_returns_partial_on_close": ["returned although the server closed the connection after one reply"],
    "broken_send_not_sendall": ["bytes of message 2", "never answered it"],
    "broken_sends_blank_line_for_empty_list": ["sent b'\\n' first"],
    "broken_splitlines": ["returned 9 replies for 6 messages"],
    "broken_strips_replies": ["Reply 1 is '1 →   two spaces'"],
    "broken_total_deadline": ["raised TimeoutError after ", "while the reply was still coming"],
    "broken_validates_while_sending": ["only after sending b'ok\\n'"],
    "broken_wrong_function_name": ["no function named send_messages()", "send_lines"],
    "broken_imports_helper": ["ModuleNotFoundError", "checking"],
    "broken_imports_grader": ["never imports the grader", "Remove the import of the grader"],
    "broken_connect_without_timeout": ["still connecting after 2 s to a server that never accepts"],
}

# Every clause of the contract (exercises/multi_message_client/README.md), and the broken clients
# that breach it alone (tests/test_track.py: each is in CAUGHT_BY, so proved caught).
CLAUSES = {
    "C1": ["broken_wrong_function_name"],
    "C2": ["broken_connects_twice", "broken_new_connection_per_message"],
    "C3": ["broken_last_message_without_newline", "broken_encodes_latin1", "broken_send_not_sendall"],
    "C4": "not graded: a promise the server makes to the client, not one the client makes (the grader's "
          "server keeps it in every check, and C6 is what a client must do with it)",
    "C5": ["broken_returns_bytes", "broken_keeps_newline", "broken_strips_replies", "broken_splitlines"],
    "C6": ["broken_one_recv_per_reply", "broken_decodes_each_chunk", "broken_discards_partial_line",
           "broken_drops_bytes_after_newline"],
    "C7": ["broken_leaves_connection_open"],
    "C8": ["broken_accepts_newlines", "broken_allows_carriage_return", "broken_validates_while_sending"],
    "C9": ["broken_loops_on_eof", "broken_returns_partial_on_close"],
    "C10": ["broken_no_timeout", "broken_fixed_timeout", "broken_total_deadline", "broken_connect_without_timeout"],
    "C11": ["broken_sends_blank_line_for_empty_list"],
    "C12": ["broken_imports_helper"],
    "C13": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_client_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_the_checks_are_these_in_this_order_and_add_up_to_12():
    checks = checks_of(EXERCISE)
    assert [c.name for c in checks] == IN_ORDER
    assert sum(c.points for c in checks) == 12 and all(c.hint for c in checks)
    assert {c.name for c in checks if not c.needs} == INDEPENDENT
    assert {c.needs for c in checks} == {(), (REPLIES,)}


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
