"""grader.peers.lines.server through plain socket clients: replies, cuts, stalls, closes, records.

Every client socket has a timeout, and no test sleeps to wait for the server: a client waits
on recv() (bounded) and a test waits on the server's record with wait_until/sync (bounded).
"""

import select
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from grader.peers.lines import server as line_reply_server
from grader.peers.lines.server import (ByteByByte, Chunks, InsideCharacters, LineReplyServer, Merged,
                                      OnePerReply)

REPLY_A = "1 → a\n".encode()
REPLY_B = "2 → b\n".encode()


@pytest.fixture(autouse=True)
def no_server_thread_left():
    yield
    assert not [t for t in threading.enumerate() if t.name == "line-reply-server"]


def connect(server, timeout=2.0):
    return socket.create_connection(server.address, timeout=timeout)


def read_lines(sock, count):
    """Read until ``count`` newlines or end of file; return (data, recv() results)."""
    data, pieces = b"", []
    while data.count(b"\n") < count:
        piece = sock.recv(65536)
        if not piece:
            break
        pieces.append(piece)
        data += piece
    return data, pieces


def read_to_eof(sock):
    data = b""
    while piece := sock.recv(65536):
        data += piece
    return data


# -- cuts, without sockets ----------------------------------------------------------------------

REPLIES = ["1 → hé\n".encode(), "2 → 🙂\n".encode()]


@pytest.mark.parametrize("cut", [OnePerReply(), Merged(), ByteByByte(), Chunks([3, 1]), InsideCharacters()])
def test_a_cut_keeps_every_byte_in_order(cut):
    pieces = cut.split(REPLIES)
    assert b"".join(pieces) == b"".join(REPLIES)
    assert all(pieces)


def test_cuts_split_where_they_say():
    joined = b"".join(REPLIES)
    assert OnePerReply().split(REPLIES) == REPLIES
    assert Merged().split(REPLIES) == [joined]
    assert ByteByByte().split(REPLIES) == [bytes([b]) for b in joined]
    assert [len(p) for p in Chunks([3, 1]).split(REPLIES)] == [3, 1] * 5 + [1]  # 21 bytes
    assert [len(p) for p in Chunks([8]).split(REPLIES)] == [8, 8, 5]  # pieces may span replies
    assert InsideCharacters().split([REPLIES[0]]) == [b"1 \xe2", b"\x86\x92 h\xc3", b"\xa9\n"]


def test_chunk_sizes_must_be_positive():
    for sizes in ([], [0], [2, -1], [1.5]):
        with pytest.raises(ValueError):
            Chunks(sizes)


def test_cuts_describe_themselves_for_the_learner():
    assert str(ByteByByte()) == "one byte at a time"
    assert str(Chunks([3, 1])) == "in pieces of 3, 1 bytes (repeating)"
    assert repr(Chunks([3, 1])) == "Chunks([3, 1])"


# -- replies and records ---------------------------------------------------------------------

def test_replies_number_the_lines_of_each_connection():
    with LineReplyServer() as server:
        for _ in range(2):
            with connect(server) as sock:
                sock.sendall(b"a\nb\n")
                assert read_lines(sock, 2)[0] == REPLY_A + REPLY_B
    first, second = server.connections
    assert (first.number, second.number) == (1, 2)
    assert first.lines == second.lines == [b"a", b"b"]
    assert bytes(first.received) == b"a\nb\n"
    assert first.replies_sent == 2


def test_it_records_when_the_client_closes_and_a_last_line_without_newline():
    with LineReplyServer() as server:
        with connect(server) as sock:
            sock.sendall(b"a\nunfinished")
            sock.shutdown(socket.SHUT_WR)
            # replies still come after the client's end of file, then the server closes
            assert read_to_eof(sock) == REPLY_A
        (record,) = server.connections
        assert record.client_closed and not record.reset
        assert record.opened_at <= record.closed_at <= time.monotonic()
        assert record.lines == [b"a"]
        assert record.unterminated == b"unfinished"


def test_a_connection_left_open_is_not_closed():
    with LineReplyServer() as server, connect(server) as sock:
        sock.sendall(b"a\n")
        read_lines(sock, 1)
        assert not server.wait_closed(0.05)
        assert server.connections[0].unterminated == b""
        sock.close()
        assert server.wait_closed(2.0)


def test_it_records_a_reset():
    with LineReplyServer() as server:
        sock = connect(server)
        sock.sendall(b"a\n")
        read_lines(sock, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        assert server.wait_closed(2.0)
        assert server.connections[0].reset


def test_sync_makes_counts_facts():
    with LineReplyServer() as server:
        socks = [connect(server) for _ in range(3)]
        for sock in socks:
            sock.sendall(b"x")
        assert server.sync()
        assert [bytes(r.received) for r in server.connections] == [b"x"] * 3
        for sock in socks:
            sock.close()


def test_sync_returns_at_once_on_an_idle_server():
    with LineReplyServer() as server:
        started = time.monotonic()
        assert all(server.sync(2.0) for _ in range(50))
        assert time.monotonic() - started < 2.0


def test_the_log_tells_what_happened():
    lines = []
    with LineReplyServer(log=lines.append) as server:
        with connect(server) as sock:
            sock.sendall(b"a\n")
            read_lines(sock, 1)
        server.wait_closed(2.0)
    assert lines[0] == "connection 1: connection opened"
    assert "connection 1: received b'a\\n'" in lines
    assert f"connection 1: sent {REPLY_A!r}" in lines
    assert "connection 1: the client closed its end" in lines


# -- how replies are sent -----------------------------------------------------------------------

def test_sends_follow_the_cut():
    with LineReplyServer(cut=InsideCharacters()) as server:
        with connect(server) as sock:
            sock.sendall(b"a\n")
            assert read_lines(sock, 1)[0] == REPLY_A
    assert server.connections[0].sends == [b"1 \xe2", b"\x86\x92 a\n"]


def test_a_pause_lets_the_client_see_the_pieces():
    with LineReplyServer(cut=InsideCharacters(), pause=0.2) as server, connect(server) as sock:
        started = time.monotonic()
        sock.sendall(b"a\n")
        data, pieces = read_lines(sock, 1)
        assert data == REPLY_A
        assert pieces[0] == b"1 \xe2"
        assert time.monotonic() - started >= 0.2


def test_replies_wait_for_a_batch_and_go_in_one_piece():
    with LineReplyServer(cut=Merged(), batch=3, gather=5.0) as server, connect(server) as sock:
        for line in (b"a\n", b"b\n", b"c\n"):
            sock.sendall(line)
            assert server.wait_until(lambda records: records and records[0].lines[-1:] == [line[:-1]], 2.0)
        assert read_lines(sock, 3)[0] == REPLY_A + REPLY_B + "3 → c\n".encode()
        assert server.connections[0].sends == [REPLY_A + REPLY_B + "3 → c\n".encode()]


def test_an_incomplete_batch_goes_when_the_gather_time_is_over():
    with LineReplyServer(cut=Merged(), batch=3, gather=0.1) as server, connect(server) as sock:
        started = time.monotonic()
        sock.sendall(b"a\n")
        assert read_lines(sock, 1)[0] == REPLY_A
        assert time.monotonic() - started >= 0.1


def test_large_lines_go_both_ways_while_the_client_is_not_reading():
    lines = [b"x" * 1_000_000, "é".encode() * 500_000]
    with LineReplyServer() as server, connect(server, timeout=10) as sock:
        # 2 MB out before reading anything: the server keeps reading while its replies wait
        sock.sendall(b"\n".join(lines) + b"\n")
        data, _ = read_lines(sock, 2)
    assert data == b"1 \xe2\x86\x92 " + lines[0] + b"\n2 \xe2\x86\x92 " + lines[1] + b"\n"


def test_it_stops_reading_a_runaway_client(monkeypatch):
    monkeypatch.setattr(line_reply_server, "MAX_BYTES", 1000)
    with LineReplyServer() as server, connect(server) as sock:
        sock.sendall(b"x" * 5000)
        assert server.wait_until(lambda records: records and records[0].overflowed, 2.0)


# -- stalls and early closes --------------------------------------------------------------------

def test_a_stall_until_stopped_sends_nothing_more():
    with LineReplyServer(stall_after=1) as server, connect(server, timeout=0.3) as sock:
        sock.sendall(b"a\nb\n")
        assert read_lines(sock, 1)[0] == REPLY_A
        with pytest.raises(TimeoutError):
            sock.recv(100)
        record = server.connections[0]
        assert record.stalled_at is not None and record.replies_sent == 1
        assert record.lines == [b"a", b"b"]
        server.stop()
        sock.settimeout(2.0)
        assert read_to_eof(sock) == b""


def test_a_timed_stall_ends():
    with LineReplyServer(stall_after=1, stall_for=0.2) as server, connect(server) as sock:
        started = time.monotonic()
        sock.sendall(b"a\nb\n")
        assert read_lines(sock, 2)[0] == REPLY_A + REPLY_B
        assert time.monotonic() - started >= 0.2


def test_a_stall_from_the_start():
    with LineReplyServer(stall_after=0, stall_for=0.1) as server, connect(server) as sock:
        sock.sendall(b"a\n")
        assert read_lines(sock, 1)[0] == REPLY_A


def test_an_early_close_sends_end_of_file_and_reads_on():
    with LineReplyServer(close_after=1) as server:
        with connect(server) as sock:
            sock.sendall(b"a\nb\nc\n")
            assert read_to_eof(sock) == REPLY_A
            sock.sendall(b"d\n")  # the server still reads: no reset
        assert server.wait_closed(2.0)
        record = server.connections[0]
        assert record.server_closed_at is not None and not record.reset
        assert record.replies_sent == 1
        assert server.wait_until(lambda records: records[0].lines == [b"a", b"b", b"c", b"d"], 2.0)


def test_a_close_before_any_reply():
    with LineReplyServer(close_after=0) as server, connect(server) as sock:
        assert read_to_eof(sock) == b""


def test_a_batch_never_crosses_a_stall():
    with LineReplyServer(cut=Merged(), stall_after=1) as server, connect(server, timeout=0.3) as sock:
        sock.sendall(b"a\nb\n")
        assert read_lines(sock, 1)[0] == REPLY_A
        with pytest.raises(TimeoutError):
            sock.recv(100)
        assert server.connections[0].sends == [REPLY_A]


# -- start and stop -----------------------------------------------------------------------------

def test_stop_closes_everything_and_can_be_repeated():
    server = LineReplyServer().start()
    sock = connect(server)
    address = server.address
    server.stop()
    server.stop()
    assert read_to_eof(sock) == b""
    sock.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address, timeout=2.0)


def test_a_failure_inside_the_server_is_raised_by_stop():
    class Broken:
        def split(self, replies):
            return [b"not the replies"]

    server = LineReplyServer(cut=Broken()).start()
    with connect(server) as sock:
        sock.sendall(b"a\n")
        assert read_to_eof(sock) == b""  # the loop ended and closed the connection
    with pytest.raises(RuntimeError, match="failed"):
        server.stop()


def test_it_runs_by_hand_until_interrupted():
    process = subprocess.Popen([sys.executable, "-m", "grader.peers.lines.server", "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert select.select([process.stdout], [], [], 10)[0]
        banner = process.stdout.readline()
        port = int(banner.split(":")[1].split(";")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"a\n")
            assert read_lines(sock, 1)[0] == REPLY_A
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        process.kill()
        process.wait(timeout=5)
        process.stdout.close()


# -- saying what it does, and doing it again by hand --------------------------------------------

def test_it_describes_itself_in_the_learners_words():
    assert LineReplyServer().describe() == "sends each reply in one piece"
    assert LineReplyServer(cut=ByteByByte(), pause=0.002).describe() == \
        "sends the replies one byte at a time, 2 ms apart"
    assert LineReplyServer(cut=Merged()).describe() == "sends all replies that are due together in one piece"
    assert LineReplyServer(cut=Chunks([12, 14]), pause=0.01, batch=4, gather=0.01).describe() == \
        ("sends the replies in pieces of 12, 14 bytes (repeating), 10 ms apart; holds replies until 4 are due "
         "(at most 10 ms after the first)")
    assert LineReplyServer(stall_after=1).describe() == \
        "sends each reply in one piece; goes silent for good after 1 reply"
    assert LineReplyServer(stall_after=2, stall_for=1.5).describe().endswith("goes silent for 1.5 s after 2 replies")
    assert LineReplyServer(close_after=1).describe().endswith("closes the connection after 1 reply")


@pytest.mark.parametrize("config", [
    {}, {"cut": ByteByByte(), "pause": 0.002}, {"cut": InsideCharacters(), "pause": 0.005}, {"cut": Merged()},
    {"cut": Chunks([12, 14]), "pause": 0.01, "batch": 4, "gather": 0.01}, {"stall_after": 1},
    {"stall_after": 1, "stall_for": 2.5}, {"close_after": 0},
])
def test_its_command_runs_the_same_server_by_hand(config, monkeypatch):
    command = LineReplyServer(**config).command(9000)
    assert command.startswith("python -m grader.peers.lines --port 9000")
    started = []
    monkeypatch.setattr(LineReplyServer, "start", lambda self: started.append(self) or self)
    monkeypatch.setattr(line_reply_server.threading, "Event", lambda: _Interrupted())
    monkeypatch.setattr(LineReplyServer, "address", ("127.0.0.1", 9000), raising=False)
    monkeypatch.setattr(LineReplyServer, "stop", lambda self: None)
    line_reply_server.main(command.split()[3:])
    (server,) = started
    assert server.describe() == LineReplyServer(**config).describe()
    assert server.command(9000) == command


class _Interrupted:
    def wait(self):
        raise KeyboardInterrupt


def test_chunk_sizes_on_the_command_line_must_be_numbers(capsys):
    with pytest.raises(SystemExit):
        line_reply_server.main(["--chunks", "3,x"])
    assert "expected sizes in bytes such as 4 or 3,1" in capsys.readouterr().err


def test_it_records_when_each_reply_went_out():
    with LineReplyServer(cut=Chunks([4]), pause=0.05) as server, connect(server) as sock:
        sock.sendall(b"a\nb\n")
        read_lines(sock, 2)
        record = server.connections[0]
        first, second = record.replied_at
        assert record.opened_at <= first < second
        assert second - first >= 0.05  # reply 2 ends two pieces after reply 1
