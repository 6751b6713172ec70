"""The scripted HTTP server's decisions, without sockets (grader/peers/raw_http/script.py), and the
server itself on loopback: what it sends, how it cuts it, and what it records."""

import shlex
import socket

import pytest

from grader.peers.raw_http.script import OPEN, RESET, RESPONSES, Expected, Script, chunked_body, every_byte, \
    head_end, parse_bytes_option, request_problem, with_length
from grader.peers.raw_http.server import ScriptedServer

GOOD = b"GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\nAccept: */*\r\n\r\n"
WANTED = Expected("/p?q=1", "127.0.0.1:8080")


def test_pieces_join_to_the_response_and_start_at_the_cuts():
    script = Script(b"abcdef", cuts=(4, 2, 2, 9))
    assert script.pieces() == [b"ab", b"cd", b"ef"]
    assert Script(b"abc", every_byte(b"abc")).pieces() == [b"a", b"b", b"c"]
    assert Script(b"").pieces() == []


def test_describe_and_options_say_the_same_script():
    script = Script(b"abc", every_byte(b"abc"), pause=0.01, then=OPEN)
    assert script.describe() == ("sends its 3 bytes one byte at a time, 10 ms apart, then keeps the connection "
                                 "open, sending nothing more")
    assert script.options() == "--bytes 'abc' --cut bytes --pause 0.01 --then open"
    assert Script(RESPONSES["length"], (5,), name="length", then=RESET).options() == \
        "--response length --cut 5 --then reset"


@pytest.mark.parametrize("data", [RESPONSES["chunked"], bytes(range(256)), b"it's \"quoted\" \\ and\r\n"])
def test_a_bytes_option_reads_back_as_the_bytes_after_the_shell(data):
    (word,) = shlex.split(Script(data).options().removeprefix("--bytes "))
    assert parse_bytes_option(word) == data


def test_chunked_bodies_are_written_by_the_rules():
    assert chunked_body(b"Hello, World!", [5], [";a=b"], [("X-T", "1")]) == \
        b"5;a=b\r\nHello\r\n5\r\n, Wor\r\n3\r\nld!\r\n0\r\nX-T: 1\r\n\r\n"
    assert chunked_body(b"x" * 26) == b"1A\r\n" + b"x" * 26 + b"\r\n0\r\n\r\n"
    assert with_length(b"hi") == b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"


def test_a_good_request_has_no_problem_and_its_head_ends_at_the_blank_line():
    assert request_problem(GOOD, WANTED) is None
    assert head_end(GOOD + b"extra") == len(GOOD)
    assert request_problem(GOOD.replace(b"Connection: close", b"Connection: keep-alive, Close"), WANTED) is None


@pytest.mark.parametrize("request_bytes, says, at", [
    (GOOD[:-2], "no blank line", len(GOOD) - 2),
    (GOOD.replace(b"\r\n", b"\n"), "bare \\n", GOOD.index(b"\r\n")),
    (GOOD.replace(b"/p?q=1", b"/p?q=1#f"), "the #fragment stays in the client", 4),
    (GOOD.replace(b"GET ", b"GET  "), "three parts", 0),
    (GOOD.replace(b"HTTP/1.1", b"HTTP/1.0"), "HTTP/1.1", len("GET /p?q=1 ")),
    (GOOD.replace(b":8080", b""), "(with the port, since it is not 80)", GOOD.index(b"Host")),
    (GOOD.replace(b"Connection: close\r\n", b""), "no 'Connection: close'", len(GOOD) - 19 - 2),
    (GOOD.replace(b"Accept: */*", b"Accept */*"), "not 'Name: value'", GOOD.index(b"Accept")),
])
def test_a_wrong_request_is_named_at_its_byte(request_bytes, says, at):
    problem = request_problem(request_bytes, WANTED)
    assert says in problem.text and problem.offset == at, problem


def test_the_server_records_the_request_sends_the_pieces_and_sees_the_close():
    response = RESPONSES["length"]
    with ScriptedServer(Script(response, (3, 10), then=OPEN)) as server:
        with socket.create_connection(server.address, timeout=5) as client:
            client.sendall(GOOD + b"more")
            received = b""
            while len(received) < len(response):
                received += client.recv(100)
        assert server.wait_closed(5)
        (record,) = server.connections
    assert received == response and record.sends == [response[:3], response[3:10], response[10:]]
    assert record.request == GOOD and record.received == GOOD + b"more" and not record.reset


def test_the_server_waits_for_the_blank_line_and_resets_when_told():
    with ScriptedServer(Script(b"HTTP/1.1 200 OK\r\n", then=RESET)) as server:
        with socket.create_connection(server.address, timeout=5) as client:
            client.sendall(GOOD[:20])
            assert not server.wait_until(lambda records: records and records[0].answered, 0.05)
            client.sendall(GOOD[20:])
            assert client.recv(100) == b"HTTP/1.1 200 OK\r\n"
            with pytest.raises(ConnectionResetError):
                client.recv(100)
        assert server.connections[0].finished_at is not None
