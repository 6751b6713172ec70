"""Capture what a learner's program prints, without letting it flood the grader.

The stream is drained for as long as the program runs (a program blocked on a full pipe would
stop serving, and the grader would blame the wrong thing), but only the first and the last
``keep`` bytes are kept: the start usually says what went wrong first, the end holds the last
traceback. Everything between is counted and reported as cut.
"""

import threading


class CappedOutput:
    """Drains ``stream``, keeping its head and tail; calls ``on_limit()`` once, when more than
    ``limit`` bytes have come (the grader then stops the program that printed them)."""

    def __init__(self, stream, keep=16 * 1024, limit=None, on_limit=None):
        self._stream = stream
        self._keep = keep
        self._limit = limit
        self._on_limit = on_limit
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, name="learner-output", daemon=True)
        self._thread.start()

    def _drain(self):
        try:
            while chunk := self._stream.read1(65536):
                with self._lock:
                    self.total += len(chunk)
                    room = self._keep - len(self._head)
                    if room > 0:
                        self._head += chunk[:room]
                        chunk = chunk[room:]
                    if chunk:
                        self._tail += chunk
                        del self._tail[: max(0, len(self._tail) - self._keep)]
                if self._limit is not None and self.total > self._limit and self._on_limit:
                    on_limit, self._on_limit = self._on_limit, None
                    on_limit()
        except (OSError, ValueError):
            pass  # the pipe was closed under us while the process was stopped

    def join(self, timeout=1.0):
        self._thread.join(timeout)

    def text(self):
        """All that was kept, with a visible note where the middle was cut."""
        with self._lock:
            head, tail, total = bytes(self._head), bytes(self._tail), self.total
        cut = total - len(head) - len(tail)
        text = head.decode("utf-8", "backslashreplace")
        if cut > 0:
            text += f"\n[... {cut:,} bytes of output cut ...]\n"
        return text + tail.decode("utf-8", "backslashreplace")

    def last_lines(self, count=10, since=0):
        """The last ``count`` lines, of what was written after the first ``since`` bytes."""
        text = self.text()
        with self._lock:
            new = self.total - since
        if new < len(text.encode("utf-8", "surrogateescape")):
            text = text.encode("utf-8", "surrogateescape")[-new:].decode("utf-8", "replace") if new > 0 else ""
        lines = text.rstrip("\n").splitlines()
        return "\n".join(lines[-count:])
