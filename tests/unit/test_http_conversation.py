"""grader.peers.http.conversation against a scripted one-connection server: reads, stray bytes, closes, resets.

No test sleeps to wait for anything: the client waits on recv() (bounded), and the server
thread is joined (bounded) when each test ends.
"""

import socket
import threading

import pytest

from grader.peers.http.conversation import Conversation, get
from grader.peers.http.wire import ResponseError

HELLO = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!"
BAD = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


class Scripted:
    """Accepts one connection; answers each request head with the next reply of the script.

    A reply is bytes, or (bytes, "close") to close after it, or (bytes, "reset") to close
    with the rest of the client's request unread (the kernel then resets the connection).
    When the script is over the connection stays open until the client closes it.
    """

    def __init__(self, *script):
        self.script = list(script)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.listener.settimeout(5)
        conn, _ = self.listener.accept()
        conn.settimeout(5)
        with conn:
            buffer = b""
            for step in self.script:
                reply, action = step if isinstance(step, tuple) else (step, "keep")
                if action == "reset":
                    conn.recv(8)  # a piece of the request; the rest stays unread
                else:
                    while b"\r\n\r\n" not in buffer:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buffer += data
                    _, _, buffer = buffer.partition(b"\r\n\r\n")
                conn.sendall(reply)
                if action in ("close", "reset"):
                    return
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass  # the client reset the connection: fine, it is done

    def close(self):
        self.thread.join(5)
        self.listener.close()
        assert not self.thread.is_alive()


@pytest.fixture
def scripted():
    servers = []

    def start(*script):
        servers.append(Scripted(*script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_a_response_is_read_and_a_follow_up_finds_nothing_more(scripted):
    server = scripted(HELLO, HELLO)
    with Conversation(server.address) as conversation:
        conversation.send(get())
        assert conversation.read_response().body == b"Hello, World!"
        follow_up = conversation.expect_nothing_more()
        assert (follow_up.status, conversation.followed_up) == (200, True)


def test_bytes_after_a_response_are_found_when_the_follow_up_is_read(scripted):
    server = scripted(HELLO + b"\r\n", HELLO)
    with Conversation(server.address) as conversation:
        conversation.send(get())
        conversation.read_response()
        with pytest.raises(ResponseError) as caught:
            conversation.expect_nothing_more()
        failure = conversation.response_failure(caught.value, "After the response to GET /")
    assert "2 more bytes came after the end of the response" in failure.summary
    assert failure.excerpt.splitlines()[-1].strip() == "^"  # the caret under the stray bytes
    assert "the grader sent GET / on the same connection" in failure.note


def test_the_caret_sits_under_its_byte_in_the_message_of_every_format(scripted, tmp_path):
    """A golden message: the excerpt is two lines of their own, the caret under the \r that follows
    the body, in the message as every report format carries it (JSON, text, Gradescope, JUnit,
    GitHub), not folded onto the summary's line with a literal \n."""
    import json

    from conftest import run_grader
    from grader.results import CheckResult, ExerciseResult, Report

    server = scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!\r\n")
    with Conversation(server.address) as conversation:
        conversation.send(get())
        conversation.read_response()
        with pytest.raises(ResponseError) as caught:
            conversation.expect_nothing_more()
        failure = conversation.response_failure(caught.value, "After the response to GET /")
    lines = failure.lines()
    assert lines[:3] == [
        "After the response to GET /: 2 more bytes came after the end of the response (its Content-Length: 13 "
        "ends the body here; Content-Length counts the bytes of the body, exactly).",
        'at byte 52: ..."Hello, World!\\r\\n"',
        "                             ^"]
    marked = lines[1][lines[2].index("^"):]
    assert marked.startswith("\\r\\n\"")  # the caret is under the first stray byte, \r

    report = Report([ExerciseResult("http_hello_server", "failed",
                                    [CheckResult("sends valid HTTP/1.1, byte for byte", "failed", 1.0,
                                                 failure.render())], "http_hello_server.py")])
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(report.to_json()), encoding="utf-8")
    for fmt in ("text", "json", "gradescope", "junit", "github"):
        written = run_grader("report", saved, "--format", fmt, env={"GITHUB_STEP_SUMMARY": ""}).stdout
        if fmt in ("json", "gradescope"):
            written = json.dumps(json.loads(written), ensure_ascii=False)
            assert lines[1].replace("\\", "\\\\").replace('"', '\\"') + "\\n" + lines[2] in written, fmt
        elif fmt == "github":
            assert "%0A".join(lines[:3]) in written, fmt  # the annotation: one line, %0A between
            assert "\n".join("      " + line for line in lines[1:3]) in written, fmt  # its text log
        else:
            text = written.replace("&quot;", '"')
            assert "\n".join("      " * (fmt == "text") + line for line in lines[1:3]) in text, fmt


def test_a_server_that_closes_after_a_response_sent_nothing_more(scripted):
    server = scripted((HELLO, "close"))
    with Conversation(server.address) as conversation:
        conversation.send(get())
        conversation.read_response()
        assert conversation.expect_nothing_more() is None
        assert conversation.closed


def test_a_response_is_kept_when_the_server_resets_the_connection(scripted):
    server = scripted((BAD, "reset"))
    with Conversation(server.address) as conversation:
        conversation.send(b"GET /\r\n\r\n" + b"x" * 100_000, closes=True)
        assert conversation.read_response().status == 400
        assert conversation.stays_open(2.0) is None
        assert conversation.closed


def test_a_connection_left_open_is_found_by_an_answered_second_request(scripted):
    server = scripted(BAD, HELLO)
    with Conversation(server.address) as conversation:
        conversation.send(b"GET /\r\n\r\n", closes=True)
        conversation.read_response()
        assert conversation.stays_open(2.0) == "a second GET / sent on it was answered"


def test_a_connection_closed_before_any_response_says_so(scripted):
    server = scripted((b"", "close"))
    with Conversation(server.address) as conversation:
        conversation.send(get())
        with pytest.raises(ResponseError) as caught:
            conversation.read_response()
    assert "the connection closed before any response to the GET request" in caught.value.problem


def test_a_missing_response_is_reported_after_the_deadline(scripted):
    server = scripted()
    with Conversation(server.address, timeout=0.2) as conversation:
        conversation.send(get())
        with pytest.raises(ResponseError) as caught:
            conversation.read_response()
    assert "no more bytes came before any response" in caught.value.problem


def test_reproduce_prefers_curl_and_falls_back_to_the_exact_bytes(scripted):
    server = scripted(HELLO, HELLO)
    with Conversation(server.address) as conversation:
        conversation.send(get())
        conversation.read_response()
        assert conversation.reproduce().endswith("curl -v http://127.0.0.1:9000/")
        assert 'c.sendall(b"GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n")' in conversation.reproduce(exact_bytes=True)
        conversation.send(b"GET\r\n\r\n", closes=True)
        assert "curl" not in conversation.reproduce()
