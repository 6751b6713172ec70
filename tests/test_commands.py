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
    "udp_pinger": [
        "python -m grader.peers.udp --port 9000 --loss 0.3",
        "python udp_pinger.py 9000 10 1.0",
        "python -m grader.peers.udp --port 9000 --late 0.3 --duplicate 0.3   # late and doubled replies",
        "python -m grader.peers.udp --port 9000 --stray 0.5 --wrong 0.5      # decoys before the reply",
        "python -m grader.peers.udp --port 9000 --garbage 1 --delay 0.2      # garbage, slow replies",
        "python -m grader.peers.udp --port 9000 --script 'answer@0.05,drop,late,twice,stray+answer'",
    ],
    "http_client": [
        "python -m grader.peers.raw_http --port 9000 --response chunked",
        "python http_client.py http://127.0.0.1:9000/",
        "curl -v http://127.0.0.1:9000/",
        "python -m grader.peers.raw_http --port 9000 --response chunked --cut bytes --pause 0.01 --then open",
        "python -m grader.peers.raw_http --port 9000 --response interim       # 100 Continue, 103 Early Hints, then 200",
        "python -m grader.peers.raw_http --port 9000 --response fields        # names in any case, a field sent twice",
        "python -m grader.peers.raw_http --port 9000 --response length --truncate 70   # closes early: ConnectionError",
    ],
    "tls_client": [
        "python -m grader.peers.tls --port 9000 --cafile ca.pem",
        "python tls_client.py localhost 9000 ca.pem",
        "python tls_client.py 127.0.0.1 9000 ca.pem",
        "python -m grader.peers.tls --port 9000 --cafile ca.pem --certificate wrong-name   # SSLCertVerificationError",
        "python -m grader.peers.tls --port 9000 --cafile ca.pem --certificate expired      # SSLCertVerificationError",
        "python -m grader.peers.tls --port 9000 --cafile ca.pem --certificate untrusted    # SSLCertVerificationError",
        "python -m grader.peers.tls --port 9000 --cafile ca.pem --versions 1.0-1.1         # ssl.SSLError",
        "python -m grader.peers.tls --port 9000 --cafile ca.pem --not-tls                  # ssl.SSLError",
        "python -m grader.peers.tls --port 9000 --cafile ca.pem --no-close-notify          # the same answer",
        "python -m grader.peers.tls --port 9000 --cafile ca.pem --stall handshake          # TimeoutError after 5 s",
    ],
    "async_fetcher": [
        "python -m grader.peers.fetch --port 9000 --limit 3",
        "python async_fetcher.py --limit 3 http://127.0.0.1:9000/paced/{0..8}",
        "python async_fetcher.py --timeout 1 http://127.0.0.1:9000/ok/a http://127.0.0.1:9000/status/404/b "
        "http://127.0.0.1:9000/stall/c http://127.0.0.1:9000/reset/d http://127.0.0.1:1/refused",
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


# -- udp_pinger: the lossy UDP server and the pinger, as the README runs them ----------------------

@contextlib.contextmanager
def udp_server(command, *, cwd=ROOT):
    """``command`` (``python -m grader.peers.udp ...``) running until it says it is serving: a UDP
    server accepts no connection to wait for."""
    process = subprocess.Popen(["bash", "-c", command], cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True, text=True)
    try:
        line = process.stdout.readline()  # its first line, printed once the socket is bound
        assert line.startswith("UDP ping server on 127.0.0.1:"), (command, line, process.poll())
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("server", [0, 2, 3, 4, 5])
def test_udp_pinger_against_the_lossy_server(server):
    commands = README_COMMANDS["udp_pinger"]
    port = free_udp_port()
    with udp_server(on(port, commands[server])):
        result = shell(on(port, commands[1].replace(" 10 1.0", " 10 0.5")), cwd=SOLUTIONS / "udp_pinger")
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and [line.split(":")[0] for line in lines] == [f"ping {n}" for n in range(1, 11)]
    if server == 5:  # the script: answered, lost, late (so lost), twice, after a stray
        assert [line.endswith("lost") for line in lines[:5]] == [False, True, True, False, False], lines


def test_udp_pinger_with_no_server_and_the_peers_help():
    port = free_udp_port()
    result = shell(on(port, README_COMMANDS["udp_pinger"][1].replace(" 10 1.0", " 3 0.2")),
                   cwd=SOLUTIONS / "udp_pinger")
    assert result.returncode == 0 and result.stdout.splitlines() == [f"ping {n}: lost" for n in (1, 2, 3)], result
    result = shell(_in_prose("udp_pinger", "python -m grader.peers.udp --help"))
    assert result.returncode == 0 and "--script" in result.stdout


def test_the_try_it_line_of_a_udp_pinger_failure_runs_and_shows_the_bug(tmp_path):
    """A pinger that counts a late reply for its own ping: by hand it shows ping 1 answered, where
    the server answered it only once ping 2 had been sent."""
    check = next(name for name in _checks("udp_pinger") if name.startswith("does not count a reply"))
    peer, client = try_it(failure_message(tmp_path, "udp_pinger", "broken_late_fills_earlier", check))
    client = client.removeprefix("then, in another terminal: ")
    assert client == "python tree/udp_pinger/udp_pinger.py 9000 3 0.3", client
    port = free_udp_port()
    with udp_server(on(port, peer), cwd=tmp_path):
        result = shell(on(port, client), cwd=tmp_path, timeout=20)
    assert result.returncode == 0 and result.stdout.startswith("ping 1: ") and "ping 1: lost" not in result.stdout


# -- http_client: the scripted HTTP server, the client and curl, as the README runs them ---------------

CHUNKED_PRINTED = "200\ncontent-type: text/plain\ntransfer-encoding: chunked\nb'Hello, chunked World!'\n"


@pytest.mark.parametrize("server, says", [
    (0, CHUNKED_PRINTED), (3, CHUNKED_PRINTED),
    (4, "200\ncontent-type: text/plain\ncontent-length: 5\nb'final'\n"),
    (5, "200\ncontent-type: application/json\nx-twice: one, two\nx-spaces: padded\ncontent-length: 2\nb'{}'\n"),
    (6, "ConnectionError")])
def test_http_client_against_the_scripted_server(server, says):
    commands = README_COMMANDS["http_client"]
    port = free_port()
    with background(on(port, commands[server]), port):
        result = shell(on(port, commands[1]), cwd=SOLUTIONS / "http_client")
        if server in (0, 3) and shutil.which("curl"):  # curl, side by side, reads the same body
            fetched = shell(on(port, commands[2]), timeout=10)
            assert fetched.stdout == "Hello, chunked World!" and "< Transfer-Encoding: chunked" in fetched.stderr
    if says.startswith("200"):
        assert result.returncode == 0 and result.stdout == says, result
    else:
        assert result.returncode == 1 and says in result.stderr.splitlines()[-1], result


def test_the_scripted_server_says_what_it_does():
    result = shell(_in_prose("http_client", "python -m grader.peers.raw_http --help"))
    assert result.returncode == 0 and "--then" in result.stdout and "--truncate" in result.stdout
    served = _in_prose("http_client", "--bytes 'HTTP/1.1 200 OK\\r\\n...'")
    assert served.startswith("--bytes")
    port = free_port()
    command = f"python -m grader.peers.raw_http --port {port} --bytes 'HTTP/1.1 204 \\r\\nX-A: b\\r\\n\\r\\n'"
    with background(command, port) as process:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert client.recv(100) == b"HTTP/1.1 204 \r\nX-A: b\r\n\r\n"
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C stops it
        assert process.wait(10) == 0
        printed = process.stdout.read().decode()
    assert f"Scripted HTTP server on http://127.0.0.1:{port}/" in printed and "GET / HTTP/1.1" in printed
# -- tls_client: the grader's TLS server and the client, in one folder (both use ca.pem there) ------

ANSWER = "b'HTTP/1.1 200 OK\\r\\nConnection: close\\r\\n\\r\\nhello over TLS\\n'"


@pytest.mark.parametrize("server, says", [
    (3, "SSLCertVerificationError"), (4, "SSLCertVerificationError"), (5, "SSLCertVerificationError"),
    (6, "SSLError"), (7, "SSLError"), (8, ANSWER), (9, "TimeoutError")])
def test_tls_client_against_the_tls_server(tmp_path, server, says):
    commands = README_COMMANDS["tls_client"]
    shutil.copy(SOLUTIONS / "tls_client" / "tls_client.py", tmp_path)
    port = free_port()
    with background(on(port, commands[server]), port, cwd=tmp_path):
        result = shell(on(port, commands[1]), cwd=tmp_path)
    if says == ANSWER:
        assert result.returncode == 0 and result.stdout == says + "\n", result
    else:
        assert result.returncode == 1 and result.stderr.splitlines()[-1].startswith(
            ("ssl." + says, says)), result


def test_tls_client_by_hand_and_openssl(tmp_path):
    start, by_name, by_address, *_ = README_COMMANDS["tls_client"]
    shutil.copy(SOLUTIONS / "tls_client" / "tls_client.py", tmp_path)
    port = free_port()
    with background(on(port, start), port, cwd=tmp_path) as process:
        for command in (by_name, by_address):
            result = shell(on(port, command), cwd=tmp_path)
            assert result.returncode == 0 and result.stdout == ANSWER + "\n", result
            assert result.stdout.strip() in readme("tls_client")
        if shutil.which("openssl"):
            openssl = "openssl s_client -connect 127.0.0.1:9000 -servername localhost -CAfile ca.pem " \
                      "-verify_return_error -brief"
            assert f"$ {openssl}" in readme("tls_client")
            result = shell(on(port, openssl), cwd=tmp_path, input="GET / HTTP/1.1\r\n\r\n")
            assert "Verification: OK" in result.stdout + result.stderr, result
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C stops it
        assert process.wait(10) == 0
        printed = process.stdout.read().decode()
    assert printed.startswith("\n".join(readme("tls_client").split("```console\n$ " + start + "\n")[1]
                                        .split("\n")[:5]).replace("9000", str(port))), printed
    assert re.search(r"connection \d+: handshake done: TLSv1.3, SNI 'localhost'", printed), printed


def test_the_tls_server_says_what_it_does():
    result = shell(_in_prose("tls_client", "python -m grader.peers.tls --help"))
    assert result.returncode == 0 and "--certificate" in result.stdout and "--stall" in result.stdout


# -- async_fetcher ----------------------------------------------------------------------------------

def test_async_fetcher_against_the_counting_server():
    server, paced, failures = README_COMMANDS["async_fetcher"]
    port = free_port()
    with background(on(port, server), port) as process:
        result = shell(on(port, paced), cwd=SOLUTIONS / "async_fetcher")
        bodies = [line for line in result.stdout.splitlines() if line.startswith("    -> ")]
        assert bodies == [f"    -> b'netkata async_fetcher: the body of /paced/{n}\\n'" for n in range(9)], result
        result = shell(on(port, failures), cwd=SOLUTIONS / "async_fetcher")
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C stops it
        assert process.wait(10) == 0
        printed = process.stdout.read().decode()
    kinds = [line.split("(")[0] for line in result.stdout.splitlines() if line.startswith("    -> ")]
    assert kinds == ["    -> b'netkata async_fetcher: the body of /ok/a\\n'", "    -> ClientResponseError",
                     "    -> TimeoutError", "    -> ClientOSError", "    -> ClientConnectorError"], result
    assert "(3 in flight)" in printed and "in flight" in printed.splitlines()[-1], printed


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
    stub = (ROOT / "grader" / "katas" / exercise / "stub.py").read_text(encoding="utf-8")
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
    ("http_client", "broken_returns_interim", "skips interim 1xx responses", "100\n"),
    ("tls_client", "broken_no_hostname_check", "refuses a certificate for another name", "b'HTTP/1.1 200 OK"),
    ("async_fetcher", "broken_completion_order", "returns every body", "the body of /paced/"),
    ("async_fetcher", "broken_timeout_between_reads", "times out each request", "the body of /drip/b"),
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
