"""The terminal, for the learner's interactive commands: questions, single keypresses, redraws.

Keypresses need the terminal out of line mode. On POSIX, ``keypresses()`` puts it in cbreak mode
(termios: no line buffering, no echo; Ctrl-C still interrupts, output is unchanged) and puts the
saved settings back when the block ends, however it ends: a return, an exception, Ctrl-C, or
SIGTERM (turned into SystemExit while the block runs). On Windows, msvcrt reads keys without
any mode change. Where neither works (input is not a terminal: a pipe, /dev/null, a CI log),
``keypresses()`` gives a reader that only waits, and Ctrl-C is the way out.
"""

import contextlib
import os
import select
import signal
import sys
import time

CLEAR = "\033[H\033[2J\033[3J"  # cursor home, clear the screen and its scrollback (as `clear` does)


def interactive():
    """Whether a person can answer questions here (both input and output are a terminal)."""
    return sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty()


def ask_yes_no(question):
    """Ask a y/N question on the terminal; anything but y/yes (an empty answer, end of input) is no."""
    try:
        answer = input(f"{question} [y/N] ")
    except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C at the question: no
        print()
        return False
    return answer.strip().lower() in ("y", "yes")


class NoKeys:
    """Input that cannot give keypresses: waiting is all it does."""

    can_read_keys = False

    def read(self, timeout):
        time.sleep(timeout)
        return ""


class PosixKeys:
    """Keys from a POSIX terminal in cbreak mode; ``read`` waits at most ``timeout`` seconds."""

    can_read_keys = True

    def __init__(self, fd):
        self.fd = fd

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return ""
        data = os.read(self.fd, 64)
        if data.startswith(b"\x1b"):  # an arrow or function key: not one of ours
            return ""
        return data.decode("utf-8", "replace")


class WindowsKeys:
    can_read_keys = True

    def __init__(self):
        import msvcrt
        self.msvcrt = msvcrt

    def read(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.msvcrt.kbhit():
            if time.monotonic() >= deadline:
                return ""
            time.sleep(0.02)
        key = self.msvcrt.getwch()
        if key in ("\x00", "\xe0"):  # a special key: its second half follows
            self.msvcrt.getwch()
            return ""
        return key


@contextlib.contextmanager
def keypresses(stream=None):
    """A key reader for the duration of the block, restoring the terminal after it."""
    stream = sys.stdin if stream is None else stream
    if stream is None or not stream.isatty():
        yield NoKeys()
        return
    if os.name == "nt":
        yield WindowsKeys()
        return
    import termios
    import tty

    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    previous_term = _exit_on_sigterm()
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        yield PosixKeys(fd)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)


def _exit_on_sigterm():
    """Make SIGTERM unwind (so ``finally`` blocks restore the terminal); the old handler, or None."""
    try:
        return signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    except ValueError:  # not the main thread
        return None
