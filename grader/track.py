"""The track: every exercise, in learning order, with its contract function.

This is the one manifest the grader, the reports and the learner's tools read (as rustlings'
info.toml is): the order here is the order a learner works in and the order of every report.
"""

from dataclasses import dataclass
from pathlib import Path

KATAS_DIR = Path(__file__).resolve().parent / "katas"


@dataclass(frozen=True)
class Exercise:
    name: str
    function: str
    summary: str

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
    Exercise("echo_server", "serve", "A TCP server that sends back every byte it receives."),
    Exercise("http_hello_server", "serve", "An HTTP/1.1 server that answers GET with Hello, World!"),
    Exercise("multi_message_client", "send_messages", "A client that sends lines and reads one reply each."),
    Exercise("url_validator", "is_valid_url", "Decide whether a string is a valid http(s) URL."),
    Exercise("paginator", "fetch_all", "Fetch every page of a paginated JSON API, politely."),
)

BY_NAME = {exercise.name: exercise for exercise in EXERCISES}
