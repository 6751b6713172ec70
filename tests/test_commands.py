"""Every command the exercise READMEs and the grader's messages tell a learner to run is run here,
and talked to: the README's "Try it by hand" lines (with the reference solution as the learner's
file, on free ports instead of 9000 and 8000), the grader's own peers (`python -m
grader.peers.lines`, `python -m grader.peers.pagination`, `python -m grader.katas.url_validator`,
`python -m grader.peers.chat`),
and the "Try it" line of a failure of each exercise (the graded file started as the line says,
then the probe it prints run against it).

The README lines are kept here word for word, and a test says they are every command line of the
READMEs' code blocks, so a command added to a README without a test fails.
"""

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, grade_json, tree_with, IMPLEMENTATIONS
from grader.peers.net import free_port

SOLUTIONS = ROOT / "solutions"
PYTHON_DIR = str(Path(sys.executable).parent)
ENV = {**os.environ, "PATH": PYTHON_DIR + os.pathsep + os.environ.get("PATH", ""), "PYTHONIOENCODING": "utf-8"}


def readme(exercise):
    return (ROOT / "exercises" / exercise / "README.md").read_text(encoding="utf-8")


def code_commands(exercise):
    """The command lines of a README's code blocks (fenced or indented), without a "$ " prompt:
    those that start with python, curl, nc or mkdir (`grader ...` is tests/test_cli.py's)."""
    lines, fenced = [], False
    for line in readme(exercise).splitlines():
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced or line.startswith("    "):
            command = line.strip().removeprefix("$ ")
            if re.match(r"(python|curl|nc|mkdir) ", command):
                lines.append(command)
    return lines


def shell(command, *, cwd=ROOT, timeout=30, input=None):
    """Run ``command`` with bash, as a learner pastes it; the CompletedProcess (text)."""
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=ENV, capture_output=True, text=True,
                          timeout=timeout, input=input, encoding="utf-8", errors="replace")


@contextlib.contextmanager
def background(command, port, *, cwd=ROOT):
    """``command`` running (a server, as in a first terminal) until it listens on ``port``."""
    process = subprocess.Popen(["bash", "-c", command], cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{command!r} did not listen on {port}: {process.stdout.read()!r}")
            time.sleep(0.02)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()


def on(port, command, hand_port="9000"):
    """``command`` with the hand port replaced by ``port``."""
    return command.replace(hand_port, str(port))


def solution_file(exercise):
    return shlex.quote(str(SOLUTIONS / exercise / f"{exercise}.py"))


def test_every_readme_command_is_one_this_module_runs():
    assert {e: code_commands(e) for e in README_COMMANDS} == README_COMMANDS


README_COMMANDS = {
    "echo_server": [
        "python exercises/echo_server/echo_server.py 9000",
        "nc 127.0.0.1 9000",
        """python -c "import socket; s = socket.create_connection(('127.0.0.1', 9000)); s.sendall(b'hi\\r\\n\\x00'); """
        """print(s.recv(65536))\"""",
    ],
    "http_hello_server": [
        "python exercises/http_hello_server/http_hello_server.py 9000",
        "curl -v http://127.0.0.1:9000/                        # GET",
        "curl -v -I http://127.0.0.1:9000/                     # HEAD",
        "curl -v --data-binary hello http://127.0.0.1:9000/    # POST with a 5-byte body",
        "curl -v -X DELETE http://127.0.0.1:9000/",
        'curl -v http://127.0.0.1:9000/ http://127.0.0.1:9000/ # two requests: look for "Re-using existing connection"',
        "curl -v --http1.0 http://127.0.0.1:9000/              # HTTP/1.0: the server closes afterwards",
        """python -c "import socket; s = socket.create_connection(('127.0.0.1', 9000)); s.sendall(b'GET /\\r\\n\\r\\n'); """
        """print(s.recv(65536))\"""",
    ],
    "multi_message_client": [
        "python -m grader.peers.lines --port 9000",
        "python multi_message_client.py 9000 hello wörld",
        "python -m grader.peers.lines --port 9000 --cut bytes --pause 0.01    # a byte at a time",
        '''python -m grader.peers.lines --port 9000 --cut characters --pause 0.1 # cut inside "→"''',
        "python -m grader.peers.lines --port 9000 --stall-after 1   # goes silent: TimeoutError",
        "python -m grader.peers.lines --port 9000 --close-after 1   # hangs up: ConnectionError",
    ],
    "url_validator": [
        '''python url_validator.py "http://example.com/" "http://exa mple.com" "http://[::1]:8000/"''',
        '''python -m grader.katas.url_validator "http://example.com:0/" "http://example.com./"''',
    ],
    "paginator": [
        "mkdir pages && cd pages",
        """python -c "import json; json.dump({'items': [1, 2], 'next': 'page2.json'}, open('page1.json', 'w'))\"""",
        """python -c "import json; json.dump({'items': [3], 'next': None}, open('page2.json', 'w'))\"""",
        "python -m http.server 8000 --bind 127.0.0.1",
        "curl -i http://127.0.0.1:8000/page1.json",
        "python paginator.py http://127.0.0.1:8000/page1.json",
        "python -m grader.peers.pagination --port 9000 --sizes 2,2,1 --links relative --redirect",
        "python paginator.py http://127.0.0.1:9000/api/v1/items      # in another terminal",
    ],
    "chat_server": [
        "python exercises/chat_server/chat_server.py 9000",
        "nc 127.0.0.1 9000",
        "python -m grader.peers.chat --port 9000 --name bob2",
        'python -m grader.peers.chat --port 9000 --script "alice1 joins; bob2 joins; alice1 says hello; bob2 leaves"',
        'python -m grader.peers.chat --port 9000 --script "alice1 joins; bob2 joins; slow3 stops-reading; alice1 floods 6"',
    ],
}
CURL = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")


def _in_prose(exercise, command):
    """A command the README gives in its prose (between backticks), not in a code block."""
    assert f"`{command}`" in readme(exercise), command
    return command


# -- the server exercises: the reference solution run as the README says -------------------------

def test_echo_server_by_hand():
    start, nc, probe = README_COMMANDS["echo_server"]
    port = free_port()
    with background(on(port, start.replace("exercises/echo_server/echo_server.py", solution_file("echo_server"))), port):
        result = shell(on(port, probe))
        assert result.returncode == 0 and result.stdout == "b'hi\\r\\n\\x00'\n", result
        if shutil.which("nc"):  # type a line, then Ctrl-D (end of file)
            assert shell(on(port, nc), input="typed line\n", timeout=10).stdout == "typed line\n"


@CURL
def test_http_hello_server_by_hand():
    start, get, head, post, delete, twice, http10, malformed = README_COMMANDS["http_hello_server"]
    port = free_port()
    with background(on(port, start.replace("exercises/http_hello_server/http_hello_server.py",
                                           solution_file("http_hello_server"))), port):
        result = shell(on(port, get))
        assert result.stdout == "Hello, World!" and "< HTTP/1.1 200 OK" in result.stderr
        result = shell(on(port, head))
        assert "HTTP/1.1 200 OK" in result.stdout and "Content-Length: 13" in result.stdout
        for command in (post, delete):
            result = shell(on(port, command))
            assert "< HTTP/1.1 405 Method Not Allowed" in result.stderr and "< Allow: GET, HEAD" in result.stderr
        result = shell(on(port, twice))
        assert result.stdout == "Hello, World!" * 2 and "Re-using existing connection" in result.stderr
        result = shell(on(port, http10))
        assert "> GET / HTTP/1.0" in result.stderr and result.stdout == "Hello, World!"
        assert "Closing connection" in result.stderr
        result = shell(on(port, malformed))
        assert result.stdout.startswith("b'HTTP/1.1 400 Bad Request\\r\\n"), result


# -- multi_message_client: the line-reply server and the client, as the README runs them ---------

@pytest.mark.parametrize("server, says", [
    (0, "['1 → hello', '2 → wörld']"), (2, "['1 → hello', '2 → wörld']"), (3, "['1 → hello', '2 → wörld']"),
    (4, "TimeoutError"), (5, "ConnectionError")])
def test_multi_message_client_against_the_line_reply_server(server, says):
    commands = README_COMMANDS["multi_message_client"]
    port = free_port()
    with background(on(port, commands[server]), port) as process:
        result = shell(on(port, commands[1]), cwd=SOLUTIONS / "multi_message_client")
    if says.startswith("["):
        assert result.returncode == 0 and result.stdout == says + "\n", result
    else:
        assert result.returncode == 1 and says in result.stderr.splitlines()[-1], result


def test_the_line_reply_server_says_what_it_does():
    result = shell(_in_prose("multi_message_client", "python -m grader.peers.lines --help"))
    assert result.returncode == 0 and "--stall-after" in result.stdout and "--close-after" in result.stdout
    port = free_port()
    with background(f"python -m grader.peers.lines --port {port}", port) as process:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall("hi\n".encode())
            assert client.recv(100) == "1 → hi\n".encode()
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C stops it
        assert process.wait(10) == 0
        printed = process.stdout.read().decode()
    assert f"Line-reply server on 127.0.0.1:{port}; Ctrl-C stops it." in printed and "hi" in printed


# -- url_validator ----------------------------------------------------------------------------------

def test_url_validator_by_hand_and_the_graders_oracle():
    mine, oracle = README_COMMANDS["url_validator"]
    result = shell(mine, cwd=SOLUTIONS / "url_validator")
    assert result.stdout.splitlines() == [
        "True   'http://example.com/'", "False  'http://exa mple.com'", "True   'http://[::1]:8000/'"]
    assert "\n".join(result.stdout.splitlines()) in readme("url_validator")  # as the README shows it
    result = shell(oracle)
    assert result.returncode == 0 and result.stdout.splitlines() == [
        "'http://example.com:0/': breaks rule 4 (port 1 to 65535): the port '0' is not in 1 to 65535",
        "'http://example.com./': valid"]
    assert result.stdout.strip() in readme("url_validator")
    timed = _in_prose("url_validator", """python -c "import url_validator, time; t = time.time(); """
                                       """print(url_validator.is_valid_url('http://' + 'a' * 50000 + '!'), time.time() - t)\"""")
    verdict, seconds = shell(timed, cwd=SOLUTIONS / "url_validator").stdout.split()
    assert verdict == "False" and float(seconds) < 1


# -- paginator ----------------------------------------------------------------------------------------

@CURL
def test_paginator_against_two_files_and_pythons_web_server(tmp_path):
    mkdir, page1, page2, web, curl, fetch, _, _ = README_COMMANDS["paginator"]
    assert shell(mkdir + " && " + page1 + " && " + page2, cwd=tmp_path).returncode == 0
    port = free_port()
    with background(on(port, web, "8000"), port, cwd=tmp_path / "pages"):
        result = shell(on(port, curl, "8000"))
        assert "200 OK" in result.stdout and '{"items": [1, 2], "next": "page2.json"}' in result.stdout
        result = shell(on(port, fetch, "8000"), cwd=SOLUTIONS / "paginator")
        assert result.stdout == "[1, 2, 3]\n", result
        # "Now change page2.json's next to "page1.json": your function should raise RuntimeError."
        (tmp_path / "pages" / "page2.json").write_text(json.dumps({"items": [3], "next": "page1.json"}))
        result = shell(on(port, fetch, "8000"), cwd=SOLUTIONS / "paginator")
        assert result.returncode == 1 and result.stderr.splitlines()[-1].startswith("RuntimeError"), result


def test_paginator_against_the_graders_api():
    *_, api, fetch = README_COMMANDS["paginator"]
    port = free_port()
    with background(on(port, api), port):
        result = shell(on(port, fetch), cwd=SOLUTIONS / "paginator")
    items = json.loads(result.stdout)
    assert isinstance(items, list) and len(items) == 5, result


# -- chat_server: the reference solution, with nc and the grader's chat client -------------------------

def test_chat_server_by_hand():
    start, nc, client, script, floods = README_COMMANDS["chat_server"]
    port = free_port()
    with background(on(port, start.replace("exercises/chat_server/chat_server.py", solution_file("chat_server"))), port):
        result = shell(on(port, script))
        assert result.returncode == 0 and result.stdout.endswith("Everything was as the rules say.\n"), result
        assert "bob2    received b'[alice1] hello\\n'" in result.stdout, result.stdout
        result = shell(on(port, floods), timeout=60)
        assert result.returncode == 0 and result.stdout.endswith("Everything was as the rules say.\n"), result
        # Type a line, then Ctrl-D: the client leaves, and prints what came until the server closed.
        result = shell(on(port, client), input="hello\n", timeout=10)
        assert result.stdout.splitlines()[:3] == [
            "> bob2", "< Welcome to budgetchat! What shall I call you?\\n", "< * The room contains: \\n"], result
        assert result.stdout.endswith("(the server closed the connection)\n")
        if shutil.which("nc"):
            result = shell(on(port, nc), input="carol3\n", timeout=10)
            assert "* The room contains: " in result.stdout, result


def test_the_try_it_line_of_a_chat_failure_plays_the_room(tmp_path):
    """The line starts the graded file as a server, and its script, played against it, shows the bug."""
    check = next(name for name in _checks("chat_server") if name.startswith("never sends users their own"))
    (line,) = try_it(failure_message(tmp_path, "chat_server", "broken_echoes_sender", check))
    server, _, probe = line.partition("   # then, in another terminal: ")
    assert server == "python tree/chat_server/chat_server.py 9000", line
    port = free_port()
    with background(on(port, server), port, cwd=tmp_path):
        result = shell(on(port, probe), cwd=tmp_path, timeout=20)
    assert result.returncode == 1 and "got its own earlier line back" in result.stdout, (line, result)


# -- the "Try it" line of a failure of each exercise ---------------------------------------------------

def try_it(message):
    """The command of a message's "Try it:" line, with its continuation lines (two terminals)."""
    lines = message.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Try it:   "))
    command = [lines[start][len("Try it:   "):]]
    command += [line.strip() for line in lines[start + 1:] if line.startswith(" " * 10)]
    return command


def failure_message(tmp_path, exercise, program, check):
    """Grade one broken program with one check, in ``tmp_path`` as the current folder; the message.
    The program gets the stub's ``if __name__ == "__main__":`` block, as a learner's file has it."""
    tree = tree_with(tmp_path, exercise, IMPLEMENTATIONS / exercise / f"{program}.py")
    graded = tree / exercise / f"{exercise}.py"
    stub = (ROOT / "exercises" / exercise / f"{exercise}.py").read_text(encoding="utf-8")
    source = graded.read_text(encoding="utf-8")
    if "__main__" not in source:
        main = stub[stub.index('if __name__ == "__main__":'):]
        graded.write_text(source.rstrip() + "\n\n\nimport sys  # noqa: E402\n\n" + main, encoding="utf-8")
    _, report = grade_json(exercise, "--path", tree, "--check", check, cwd=tmp_path)
    (graded,) = report["exercises"]
    return next(c["message"] for c in graded["checks"] if c["name"] == check)


SERVER_FAILURES = [
    ("echo_server", "broken_decodes_text", "echoes binary data unchanged", "\\xef\\xbf\\xbd"),  # U+FFFD
    ("echo_server", "broken_never_closes", "sends everything back, then closes", "b'bye\\n'"),
    ("http_hello_server", "broken_bytes_after_response", "sends valid HTTP/1.1, byte for byte", "Hello, World!\\r\\n"),
    ("http_hello_server", "broken_405_without_allow", "refuses POST", "405"),
    ("http_hello_server", "broken_single_recv", "reads big requests", "Hello, World!HTTP/1.1 400 Bad Request"),
    ("http_hello_server", "broken_one_at_a_time", "serves 20 clients at once", ""),
]


@pytest.mark.parametrize("exercise, program, check, shows", SERVER_FAILURES,
                         ids=[f"{e}-{p}" for e, p, _, _ in SERVER_FAILURES])
def test_the_try_it_line_of_a_server_failure_runs_and_shows_the_bug(tmp_path, exercise, program, check, shows):
    """The line names the graded file as the learner knows it (relative to where the grader ran),
    starts it as a server by hand, and its probe talks to it."""
    check = next(name for name in _checks(exercise) if name.startswith(check))
    (line,) = try_it(failure_message(tmp_path, exercise, program, check))
    server, _, probe = line.partition("   # then, in another terminal: ")
    assert server == f"python tree/{exercise}/{exercise}.py 9000", line
    port = free_port()
    with background(on(port, server), port, cwd=tmp_path):
        if "# an idle client; then, in a third terminal: " in probe:  # two probes, two terminals
            idle, _, probe = probe.partition("   # an idle client; then, in a third terminal: ")
            with background(on(port, idle), port, cwd=tmp_path):
                time.sleep(0.2)
                with pytest.raises(subprocess.TimeoutExpired):  # the idle client holds it up
                    shell(on(port, probe), cwd=tmp_path, timeout=3)
            return
        result = shell(on(port, probe), cwd=tmp_path, timeout=20)
    assert result.returncode == 0 and shows in result.stdout + result.stderr, (line, result)


FUNCTION_FAILURES = [
    ("multi_message_client", "broken_keeps_newline", "returns the reply to each message", "\\n"),
    ("paginator", "broken_drops_last_page", "fetches every item of a three-page collection", "[1, 2, 3, 4, 5, 6]\n"),
    ("url_validator", "broken_accepts_ftp", "rejects", "True"),
]


@pytest.mark.parametrize("exercise, program, check, shows", FUNCTION_FAILURES,
                         ids=[f"{e}-{p}" for e, p, _, _ in FUNCTION_FAILURES])
def test_the_try_it_line_of_a_function_failure_runs_and_shows_the_bug(tmp_path, exercise, program, check, shows):
    """The grader's peer served as the line says, and the graded file (as the learner knows it)
    called against it; or, where no peer is needed, the call alone."""
    check = next(name for name in _checks(exercise) if name.startswith(check))
    lines = try_it(failure_message(tmp_path, exercise, program, check))
    if len(lines) == 1:  # url_validator: cd FOLDER && python -c '...'
        (command,) = lines
        assert command.startswith(f"cd tree/{exercise} && python -c "), command
        result = shell(command, cwd=tmp_path)
    else:
        peer, client = lines
        client = client.removeprefix("then, in another terminal: ")
        assert f"tree/{exercise}" in client, client
        port = free_port()
        with background(on(port, peer), port, cwd=tmp_path):
            result = shell(on(port, client), cwd=tmp_path, timeout=20)
    assert result.returncode == 0 and shows in result.stdout, (lines, result)


def _checks(exercise):
    from grader.engine.catalog import checks_of

    return [c.name for c in checks_of(exercise)]
