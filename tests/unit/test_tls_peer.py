"""The TLS peer of tls_client on its own: its behaviours without sockets, its certificates as a
correct client judges them, and bytes arguments reaching a learner's function as bytes."""

import shlex
import socket
import ssl

import pytest

from grader.learner.process import LearnerFunction
from grader.peers.tls.__main__ import main as peer_main
from grader.peers.tls.behaviour import RECORD, Behaviour, answer_for, request_complete
from grader.peers.tls.certificates import CASES, CertificateSet
from grader.peers.tls.server import TLSServer


@pytest.fixture(scope="module")
def certificates():
    made = CertificateSet()
    yield made
    made.close()


def fetch(server, host, request=b"hi\r\n\r\n"):
    context = ssl.create_default_context(cafile=server.cafile)
    with socket.create_connection(server.address, timeout=5) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            tls.sendall(request)
            pieces = []
            while chunk := tls.recv(65536):
                pieces.append(chunk)
    return b"".join(pieces)


def test_the_records_are_the_answer_cut_small_first_then_full():
    behaviour = Behaviour(answer=answer_for(40_000), small_records=3)
    records = behaviour.records()
    assert b"".join(records) == behaviour.answer and len(behaviour.answer) == 40_000
    assert [len(r) for r in records] == [1, 1, 1, RECORD, RECORD, 40_000 - 3 - 2 * RECORD]


def test_a_request_ends_in_a_blank_line():
    assert request_complete(b"GET / HTTP/1.1\r\n\r\n") and not request_complete(b"GET / HTTP/1.1\r\n")


def test_a_behaviours_command_serves_that_behaviour(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the command writes ca.pem in the current folder
    behaviour = Behaviour(certificate="expired", versions="1.3", answer=answer_for(5000), small_records=4,
                          pause=0.01, ending="tcp_close")
    seen = {}

    class Stop(Exception):
        pass

    def fake_server(made, certificates, **kwargs):
        seen["behaviour"] = made
        certificates.close()
        raise Stop

    monkeypatch.setattr("grader.peers.tls.__main__.TLSServer", fake_server)
    with pytest.raises(Stop):
        peer_main(shlex.split(behaviour.command(9000))[3:])
    assert seen["behaviour"] == behaviour


@pytest.mark.parametrize("case", list(CASES))
def test_every_certificate_gets_the_verdict_the_checks_expect(certificates, case):
    host = "127.0.0.1" if case == "localhost-only" else "localhost"
    with TLSServer(Behaviour(certificate=case), certificates) as server:
        if CASES[case].verdict is None:
            assert fetch(server, host) == Behaviour().answer
        else:
            with pytest.raises(ssl.SSLCertVerificationError, match=CASES[case].verdict):
                fetch(server, host)
        assert server.wait_closed(2)
        (record,) = server.connections
    assert record.sni == host if host == "localhost" else record.sni is None
    assert bool(record.received) == (CASES[case].verdict is None)


@pytest.mark.parametrize("versions, negotiated", [("1.2", "TLSv1.2"), ("1.3", "TLSv1.3")])
def test_the_server_speaks_the_versions_asked(certificates, versions, negotiated):
    with TLSServer(Behaviour(versions=versions), certificates) as server:
        fetch(server, "localhost")
        server.sync()
    assert server.connections[0].version == negotiated


def test_a_client_at_the_default_level_refuses_the_old_tls_server(certificates):
    with TLSServer(Behaviour(versions="1.0-1.1"), certificates) as server, pytest.raises(ssl.SSLError):
        fetch(server, "localhost")


def test_bytes_arguments_reach_the_learners_function_as_bytes(tmp_path):
    module = tmp_path / "echo.py"
    module.write_text("def echo(*args, **kwargs):\n    return [type(a).__name__ for a in args], kwargs\n")
    function = LearnerFunction(module, "echo")
    try:
        outcome = function.call(b"\x00\xff", "text", [b"x"], limit=10, data=bytearray(b"y"))
    finally:
        function.close()
    assert outcome.value == (["bytes", "str", "list"], {"data": b"y"})


def test_a_client_that_leaves_mid_answer_ends_the_connection_not_the_server(certificates):
    """After the client's end of file TLS refuses to write: the server stops sending the rest of
    the answer instead of failing (it did, when the end of file came between two records)."""
    for _ in range(5):
        with TLSServer(Behaviour(answer=answer_for(1024 * 1024), small_records=5, pause=0.002),
                       certificates) as server:
            context = ssl.create_default_context(cafile=server.cafile)
            tls = context.wrap_socket(socket.create_connection(server.address, timeout=5), server_hostname="localhost")
            tls.sendall(b"hi\r\n\r\n")
            assert tls.recv(65536) == b"H"
            tls.shutdown(socket.SHUT_WR)  # an end of file, not a reset: the server must notice it itself
            assert server.wait_closed(5)
            tls.close()
        assert server.connections[0].client_closed
