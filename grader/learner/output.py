"""Capture what a learner's program prints, without letting it flood the grader.

Printing is never held against a program: a server that prints every chunk it receives, as
tutorials do, may print hundreds of megabytes while it is graded. So the stream is drained for
as long as the program runs, whatever its volume (a program blocked on a full pipe would stop
serving, and the grader would blame the wrong thing), but only the first and the last ``keep``
bytes are kept: the start usually says what went wrong first, the end holds the last traceback.
Everything between is counted (``total``) and reported as cut; messages say how much was
printed in all (``Printed.total``).

On POSIX the pipe is read only while holding the lock that guards what was kept, so ``settle()``
can tell for certain when everything written so far has been taken in: a message about a call
then shows all the program printed before the call ended, every time, not what a race let in.
Reads are large (``READ_SIZE``), so that draining a flood costs the grader little time.
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

READ_SIZE = 1 << 20  # bytes per read of the pipe: a flood of 300 MB is 300 reads
PIPE_SIZE = 1 << 20  # bytes the pipe holds (Linux, F_SETPIPE_SZ; its default is 64 KiB): a writer that
# floods is woken, and wakes the grader, a sixteenth as often
F_SETPIPE_SZ = 1031
LAST_LINES = 10  # lines of output a message quotes


class Printed(str):
    """The last lines a program printed (the text a message quotes), knowing how much it printed
    in all: ``total`` bytes, of which the quoted lines are the last ``shown``."""

    total: int = 0
    shown: int = 0

    def __new__(cls, text, total=0, shown=None):
        self = super().__new__(cls, text)
        self.total = total
        self.shown = len(text.encode("utf-8", "surrogateescape")) if shown is None else shown
        return self

    @property
    def cut(self):
        """Whether the program printed more than the quoted lines."""
        return self.total > self.shown


class CappedOutput:
    """Drains ``stream`` for as long as it is open, keeping its first and last ``keep`` bytes and
    counting the rest."""

    def __init__(self, stream, keep=16 * 1024):
        self._stream = stream
        self._keep = keep
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0
        self._lock = threading.Condition()
        if fcntl is not None:
            try:
                fcntl.fcntl(stream.fileno(), F_SETPIPE_SZ, PIPE_SIZE)
            except (OSError, ValueError, AttributeError):
                pass  # not Linux, not a pipe, or above /proc/sys/fs/pipe-max-size: the default size
        self._thread = threading.Thread(target=self._drain, name="learner-output", daemon=True)
        self._thread.start()

    def _drain(self):
        try:
            if fcntl is None:
                while chunk := self._stream.read1(READ_SIZE):
                    with self._lock:
                        self._take(chunk)
                return
            fd = self._stream.fileno()
            buffer = bytearray(READ_SIZE)  # one buffer for every read: a fresh 1 MiB each time would
            view = memoryview(buffer)  # cost the grader a page fault per 4 KiB of a flood
            while True:
                select.select([fd], [], [])
                with self._lock:
                    count = os.readv(fd, [buffer])
                    self._take(view[:count])
                    self._lock.notify_all()
                if not count:
                    return
        except (OSError, ValueError):
            pass  # the pipe was closed under us while the process was stopped

    def _take(self, chunk):
        self.total += len(chunk)
        room = self._keep - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if len(chunk) >= self._keep:
            self._tail[:] = chunk[len(chunk) - self._keep:]
        elif chunk:
            self._tail += chunk
            del self._tail[: max(0, len(self._tail) - self._keep)]

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
        """True once the pipe reached end of file (waiting up to ``timeout`` seconds)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def text(self):
        """All that was kept, with a visible note where the middle was cut."""
        with self._lock:
            head, tail, total = bytes(self._head), bytes(self._tail), self.total
        cut = total - len(head) - len(tail)
        text = head.decode("utf-8", "backslashreplace")
        if cut > 0:
            text += f"\n[... {cut:,} bytes of output cut ...]\n"
        return text + tail.decode("utf-8", "backslashreplace")

    def last_lines(self, count=LAST_LINES, since=0):
        """The last ``count`` lines of what was written after the first ``since`` bytes, as a
        ``Printed`` that knows how many bytes that was."""
        with self._lock:
            head, tail, total = bytes(self._head), bytes(self._tail), self.total
        new = total - since
        if new <= 0:
            return Printed("", 0)
        kept = head + tail if total == len(head) + len(tail) else tail  # the end, without a gap
        kept = kept[-new:]
        lines = kept.rstrip(b"\n").split(b"\n")[-count:]
        shown = b"\n".join(lines)
        text = shown.decode("utf-8", "replace")
        return Printed(text, new, len(shown) + (1 if kept.endswith(b"\n") else 0))
