"""The engine's small parts, without sockets or processes."""

import io
from pathlib import Path

from grader.failures import Failure, Mismatch, Prose, show
from grader.learner.source import inspect_file
from grader.reports import text


def test_short_bytes_are_shown_whole_as_repr():
    assert show(b"a\r\n\x00") == "b'a\\r\\n\\x00'"


def test_long_bytes_are_cut_with_a_visible_note():
    shown = show(b"x" * 10_000)
    assert "10,000 bytes in all" in shown and len(shown) < 300


def test_mismatch_says_where_long_values_differ():
    expected = b"a" * 500 + b"b" + b"a" * 500
    received = b"a" * 500 + b"c" + b"a" * 500
    assert "First difference at byte 500" in Mismatch("x", expected=expected, received=received).render()


def test_mismatch_names_a_short_reply():
    message = Mismatch("x", expected=b"hello\n", received=b"hello").render()
    assert "matches the first 5 of the 6 bytes expected, then ends" in message


def test_failure_reads_in_order():
    lines = Failure("Summary.", sent=b"a", received=b"b", expected=Prose("the end"), hint="Do it.",
                    reproduce="nc localhost 9000").lines()
    assert lines == ["Summary.", "Sent:     b'a'", "Received: b'b'", "Expected: the end", "Hint:     Do it.",
                     "Try it:   nc localhost 9000"]


def _file(tmp_path, source):
    path = tmp_path / "echo_server.py"
    path.write_text(source)
    return path


def test_untouched_stub_is_recognised(tmp_path):
    path = _file(tmp_path, 'def serve(host, port):\n    """Doc."""\n    # TODO\n    raise NotImplementedError("x")\n')
    assert inspect_file(path, "serve").kind == "untouched"


def test_started_stub_is_ready(tmp_path):
    path = _file(tmp_path, "def serve(host, port):\n    x = 1\n    raise NotImplementedError\n")
    assert inspect_file(path, "serve").kind == "ready"


def test_every_shipped_stub_is_untouched():
    from grader.track import EXERCISES

    root = Path(__file__).resolve().parents[2]
    for exercise in EXERCISES:
        assert inspect_file(exercise.file_in(root / "exercises"), exercise.function).kind == "untouched"


def test_syntax_error_points_at_the_line(tmp_path):
    state = inspect_file(_file(tmp_path, "def serve(:\n    pass\n"), "serve")
    assert state.kind == "syntax_error" and "line 1" in state.detail and "^" in state.detail


def test_missing_file(tmp_path):
    assert inspect_file(tmp_path / "nope.py", "serve").kind == "missing"


class _Terminal(io.StringIO):
    encoding = "utf-8"

    def isatty(self):
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert text.use_colour(_Terminal())
    assert not text.use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not text.use_colour(_Terminal())


def test_listening_now_sees_a_listening_socket_with_and_without_netlink(monkeypatch):
    import socket

    from grader.learner import procfs

    if not procfs.available():
        return
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert procfs.listening_now(port) is True

        def no_netlink():
            raise OSError("netlink refused")

        monkeypatch.setattr(procfs, "_listening_sockets_netlink", no_netlink)
        assert procfs.listening_now(port) is True
    assert procfs.listening_now(port) is False


def test_try_it_commands_name_the_graded_file_as_the_learner_knows_it(tmp_path, monkeypatch):
    from grader.peers import reproduce

    monkeypatch.setattr(reproduce, "_graded", {})
    assert reproduce.learner_file("echo_server") == "exercises/echo_server/echo_server.py"  # none noted
    graded = tmp_path / "my tree" / "echo_server" / "echo_server.py"
    graded.parent.mkdir(parents=True)
    reproduce.grading("echo_server", graded)
    monkeypatch.chdir(tmp_path)  # below the current folder: relative, and quoted for the shell
    assert reproduce.learner_file("echo_server") == "'my tree/echo_server/echo_server.py'"
    assert reproduce.learner_folder("echo_server") == "'my tree/echo_server'"
    assert reproduce.server_by_hand("echo_server").startswith("python 'my tree/echo_server/echo_server.py' 9000")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # not below it: the whole path
    assert reproduce.learner_file("echo_server") == f"'{graded}'"


def test_a_check_may_read_a_second_background_call_named_check_slash_what(monkeypatch):
    """WAITING's keys are the checks that take the calls; ``<check>/<what>`` is a second call of
    the same check, planned when that check is selected (grader --check), like its first."""
    from types import SimpleNamespace

    from grader.engine import background

    monkeypatch.setattr(background, "recording_transcripts", lambda request: False)
    module = object()
    items = [SimpleNamespace(originalname=name, name=name, module=module) for name in ("check_a", "check_c")]
    request = SimpleNamespace(session=SimpleNamespace(items=items), module=module)
    call = background.BackgroundCall(print, limit=1)
    planned = {"check_a": call, "check_a/again": call, "check_b": call, "check_b/again": call, "check_c": call}
    calls = background.BackgroundCalls(exercise=None, planned=planned, request=request)
    assert list(calls.planned) == ["check_a", "check_a/again", "check_c"]
