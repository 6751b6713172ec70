"""udp_pinger: every check catches its broken pinger, and every correct style passes."""

import pytest

from conftest import checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of

EXERCISE = "udp_pinger"

ANSWERS = "returns a round-trip time for every answered ping"
RTT = "measures each round trip in seconds, as the server saw it"
WIRE = "sends each ping as PING <i> <t>\\n, numbered from 1, from one socket"
ONE_AT_A_TIME = "sends each ping only after the last one's reply or timeout"
DUPLICATES = "ignores duplicated replies and replies with another number"
GARBAGE = "ignores garbled datagrams, without raising"
DROPS = "gives None for a lost ping, and goes on with the next"
LATE = "does not count a reply that comes after its ping's timeout"
STRAY = "ignores a reply from another address"
TIME_LEFT = "keeps each ping's deadline while other datagrams keep coming"
REFUSED = "gives None for pings to a port with no server, without raising"
ANY_SCRIPT = "returns the right results for any script of losses, delays and duplicates"
BAD_ARGUMENTS = "raises ValueError for count < 1 or timeout <= 0, sending nothing"
CLOSES = "closes its socket before returning"
IN_ORDER = [ANSWERS, RTT, WIRE, ONE_AT_A_TIME, DUPLICATES, GARBAGE, DROPS, LATE, STRAY, TIME_LEFT, REFUSED,
            ANY_SCRIPT, BAD_ARGUMENTS, CLOSES]
INDEPENDENT = {ANSWERS, WIRE, ONE_AT_A_TIME, BAD_ARGUMENTS}  # judged on the wire or the arguments alone

# Each deliberately broken pinger, and the check(s) that must catch it (run with --check, so with
# only the checks it depends on).
CAUGHT_BY = {
    "broken_imports_grader": [ANSWERS],
    "broken_crlf": [WIRE],
    "broken_fresh_timeout": [TIME_LEFT],
    "broken_ignores_number": [DUPLICATES, ANY_SCRIPT],
    "broken_ignores_sender": [STRAY],
    "broken_imports_helper": [ANSWERS],
    "broken_late_fills_earlier": [LATE],
    "broken_leaves_socket_open": [CLOSES],
    "broken_misnamed": [ANSWERS],
    "broken_no_argument_checks": [BAD_ARGUMENTS],
    "broken_no_timeout": [DROPS],
    "broken_numbers_from_zero": [WIRE],
    "broken_raises_on_garbage": [GARBAGE],
    "broken_raises_on_refused": [REFUSED],
    "broken_rtt_from_start": [RTT],
    "broken_rtt_milliseconds": [ANSWERS],
    "broken_rtt_negative": [ANSWERS],
    "broken_sends_all_first": [ONE_AT_A_TIME],
    "broken_socket_per_ping": [WIRE],
    "broken_timeout_raises": [DROPS],
}

# What the first caught check's message must say: the wire fact a learner acts on.
SAYS = {
    "broken_imports_grader": ["No module named 'grader'"],
    "broken_crlf": ["b'PING 1 ", "\\r\\n', which is not a ping"],
    "broken_fresh_timeout": ["Ping 2 was sent", "kept your client waiting past ping 1's deadline"],
    "broken_ignores_number": ["Entry 2 is", "your client took"],  # (which datagram it took varies with the load)
    "broken_ignores_sender": ["Entry 1 is", "It took the stray from another socket"],
    "broken_imports_helper": ["udp_helpers"],
    "broken_late_fills_earlier": ["Entry 1 is", "it should be None", "came after its timeout"],
    "broken_leaves_socket_open": ["still open 0.5 s later"],
    "broken_misnamed": ["has no function named ping()"],
    "broken_no_argument_checks": ["returned instead of raising ValueError for count=0"],
    "broken_no_timeout": ["still running after", "sock.settimeout"],
    "broken_numbers_from_zero": ["received b'PING 0 ", "which is not a ping"],
    "broken_raises_on_garbage": ["raised ValueError instead of returning a list", "A datagram may be anything"],
    "broken_raises_on_refused": ["raised ConnectionRefusedError", "catch it"],
    "broken_rtt_from_start": ["Entry 2 is", "not from the start of the call"],
    "broken_rtt_milliseconds": ["looks like milliseconds"],
    "broken_rtt_negative": ["negative"],
    "broken_sends_all_first": ["Ping 2 arrived", "before the server had answered it"],
    "broken_socket_per_ping": ["came from 3 different sockets"],
    "broken_timeout_raises": ["raised TimeoutError", "A timeout is not an error for a pinger"],
}

# Each clause of the README's contract, and the broken programs that breach it alone.
CLAUSES = {
    "C1": ["broken_misnamed"],
    "C2": ["broken_socket_per_ping"],
    "C3": ["broken_crlf", "broken_numbers_from_zero"],
    "C4": "not graded: a promise of the server to your code, which the grader's server keeps",
    "C5": ["broken_rtt_milliseconds", "broken_rtt_negative", "broken_rtt_from_start"],
    "C6": ["broken_sends_all_first"],
    "C7": ["broken_fresh_timeout", "broken_no_timeout"],
    "C8": ["broken_ignores_number", "broken_ignores_sender", "broken_late_fills_earlier"],
    "C9": ["broken_raises_on_refused", "broken_raises_on_garbage", "broken_timeout_raises"],
    "C10": ["broken_no_argument_checks"],
    "C11": ["broken_leaves_socket_open"],
    "C12": ["broken_imports_helper"],
    "C13": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_pinger_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_the_checks_are_these_in_this_order_and_add_up_to_12():
    checks = checks_of(EXERCISE)
    assert [c.name for c in checks] == IN_ORDER
    assert sum(c.points for c in checks) == 12 and all(c.hint for c in checks)
    assert {c.name for c in checks if not c.needs} == INDEPENDENT
    assert {c.needs for c in checks} == {(), (ANSWERS,)}


def test_every_broken_pinger_is_listed():
    assert {p.values[0].stem for p in implementations(EXERCISE, "broken")} == set(CAUGHT_BY)


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "broken"))
def test_broken_pinger_is_caught(tmp_path, implementation):
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
def test_correct_pinger_passes(tmp_path, implementation):
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0


def test_the_reference_solution_passes():
    code, report = grade_json(EXERCISE, "--solutions")
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0
