"""Capture what a learner's program prints, without letting it flood the grader.

The stream is drained for as long as the program runs (a program blocked on a full pipe would
stop serving, and the grader would blame the wrong thing), but only the first and the last
``keep`` bytes are kept: the start usually says what went wrong first, the end holds the last
traceback. Everything between is counted and reported as cut.

On POSIX the pipe is read only while holding the lock that guards what was kept, so ``settle()``
can tell for certain when everything written so far has been taken in: a message about a call
then shows all the program printed before the call ended, every time, not what a race let in.
"""

import os
import threading
import time

try:
    import fcntl
    import select
    import struct
    import termios
except ImportError:  # Windows: pipes are read as a stream, and settle() does not wait
    fcntl = None


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
        self._lock = threading.Condition()
        self._thread = threading.Thread(target=self._drain, name="learner-output", daemon=True)
        self._thread.start()

    def _drain(self):
        try:
            if fcntl is None:
                while chunk := self._stream.read1(65536):
                    with self._lock:
                        self._take(chunk)
                    self._check_limit()
                return
            fd = self._stream.fileno()
            while True:
                select.select([fd], [], [])
                with self._lock:
                    chunk = os.read(fd, 65536)
                    self._take(chunk)
                    self._lock.notify_all()
                if not chunk:
                    return
                self._check_limit()
        except (OSError, ValueError):
            pass  # the pipe was closed under us while the process was stopped

    def _take(self, chunk):
        self.total += len(chunk)
        room = self._keep - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self._tail += chunk
            del self._tail[: max(0, len(self._tail) - self._keep)]

    def _check_limit(self):
        if self._limit is not None and self.total > self._limit and self._on_limit:
            on_limit, self._on_limit = self._on_limit, None
            on_limit()

    def settle(self, timeout=0.5):
        """Wait until all that was written to the pipe so far has been taken in (POSIX), at most
        ``timeout`` seconds: a program that prints without pause never settles."""
        if fcntl is None:
            return
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._thread.is_alive() and self._pending():
                if not self._lock.wait(max(0.0, deadline - time.monotonic())) and time.monotonic() >= deadline:
                    return

    def _pending(self):
        try:
            return struct.unpack("i", fcntl.ioctl(self._stream.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]
        except (OSError, ValueError):
            return 0

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
