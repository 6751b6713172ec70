"""The track: every exercise, in learning order, with what it is.

This is the one manifest the grader, the reports and the learner's tools read (as rustlings'
info.toml is): the order here is the order a learner works in and the order of every report.
An entry says what the exercise is (its contract function, and whether the learner writes a
server the grader connects to or a function it calls), what it is worth, what it teaches, and
how a learner meets the grader's peer by hand. Everything else an exercise has lives in its
folders, which tests/test_track.py finds from here: exercises/<name>/ (stub and README),
solutions/<name>/, grader/katas/<name>/ (checks and the pristine stub), tests/implementations/<name>/.
"""

from dataclasses import dataclass
from pathlib import Path

KATAS_DIR = Path(__file__).resolve().parent / "katas"


SERVER, FUNCTION = "server", "function"  # the learner's code serves the grader, or the grader calls it


@dataclass(frozen=True)
class Exercise:
    name: str
    function: str
    summary: str  # one line, in `grader list`
    signature: str = ""  # what the learner writes, as the README's track table shows it
    teaches: str = ""  # what it teaches, for the same table
    peer: str | None = None  # the grader-side peer a learner can run by hand (`python -m PEER --help`)
    points: float = 12.0  # every exercise is worth the same
    seconds: float = 0.5  # about how long its checks take on a correct program, most of it waits the
    #                       contract imposes (scripts/benchmark.py measures it): when exercises share
    #                       the workers, the longest start first, so the others fit into their waits

    @property
    def kind(self):
        return SERVER if self.function == "serve" else FUNCTION

    @property
    def filename(self):
        return f"{self.name}.py"

    @property
    def home(self):
        """The grader's folder for this exercise: its checks, its pristine stub, what only it uses."""
        return KATAS_DIR / self.name

    @property
    def stub_path(self):
        """The pristine stub that ``grader reset`` restores (a copy of exercises/<name>/<name>.py)."""
        return self.home / "stub.py"

    def file_in(self, tree):
        """Where this exercise's file lives in an implementation tree (docs/command-line.md, "Implementation trees")."""
        return tree / self.name / self.filename


EXERCISES = (
    Exercise("echo_server", "serve", "A TCP server that sends back every byte it receives.",
             "serve(host, port)", "sockets, accept loops, recv loops, sendall, half-close, many clients", seconds=0.9),
    Exercise("http_hello_server", "serve", "An HTTP/1.1 server that answers GET with Hello, World!",
             "serve(host, port)", "HTTP/1.1 on the wire: request line, headers, CRLF, Content-Length, keep-alive",
             seconds=0.3),
    Exercise("multi_message_client", "send_messages", "A client that sends lines and reads one reply each.",
             "send_messages(host, port, messages, timeout)", "framing a byte stream, UTF-8 across reads, timeouts",
             peer="grader.peers.lines", seconds=1.1),
    Exercise("url_validator", "is_valid_url", "Decide whether a string is a valid http(s) URL.",
             "is_valid_url(url)", "the parts of a URL, precise rules, linear-time parsing",
             peer="grader.katas.url_validator", seconds=0.25),
    Exercise("paginator", "fetch_all", "Fetch every page of a paginated JSON API, politely.",
             "fetch_all(url, timeout=...)", "paginated JSON APIs with requests: next links, retries, Retry-After",
             peer="grader.peers.pagination", seconds=2.2),
    Exercise("udp_pinger", "ping", "A UDP pinger that survives lost, late and stray datagrams.",
             "ping(host, port, count, timeout)", "UDP: datagrams, timeouts and deadlines, matching replies, ICMP errors",
             peer="grader.peers.udp", seconds=1.0),
    Exercise("chat_server", "serve", "A chat room: names, a presence line, [name] text to everyone else.",
             "serve(host, port)", "many clients at once, line framing, broadcast, a slow reader that must not stall",
             peer="grader.peers.chat", seconds=0.45),
    Exercise("http_client", "http_get", "An HTTP/1.1 GET on raw sockets: status, headers, every body framing.",
             "http_get(url, timeout)", "HTTP/1.1 from the client side: request lines, Content-Length, chunked, "
             "keep-alive, interim responses", peer="grader.peers.raw_http", seconds=1.3),
    Exercise("tls_client", "tls_request", "A TLS client that verifies the server before it sends a byte.",
             "tls_request(host, port, request, cafile, timeout)",
             "TLS with the ssl module: CA files, host names, SNI, versions, close_notify",
             peer="grader.peers.tls", seconds=0.9),
    Exercise("async_fetcher", "fetch_all", "Fetch many URLs at once with aiohttp, a bounded number at a time.",
             "async def fetch_all(urls, limit=5, timeout=5.0)",
             "asyncio and aiohttp: a limit kept full, per-request timeouts, failures as values, clean shutdown",
             peer="grader.peers.fetch", seconds=1.6),
)

BY_NAME = {exercise.name: exercise for exercise in EXERCISES}
