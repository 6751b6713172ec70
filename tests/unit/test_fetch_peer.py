"""The counting server of async_fetcher: its decisions and its timeline without sockets, then the
server itself over loopback (a keep-alive connection, a stall given up, a reset, a closed port)."""

import socket
import time

import pytest

from grader.peers.fetch.answers import Answer, Pacer, answer_for, body_for, pieces_of
from grader.peers.fetch.server import ClosedPort, CountingServer
from grader.peers.fetch.timeline import GIVEN_UP, Request, chart, most_in_flight, refill_gaps


def test_paths_say_what_they_answer():
    assert answer_for("/ok/a") == Answer("ok", body=body_for("/ok/a"))
    assert answer_for("/ok/a?delay=0.25").delay == 0.25
    assert answer_for("/status/404/b").status == 404 and answer_for("/status/404/b").body == b"404 Not Found\n"
    drip = answer_for("/drip/d?pieces=3&every=0.5")
    assert (drip.kind, drip.pieces, drip.every) == ("drip", 3, 0.5)
    assert [answer_for(p).kind for p in ("/paced/1", "/stall/x", "/reset/y")] == ["paced", "stall", "reset"]
    assert body_for("/ok/a") != body_for("/ok/b")


@pytest.mark.parametrize("target", ["/", "/ok", "/status/200/a", "/status/abc/a", "/ok/a?delay=-1",
                                    "/ok/a?delay=99", "/drip/a?pieces=0", "/nope/a"])
def test_unknown_paths_are_refused(target):
    with pytest.raises(ValueError):
        answer_for(target)


def test_pieces_cover_the_body():
    assert pieces_of(b"abcdefg", 3) == [b"abc", b"de", b"fg"]
    assert pieces_of(b"ab", 5) == [b"a", b"b"]


def test_the_pacer_answers_newest_first_once_the_limit_is_in_flight():
    pacer = Pacer(limit=3, total=5, hold=1.0, window=0.2)
    for n in (1, 2):
        pacer.arrived(n, 0.0)
    assert pacer.choose(0.0) == (None, 1.0)  # 2 of 3: it holds
    pacer.arrived(3, 0.01)
    assert pacer.choose(0.01) == (None, pytest.approx(0.2))  # the first answer: the window first
    assert pacer.choose(0.21) == (3, None)
    assert pacer.choose(0.21) == (None, None)  # one answer at a time
    pacer.ended(3, 0.22)
    pacer.arrived(4, 0.23)
    assert pacer.choose(0.23) == (4, None)  # back at the limit: at once, no window now
    pacer.ended(4, 0.24)
    pacer.arrived(5, 0.25)
    assert pacer.choose(0.25) == (5, None)
    pacer.ended(5, 0.26)
    assert pacer.choose(0.26) == (2, None)  # every request started: the rest without waiting


def test_the_pacer_stops_holding_after_one_hold_ran_out():
    pacer = Pacer(limit=3, total=9, hold=1.0)
    pacer.arrived(1, 0.0)
    assert pacer.choose(0.5) == (None, 1.0)
    assert pacer.choose(1.0) == (None, 0.5)
    assert pacer.choose(1.5) == (1, None)
    pacer.ended(1, 1.6)
    pacer.arrived(2, 1.7)
    assert pacer.choose(1.7) == (2, None)


def request(number, start, end, ending="200"):
    return Request(number, f"/paced/{number}", 1, start, end, ending if end is not None else "")


def test_in_flight_and_refill_gaps():
    log = [request(1, 0.0, 1.0), request(2, 0.0, 0.1), request(3, 0.1, 0.5), request(4, 1.3, 1.4)]
    assert most_in_flight(log) == 2  # 3 starts as 2 ends: not both
    assert [round(gap, 2) for gap, _ in refill_gaps(log, 2)] == [0.0, 0.8]


def test_the_chart_has_a_row_per_request_and_the_count_in_flight():
    lines = chart([request(1, 0.0, 1.0), request(2, 0.0, 0.5), request(3, 0.5, None)],
                  marks=((1.0, "returned"),)).splitlines()
    assert lines[1].startswith("#1   /paced/1  ===") and lines[1].endswith("200")
    assert lines[3].endswith(">  still in flight")
    assert lines[4].split()[:2] == ["in", "flight"] and set(lines[4].split()[2]) == {"2"}
    assert lines[-1].endswith("| returned")
    assert len(chart([request(n, n, n + 1) for n in range(1, 100)]).splitlines()) < 20


def get(sock, path):
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    while not data.endswith(body_for(path)) and b"\r\n\r\n" not in data[-200:] or len(data) < 10:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_the_server_logs_keep_alive_requests_stalls_and_resets():
    with CountingServer() as server:
        port = int(server.origin.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            for path in ("/ok/a", "/ok/b"):
                assert get(client, path).endswith(body_for(path))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"GET /stall/s HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"GET /reset/r HTTP/1.1\r\nHost: x\r\n\r\n")
            with pytest.raises(ConnectionResetError):
                while client.recv(100):
                    pass
        assert server.wait_until_closed(5)
        log = server.requests
    assert [(r.target, r.connection, r.ending) for r in log] == [
        ("/ok/a", 1, "200"), ("/ok/b", 1, "200"), ("/stall/s", 2, GIVEN_UP), ("/reset/r", 3, "reset")]
    assert server.connections == 3


def test_a_closed_port_refuses():
    with ClosedPort() as closed, pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", closed.port), timeout=5)
