"""chat_server: every check catches its broken server, and every correct style passes."""

import subprocess
import sys
import time

import pytest

from conftest import ROOT, checks_by_status, grade_json, implementations, tree_with
from grader.engine.catalog import checks_of
from grader.peers.chat.flood import flood
from grader.peers.chat.room import Room
from grader.peers.net import accepts_connections, free_port

EXERCISE = "chat_server"

STARTS = "starts and listens on the port it is given"
PROMPT = "asks every new client for its name, in one line"
PRESENCE = "gives a joiner one line naming exactly the users already in the room"
JOINS = "tells everyone in the room when a user joins"
RELAY = "relays every line as [name] text to every other user"
NO_ECHO = "never sends users their own lines back"
UNJOINED = "sends nothing of the room to clients that have not joined"
NAMES = "accepts names of 1 to 16 letters and digits, and refuses any other first line"
LEAVES = "tells everyone when a user leaves, by a clean close or a reset"
FRAMING = "reads lines in pieces, several in one segment, and 1000 characters long"
TWENTY = "serves 20 users at once"
SLOW = "keeps the room going while a user stops reading"
RESET = "goes on when a user resets its connection in the middle of a broadcast"
GARBAGE = "keeps serving after garbage, half-sent lines and resets from clients"
IN_ORDER = [STARTS, PROMPT, PRESENCE, JOINS, RELAY, NO_ECHO, UNJOINED, NAMES, LEAVES, FRAMING, TWENTY, SLOW,
            RESET, GARBAGE]

# Each deliberately broken server, and the check(s) that must catch it (run with --check).
CAUGHT_BY = {
    "broken_imports_grader": [STARTS],
    "broken_wrong_port": [STARTS],
    "broken_prompt_without_newline": [PROMPT],
    "broken_joiner_in_presence": [PRESENCE],
    "broken_no_join_notice": [JOINS],
    "broken_no_space_after_name": [RELAY],
    "broken_strips_text": [RELAY],
    "broken_echoes_sender": [NO_ECHO],
    "broken_broadcasts_to_unjoined": [UNJOINED],
    "broken_accepts_17_characters": [NAMES],
    "broken_allows_duplicate_names": [NAMES],
    "broken_no_leave_on_reset": [LEAVES],
    "broken_relays_half_line": [LEAVES],
    "broken_first_line_only": [FRAMING],
    "broken_each_recv_is_a_line": [FRAMING],
    "broken_thread_pool_of_16": [TWENTY],
    "broken_blocking_sendall": [SLOW],
    "broken_crashes_on_reset_during_broadcast": [RESET],
    "broken_crashes_on_garbage": [GARBAGE],
}

# What the first caught check's message must say: the wire fact a learner acts on.
SAYS = {
    "broken_imports_grader": ["No module named 'grader'"],
    "broken_prompt_without_newline": ["with no \\n"],
    "broken_joiner_in_presence": ["its presence line names alice1.", "and not alice1 itself"],
    "broken_no_join_notice": ["bob2 joined the room; alice1, in the room, waited"],
    "broken_no_space_after_name": ["b'[alice1]hello, room\\n'"],
    "broken_echoes_sender": ["alice1 got its own earlier line back"],
    "broken_broadcasts_to_unjoined": ["lurker3 connected and waited", "'[alice1] secret'"],
    "broken_accepts_17_characters": ["'abcdefghijklmnop1\\n'", "still open 1 s later"],
    "broken_allows_duplicate_names": ["the name of a user in the room"],
    "broken_no_leave_on_reset": ["dave4 reset its connection and left"],
    "broken_relays_half_line": ["'[carol3] half a line, never finis'"],
    "broken_first_line_only": ["in one send()"],
    "broken_thread_pool_of_16": ["user17 connected"],
    "broken_blocking_sendall": ["within 1 s of its sending", "slow4 had stopped reading"],
    "broken_crashes_on_reset_during_broadcast": ["Your server stopped", "BrokenPipeError"],
    "broken_crashes_on_garbage": ["Your server stopped", "UnicodeDecodeError"],
}

# Each clause of the README's contract, and the broken servers that breach it alone.
CLAUSES = {
    "C1": "not graded: a server that is not serve(host, port) in chat_server.py is not found at all, "
          "which the grader reports before any check",
    "C2": ["broken_wrong_port"],
    "C3": ["broken_prompt_without_newline"],
    "C4": ["broken_accepts_17_characters", "broken_allows_duplicate_names"],
    "C5": ["broken_joiner_in_presence"],
    "C6": ["broken_no_join_notice"],
    "C7": ["broken_no_space_after_name", "broken_strips_text"],
    "C8": ["broken_echoes_sender"],
    "C9": ["broken_first_line_only", "broken_each_recv_is_a_line"],
    "C10": ["broken_no_leave_on_reset", "broken_relays_half_line"],
    "C11": ["broken_broadcasts_to_unjoined"],
    "C12": ["broken_thread_pool_of_16"],
    "C13": ["broken_blocking_sendall"],
    "C14": ["broken_crashes_on_reset_during_broadcast", "broken_crashes_on_garbage"],
    "C15": "not graded: serve() that returns is caught by every check that connects after it, not by one of its own",
    "C16": "not graded: a helper module is simply missing when the one file is graded",
    "C17": ["broken_imports_grader"],
}


def test_every_check_has_a_broken_server_it_catches():
    caught = {name for names in CAUGHT_BY.values() for name in names}
    assert {c.name for c in checks_of(EXERCISE)} <= caught


def test_the_checks_are_these_in_this_order_and_add_up_to_12():
    checks = checks_of(EXERCISE)
    assert [c.name for c in checks] == IN_ORDER
    assert sum(c.points for c in checks) == 12 and all(c.hint for c in checks)


def test_every_broken_server_is_listed():
    assert {p.values[0].stem for p in implementations(EXERCISE, "broken")} == set(CAUGHT_BY)


@pytest.mark.parametrize("implementation", implementations(EXERCISE, "broken"))
def test_broken_server_is_caught(tmp_path, implementation):
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
def test_correct_server_passes(tmp_path, implementation):
    code, report = grade_json(EXERCISE, "--path", tree_with(tmp_path, EXERCISE, implementation))
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0


def test_the_reference_solution_passes():
    code, report = grade_json(EXERCISE, "--solutions")
    assert set(checks_by_status(report).values()) == {"passed"}, report
    assert code == 0


def test_the_reference_solution_cuts_off_a_reader_that_owes_it_megabytes():
    """The contract lets a server keep a bounded backlog or disconnect; the reference disconnects
    past MAX_BACKLOG (4 MiB), and the room hears that user leave, while the readers get every line."""
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "solutions" / EXERCISE / f"{EXERCISE}.py"), str(port)])
    try:
        deadline = time.monotonic() + 10
        while not accepts_connections(("127.0.0.1", port)):
            assert server.poll() is None and time.monotonic() < deadline, "the solution did not start"
            time.sleep(0.02)
        with Room(("127.0.0.1", port)) as room:
            alice, bob = room.join("alice1"), room.join("bob2")
            room.join_silent("slow3")
            result = flood(room, [alice], [bob], bursts=8, lines=1000, length=1000, late=5.0, may_leave={"slow3"})
        assert result.left == {"slow3"} and result.lines == 8000
    finally:
        server.kill()
        server.wait()
