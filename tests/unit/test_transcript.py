"""The --verbose wire transcript: what it records, how it reads, what it leaves alone."""

import socket
import subprocess
import sys

import pytest

from grader.peers.net import Client
from grader.engine.transcript import HEAD_EVENTS, TAIL_EVENTS, Event, Transcript, recording


ECHO_SERVER = """
import socket, sys, threading
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
def echo(conn):
    with conn:
        try:
            while data := conn.recv(65536):
                conn.sendall(data)
        except OSError:
            pass
while True:
    threading.Thread(target=echo, args=(listener.accept()[0],), daemon=True).start()
"""


@pytest.fixture(scope="module")
def echo_address():
    """An echo server in another process, as a learner's server is: only the grader's side records."""
    server = subprocess.Popen([sys.executable, "-c", ECHO_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        yield ("127.0.0.1", int(server.stdout.readline()))
    finally:
        server.kill()
        server.wait()


def test_a_conversation_reads_as_sent_and_received_bytes(echo_address):
    with recording() as transcript:
        with Client(echo_address) as client:
            client.send(b"hi\r\n\x00")
            client.recv_exactly(5)
            client.shutdown_write()
            client.recv_until_eof(timeout=2)
    lines = transcript.lines()
    assert lines[0] == f"-- connection 1: the grader connected to 127.0.0.1:{echo_address[1]}"
    assert "Sent bytes: b'hi\\r\\n\\x00'" in lines
    assert "Received bytes: b'hi\\r\\n\\x00'" in lines
    assert "Shut down the sending side" in lines
    assert "Received end of file (the other side will send nothing more)" in lines
    assert lines[-1] == "Closed the connection"


def test_a_silent_wait_and_a_reset_are_recorded(echo_address):
    with recording() as transcript:
        client = Client(echo_address)
        assert client.recv_some(timeout=0.05) is None
        client.reset()
    assert transcript.lines()[1:] == ["Waited 0.05 s: nothing arrived", "Reset the connection (TCP RST)"]


def test_big_data_and_many_events_are_cut_with_a_note(echo_address):
    with recording() as transcript:
        with Client(echo_address, timeout=5) as client:
            client.send(b"x" * 100_000)
            client.recv_exactly(100_000)
            for n in range(200):
                client.send(b"%d" % n)
                client.recv_exactly(len(b"%d" % n))
    lines = transcript.lines()
    assert any("100,000 bytes in all; the middle is not shown" in line for line in lines
               if line.startswith("Sent bytes"))
    assert any(line.startswith("... ") and "more events not shown" in line for line in lines)
    assert len(lines) <= HEAD_EVENTS + TAIL_EVENTS + 10
    assert max(len(line) for line in lines) < 600


def test_a_grader_side_server_records_what_your_program_sent_it():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    with listener, recording() as transcript:
        peer = socket.create_connection(listener.getsockname())
        conn, address = listener.accept()
        with peer, conn:
            peer.sendall(b"GET / HTTP/1.1\r\n\r\n")
            conn.recv(100)
            conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
            peer.recv(100)
    accepted = f"-- connection 2: your program connected from 127.0.0.1:{address[1]} to the grader's server at " \
               f"127.0.0.1:{port}"
    # The latest connection's events need no name; the other one's are named.
    assert transcript.lines()[1:] == [accepted, "[connection 1] Sent bytes: b'GET / HTTP/1.1\\r\\n\\r\\n'",
                                      "Received bytes: b'GET / HTTP/1.1\\r\\n\\r\\n'",
                                      "Sent bytes: b'HTTP/1.1 200 OK\\r\\n\\r\\n'",
                                      "[connection 1] Received bytes: b'HTTP/1.1 200 OK\\r\\n\\r\\n'",
                                      "Closed the connection", "[connection 1] Closed the connection"]


def test_several_connections_taking_turns_say_whose_event_it_is():
    transcript = Transcript()
    a, b = socket.socketpair()
    with a, b:
        transcript.number(a, "connect", "-- connection {number}: first")
        transcript.number(b, "connect", "-- connection {number}: second")
        transcript.add(Event(1, "sent", 2, b"hi"))
    assert transcript.lines() == ["-- connection 1: first", "-- connection 2: second", "[connection 1] Sent bytes: b'hi'"]


def test_nothing_is_wrapped_outside_recording_and_everything_is_put_back():
    before = dict(socket.socket.__dict__)
    with recording():
        assert socket.socket.__dict__["sendall"] is not before.get("sendall")
    assert dict(socket.socket.__dict__) == before


def test_a_unix_socket_pair_is_not_recorded():
    with recording() as transcript:
        a, b = socket.socketpair(socket.AF_UNIX)
        with a, b:
            a.sendall(b"wake up")
            b.recv(16)
    assert transcript.lines() == []


def test_recordings_do_not_nest():
    with recording():
        with pytest.raises(RuntimeError):
            with recording():
                pass
