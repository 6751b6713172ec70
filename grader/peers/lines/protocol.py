"""The line-reply protocol of the multi_message_client exercise, without sockets.

The grader's server answers line number n of a connection (counting from 1) with
``"<n> → <the line>\\n"``. It is not a plain echo on purpose: the number shows order and
pairing, so a reply that is swapped, dropped, duplicated, sent to the wrong message, or
read from a second connection (which counts from 1 again) is visible in the list the
learner's function returns. The arrow is a three-byte UTF-8 character, so every reply has
a multi-byte character that the server can cut in the middle. The line itself is kept
whole, so a trailing space, a tab or a U+2028 that the client strips or splits on shows.

Framing and replies work on bytes: the client is supposed to send UTF-8, and what it
really sent is what the grader has to explain when it did not. The last two sections are how the
checks explain it: what ``send_messages`` returned against what it should have, the bytes on the
wire in a line or two, and the command that repeats a conversation by hand.
"""

import shlex

from grader.peers.reproduce import learner_file, learner_folder

ARROW = "→"


def expected_reply(number, message):
    """The reply (without its ``\\n``) that ``send_messages`` must return for a message."""
    return f"{number} {ARROW} {message}"


def expected_replies(messages):
    """The list ``send_messages(host, port, messages)`` must return."""
    return [expected_reply(number, message) for number, message in enumerate(messages, 1)]


def reply_to(number, line):
    """The reply line (bytes, ending in ``\\n``) to line ``number``, given without its ``\\n``.

    A line that is not valid UTF-8 (a client that encoded with Latin-1, say) still gets a
    valid UTF-8 reply, one that no valid line can get: a cross instead of the arrow, and
    the bytes as a Python literal, so the learner sees what their client really sent.
    """
    try:
        text = f"{number} {ARROW} {line.decode('utf-8')}"
    except UnicodeDecodeError:
        text = f"{number} ✗ not UTF-8: {line!r}"
    return text.encode("utf-8") + b"\n"


class LineSplitter:
    """Bytes in, complete lines out; what follows the last ``\\n`` waits for more.

    Only ``\\n`` ends a line: a ``\\r`` before it stays part of the line, so a client that
    sends ``\\r\\n`` is shown its ``\\r``. The search for ``\\n`` starts where the last one
    stopped, so a line of megabytes arriving in small pieces costs linear time.
    """

    def __init__(self):
        self._buffer = bytearray()
        self._searched = 0  # bytes of _buffer known to hold no b"\n"

    def feed(self, data):
        """Add received bytes; return the lines they completed, without their ``\\n``."""
        self._buffer += data
        lines = []
        start = 0
        end = self._buffer.find(b"\n", self._searched)
        while end != -1:
            lines.append(bytes(self._buffer[start:end]))
            start = end + 1
            end = self._buffer.find(b"\n", start)
        del self._buffer[:start]
        self._searched = len(self._buffer)
        return lines

    @property
    def pending(self):
        """The bytes after the last ``\\n``: the start of a line not (yet) ended."""
        return bytes(self._buffer)


# -- what send_messages returned, against what it should have ----------------------------------

SHOW_CHARACTERS = 60  # characters of one message or reply shown before it is cut


def show_item(value, limit=SHOW_CHARACTERS):
    """repr() of one message or reply; a long one is cut, with its length."""
    text = repr(value)
    if len(text) <= limit:
        return text
    unit = "bytes" if isinstance(value, (bytes, bytearray)) else "characters"
    return f"{repr(value[: limit // 2])[:-1]}...{text[-1]} ({len(value):,} {unit})"


def show_list(values, limit=SHOW_CHARACTERS):
    """A list (or tuple) of messages or replies, each shown by ``show_item``; other values by repr."""
    if not isinstance(values, (list, tuple)):
        return show_item(values, limit * 2)
    items = ", ".join(show_item(v, limit) for v in values)
    if isinstance(values, list):
        return f"[{items}]"
    return f"({items},)" if len(values) == 1 else f"({items})"


def _kind(value):
    return getattr(value, "type", None) or type(value).__name__  # grader.learner.process.Opaque has .type


def describe_difference(expected, returned):
    """One sentence saying how ``returned`` differs from the ``expected`` list of replies, or None."""
    if not isinstance(returned, list):
        return f"send_messages returned a {_kind(returned)}, not a list."
    wrong_type = [item for item in returned if not isinstance(item, str)]
    if wrong_type:
        return f"send_messages returned a list of {_kind(wrong_type[0])}, not of str."
    index = next((i for i, (e, r) in enumerate(zip(expected, returned)) if e != r), None)
    first = "" if index is None else \
        f"Reply {index + 1} is {show_item(returned[index])}; expected {show_item(expected[index])}."
    if len(returned) != len(expected):
        count = f"send_messages returned {len(returned)} {'reply' if len(returned) == 1 else 'replies'} " \
                f"for {len(expected)} {'message' if len(expected) == 1 else 'messages'}."
        return f"{count} {first}".rstrip()
    return first or None


# -- showing a conversation: the wire, and commands that repeat it by hand ----------------------

EXERCISE = "multi_message_client"



def wire(data, width=100):
    """repr() of bytes seen on the wire, at most about ``width`` characters: long data as its start,
    its end and its length (cut by the width of the repr, so "\\xc3\\xa9" counts as 8)."""
    text = repr(data)
    if len(text) <= width:
        return text
    head = tail = b""
    for byte in data:
        if len(repr(head + bytes([byte]))) > width * 2 // 3:
            break
        head += bytes([byte])
    for byte in reversed(data[len(head):]):
        if len(repr(bytes([byte]) + tail)) > width // 3:
            break
        tail = bytes([byte]) + tail
    return f"{head!r} ... {tail!r} ({len(data):,} bytes in all)"


def pieces(sends):
    """" in 3 pieces of 4, 4 and 3 bytes", or " in one piece"."""
    if len(sends) == 1:
        return " in one piece"
    sizes = [f"{len(piece):,}" for piece in sends[:8]]
    listed = ", ".join(sizes[:-1]) + " and " + sizes[-1] if len(sends) <= 8 else ", ".join(sizes) + ", ..."
    return f" in {len(sends):,} pieces of {listed} bytes"


def text_literal(text):
    """A double-quoted Python literal of ``text`` with no single quote in it (it goes inside '...' in a shell),
    invisible characters escaped and visible ones as they are."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "'":
            out.append("\\x27")
        elif char.isprintable():
            out.append(char)
        else:
            out.append(repr(char)[1:-1])
    return '"' + "".join(out) + '"'


def client_command(messages, timeout, port):
    """A command that calls the learner's send_messages with these messages against ``port``, or None."""
    if sum(len(m) for m in messages) > 200:
        return None  # not worth pasting
    if messages and all(m and m.isprintable() and not m.startswith("-") for m in messages):
        return f"python {learner_file(EXERCISE)} {port} " + " ".join(shlex.quote(m) for m in messages)
    listed = ", ".join(text_literal(m) for m in messages)
    return (f"cd {learner_folder(EXERCISE)} && python -c 'from multi_message_client import send_messages; "
            f"print(send_messages(\"127.0.0.1\", {port}, [{listed}], timeout={timeout:g}))'")
