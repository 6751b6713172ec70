"""The line-reply protocol of the multi_message_client exercise, without sockets.

The grader's server answers line number n of a connection (counting from 1) with
``"<n> → <the line>\\n"``. It is not a plain echo on purpose: the number shows order and
pairing, so a reply that is swapped, dropped, duplicated, sent to the wrong message, or
read from a second connection (which counts from 1 again) is visible in the list the
learner's function returns. The arrow is a three-byte UTF-8 character, so every reply has
a multi-byte character that the server can cut in the middle. The line itself is kept
whole, so a trailing space, a tab or a U+2028 that the client strips or splits on shows.

Framing and replies work on bytes: the client is supposed to send UTF-8, and what it
really sent is what the grader has to explain when it did not.
"""

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
