"""Budget Chat (Protohackers problem 3) as the grader reads it, without sockets.

The rules are exercises/chat_server/README.md's contract. A server's wording is
free wherever the rules leave it free (the prompt, the notices), so the grader never compares
those lines with text of its own: a line that starts with ``*`` is a notice, and the names in it
are its whole words of letters and digits. The grader's names always hold a digit (``alice1``),
so a word of the server's own wording ("room", "has", "entered") is never taken for one.
What the rules fix exactly is checked exactly: ``[<name>] <text>\\n`` for a message.
"""

import re

MAX_NAME = 16  # characters; a name is 1 to 16 ASCII letters and digits
MAX_LINE = 1000  # characters of a message line the grader sends, at most (without its \n)

_WORD = re.compile(r"[A-Za-z0-9]+")
_NAME = re.compile(r"[A-Za-z0-9]{1,%d}" % MAX_NAME)


def valid_name(name):
    """Whether ``name`` (str) may join: 1 to 16 ASCII letters and digits, nothing else."""
    return _NAME.fullmatch(name) is not None


def is_notice(line):
    """A room notice (presence, join, leave): a line that starts with ``*``."""
    return line.startswith("*")


def names_in(line):
    """The whole words of letters and digits in ``line``: where the grader looks for names."""
    return set(_WORD.findall(line))


def names_named(line, names):
    """Which of ``names`` a notice ``line`` names, as whole words (case-sensitive)."""
    return set(names) & names_in(line)


def message(name, text):
    """The line every other user must get when ``name`` says ``text`` (without the ``\\n``)."""
    return f"[{name}] {text}"


class LineBuffer:
    """Bytes in, complete lines (str, without ``\\n``) out; a partial line waits for more.

    Lines are decoded as ASCII with every other byte shown as an escape, so a server that sends
    bytes outside ASCII is shown them instead of crashing the grader. The search for ``\\n``
    starts where the last one ended, so megabytes in small pieces cost linear time.
    """

    def __init__(self):
        self._buffer = bytearray()
        self._searched = 0

    def feed(self, data):
        self._buffer += data
        lines = []
        start = 0
        while (end := self._buffer.find(b"\n", max(start, self._searched))) >= 0:
            lines.append(self._buffer[start:end].decode("ascii", "backslashreplace"))
            start = end + 1
        del self._buffer[:start]
        self._searched = len(self._buffer)
        return lines

    @property
    def partial(self):
        """What came after the last ``\\n``: bytes of a line not finished yet."""
        return bytes(self._buffer)
