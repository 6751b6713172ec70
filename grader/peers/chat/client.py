"""Grader-side chat users: one TCP connection each, lines in and out, and one shared timeline.

A check drives several users at once against the learner's server. Each ``ChatUser`` reads
whole lines (``protocol.LineBuffer``) with a deadline on every wait, and every line it sends or
receives goes into the check's ``Timeline``, so that a failure can show what each user sent and
received, side by side, in time order ("alice1 sent ...", "bob1 received ...").
"""

import time

from grader.failures import Failure, Prose, show
from grader.peers.chat.protocol import LineBuffer
from grader.peers.net import Client

PROMPT_TIMEOUT = 1.0  # seconds from connecting to the name prompt (the contract's bound)
LINE_TIMEOUT = 1.0  # seconds for any line the room owes a user (it takes a millisecond on loopback)
SHOWN_EVENTS = 16  # events of a timeline a failure shows (the last ones, where it went wrong)
SHOWN_BYTES = 48  # of each event's data


class Timeline:
    """What every user of one check did, in the order it happened."""

    def __init__(self):
        self.events = []  # (who, what, bytes or None), in the order they happened

    def add(self, who, what, data=None):
        self.events.append((who, what, data))

    def render(self, limit=SHOWN_EVENTS):
        shown = self.events[-limit:]
        width = max((len(who) for who, _, _ in shown), default=0)
        rows = [f"({len(self.events) - len(shown)} earlier events not shown)"] if len(self.events) > limit else []
        for who, what, data in shown:  # no times: they differ from run to run, and the order says enough
            rows.append(f"  {who:<{width}}  {what}" + ("" if data is None else f" {show(data, SHOWN_BYTES)}"))
        return "\n".join(rows)

    def failure(self, summary, **fields):
        """A Failure whose note is this timeline, after any note of its own."""
        note = fields.pop("note", None)
        story = "What each user sent and received, in time order:\n" + self.render()
        return Failure(summary, note=f"{note}\n{story}" if note else story, **fields)


class ChatUser:
    """One grader-side user (called ``name`` even before it joins, or if it never may)."""

    def __init__(self, address, name, timeline, *, receive_buffer=None):
        self.name = name
        self.timeline = timeline
        self.lines = LineBuffer()
        self.pending = []  # lines received and not yet taken
        self.client = Client(address, timeout=2.0, what="your chat server", receive_buffer=receive_buffer)
        timeline.add(name, "connected")
        self.eof = False
        self._close_seen = False
        self.reset_by_server = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def sock(self):
        return self.client.sock

    def close(self):
        self.client.close()

    def leave(self):
        """Close the connection in the ordinary way (the server reads end of file)."""
        self.timeline.add(self.name, "closed its connection")
        self.client.close()

    def reset(self):
        """Vanish with a TCP reset (the server's recv() raises ConnectionResetError)."""
        self.timeline.add(self.name, "reset its connection")
        self.client.reset()

    def send(self, data):
        self.timeline.add(self.name, "sent    ", data)
        self.client.send(data, tolerate_close=True)

    def say(self, text):
        self.send(text.encode("ascii") + b"\n")

    def received(self, data):
        """Take bytes that came in (from here or from a loop over many users). The timeline records
        a line when it is taken, not when it came: how TCP cut the stream differs from run to run."""
        if not data:
            self.eof = True
        else:
            self.pending.extend(self.lines.feed(data))

    def take(self):
        """The next line already received (recorded in the timeline)."""
        line = self.pending.pop(0)
        self.timeline.add(self.name, "received", line.encode("ascii", "backslashreplace") + b"\n")
        return line

    def saw_close(self):
        if not self._close_seen:
            self._close_seen = True
            self.timeline.add(self.name, "saw the connection closed by the server")

    def next_line(self, timeout=LINE_TIMEOUT):
        """The next line (str, no ``\\n``), or None when none came in time or the connection ended."""
        deadline = time.monotonic() + timeout
        while not self.pending and not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                data = self.client.recv_some(left)
            except Failure:  # a reset from the server ends the connection as end of file does
                self.reset_by_server = True
                data = b""
            if data is None:
                return None
            self.received(data)
        if self.pending:
            return self.take()
        if self.eof:
            self.saw_close()
        return None

    def wait_prompt(self):
        """Read the server's name prompt: one line, any wording, within PROMPT_TIMEOUT of connecting."""
        line = self.next_line(PROMPT_TIMEOUT)
        if line is None:
            what = ("the server closed the connection" if self.eof else
                    f"nothing{' more' if self.lines.partial else ''} came within {PROMPT_TIMEOUT:g} s")
            partial = f" (only {show(self.lines.partial)}, with no \\n)" if self.lines.partial else ""
            raise self.timeline.failure(
                f"{self.name} connected and waited for the name prompt, one line ending in \\n: {what}{partial}.",
                expected=Prose("a line such as b'Welcome to budgetchat! What shall I call you?\\n'"))
        return line

    def until_closed(self, timeout):
        """Read until the server closes this connection or ``timeout`` passes; the lines that came,
        and whether it closed."""
        deadline = time.monotonic() + timeout
        lines = []
        while (line := self.next_line(max(0.0, deadline - time.monotonic()))) is not None:
            lines.append(line)
        return lines, self.eof


def connect(address, name, timeline, **options):
    """A user connected, its prompt read."""
    user = ChatUser(address, name, timeline, **options)
    try:
        user.wait_prompt()
    except BaseException:
        user.close()
        raise
    return user
