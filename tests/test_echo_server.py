"""echo_server: every check catches its broken server, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "echo_server"

# Each deliberately broken server, and the check(s) that must catch it.
CAUGHT_BY = {
    "broken_wrong_port": ["starts and listens on the port it is given"],
    "broken_returns": ["serves a second client while the first one is connected and idle"],
    "broken_waits_for_eof": ["echoes each message right away, before the client closes"],
    "broken_decodes_text": ["echoes binary data unchanged (NUL bytes, invalid UTF-8, \\r\\n)"],
    "broken_adds_newline": ["neither adds nor removes newlines"],
    "broken_strips_newline": ["neither adds nor removes newlines"],
    "broken_single_recv": ["echoes many messages on one connection"],
    "broken_short_read_ends_message": ["echoes a message that arrives in many small pieces"],
    "broken_line_buffered": ["echoes a message that arrives in many small pieces"],
    "broken_selectors_drops_unsent": ["echoes a payload of 8 MiB"],
    "broken_closes_with_data_unsent": ["sends everything back, then closes, after the client shuts down its side"],
    "broken_never_closes": ["sends everything back, then closes, after the client shuts down its side"],
    "broken_one_client_at_a_time": ["serves a second client while the first one is connected and idle"],
    "broken_small_thread_pool": ["serves 25 clients at once, each getting its own data back"],
    "broken_replies_to_newest_client": ["serves 25 clients at once, each getting its own data back"],
    "broken_crashes_on_reset": ["keeps serving after a client resets its connection"],
    "broken_wrong_function_name": ["starts and listens on the port it is given"],
    "broken_imports_helper": ["starts and listens on the port it is given"],
    "broken_imports_grader": ["starts and listens on the port it is given"],
    "broken_binds_every_interface": ["starts and listens on the port it is given"],
}

# What the first check says about each of these (its message holds every word).
SAYS = {
    "broken_wrong_function_name": ["no function named serve()", "start_server"],
    "broken_imports_helper": ["ModuleNotFoundError", "echo_handler"],
    "broken_imports_grader": ["never imports the grader", "Remove the import of the grader"],
    "broken_binds_every_interface": ["Your server listens on 0.0.0.0, port", "every network interface"],
}

# Every clause of the contract (exercises/echo_server/README.md), and the broken servers that
# breach it alone (tests/test_track.py: each is in CAUGHT_BY, so proved caught).
CLAUSES = {
    "C1": ["broken_wrong_function_name"],
    "C2": ["broken_wrong_port", "broken_binds_every_interface"],
    "C3": ["broken_decodes_text", "broken_adds_newline", "broken_strips_newline", "broken_single_recv",
           "broken_short_read_ends_message"],
    "C4": ["broken_waits_for_eof", "broken_line_buffered"],
    "C5": ["broken_closes_with_data_unsent", "broken_never_closes"],
    "C6": ["broken_one_client_at_a_time", "broken_small_thread_pool", "broken_replies_to_newest_client"],
    "C7": "not graded: a burst of connects overflows small listen() backlogs (socketserver's is 5), and "
          "the kernel then drops SYNs that come back after 1, 3, 7, 15 s whatever the program does, so how "
          "long a burst takes depends on the machine's load; the grader connects its clients one after "
          "another",
    "C8": ["broken_selectors_drops_unsent"],
    "C9": ["broken_crashes_on_reset"],
    "C10": ["broken_returns"],
    "C11": ["broken_imports_helper"],
    "C12": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_server_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_every_broken_server_is_listed():
    assert {p.values[0].stem for p in implementations(EXERCISE, "broken")} == set(CAUGHT_BY)


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "broken"))
def test_broken_server_is_caught(tmp_path, implementation):
    tree = tree_with(tmp_path, EXERCISE, implementation)
    for name in CAUGHT_BY[implementation.stem]:
        code, report = grade_json(EXERCISE, "--path", tree, "--check", name)
        assert checks_by_status(report)[name] == "failed", report
        assert code == 1
        (exercise,) = report["exercises"]
        message = next(c["message"] for c in exercise["checks"] if c["name"] == name)
        for words in SAYS.get(implementation.stem, []):
            assert words in message, message


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "correct"))
def test_correct_server_passes(tmp_path, implementation):
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0
