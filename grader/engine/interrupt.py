"""Ctrl-C while a command runs: the first one stops it, the ones after it cannot break the cleanup.

A terminal's Ctrl-C reaches only the grader's process: learner processes run in sessions of their
own, so the grader has to stop them itself, then say what it graded. Python raises
KeyboardInterrupt wherever the main thread happens to be, and people often press Ctrl-C twice: a
second KeyboardInterrupt in the middle of stopping a learner process would leave it running and
end in a traceback. So while a command runs ``with handling_ctrl_c("grader"):``

- the first Ctrl-C raises KeyboardInterrupt, as usual;
- every later one only says that the grader is finishing: stopping learner processes and writing
  the report take a second or two, every wait in them being bounded;
- a first Ctrl-C that comes inside a ``protected()`` block (stopping learner processes, writing a
  report) is noted, not raised: the block finishes, and the code after it asks ``requested()``;
- the way out stays open: a Ctrl-C more than ``PATIENCE`` seconds after the first raises again,
  in case some code swallowed the first KeyboardInterrupt and went on working.

Once interrupted, the handler stays in place after the block: the process is on its way out,
and a Ctrl-C while the interpreter shuts down must not print a traceback either.
"""

import contextlib
import os
import signal
import sys
import threading
import time

PATIENCE = 10.0  # seconds after the first Ctrl-C when another one interrupts whatever is running


class _State:
    depth = 0  # nested handling_ctrl_c blocks; only the outermost installs the handler
    previous = None  # the SIGINT handler before the outermost block
    first = None  # time.monotonic() of this command's first Ctrl-C
    shielded = 0  # nested protected() blocks running now
    prog = "grader"


_state = _State()


def _say(text):
    """Write to stderr from a signal handler: os.write, since the main thread may be in the middle
    of a buffered write to sys.stderr (a reentrant write would raise)."""
    try:
        os.write(2, text.encode("utf-8", "backslashreplace"))
    except OSError:
        pass


def _on_sigint(signum, frame):
    now = time.monotonic()
    if _state.first is None:
        _state.first = now
        if not _state.shielded:
            raise KeyboardInterrupt
    elif now - _state.first > PATIENCE:
        raise KeyboardInterrupt  # the cleanup should have ended long ago: let the person out
    _say(f"\n{_state.prog}: stopping, a moment (every program the grader started is being stopped) ...\n")


def _main_thread():
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def handling_ctrl_c(prog="grader"):
    """Run a command's work with the Ctrl-C policy above (in the main thread; elsewhere, as is)."""
    if not _main_thread():
        yield
        return
    if _state.depth == 0:
        _state.previous = signal.getsignal(signal.SIGINT)
        _state.first = None
        _state.shielded = 0
        _state.prog = prog
        signal.signal(signal.SIGINT, _on_sigint)
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0 and _state.first is None and _state.previous is not None:
            signal.signal(signal.SIGINT, _state.previous)


def note_interrupted():
    """Record that this command was interrupted (a KeyboardInterrupt that did not come through the
    handler, say from a test): from now on Ctrl-C waits for the cleanup."""
    if _state.first is None:
        _state.first = time.monotonic()


def requested():
    """True when Ctrl-C was pressed during the current ``handling_ctrl_c`` block."""
    return _state.depth > 0 and _state.first is not None


@contextlib.contextmanager
def protected():
    """A block that a Ctrl-C never cuts short; check ``requested()`` after it."""
    _state.shielded += 1
    try:
        yield
    finally:
        _state.shielded -= 1


def stop_learners():
    """Stop every learner process this grader started, whatever was cut short on the way here.

    First every process that carries this grader's marker in its environment is killed at once
    (Linux): the person asked to stop, and the grader's own list of its processes may lack one
    that a Ctrl-C caught half-registered (a fork whose pid had not come back yet); such a process
    keeps the control pipe open, and the orderly stop below would wait on that pipe for ever.
    Then ``stop_all`` stops what the grader knows of (the only way where there is no /proc) and
    closes the pipes."""
    if "grader.learner.process" not in sys.modules:
        return  # nothing imported it, so nothing started a learner process
    from grader.learner.process import stop_all, stop_strays

    with protected():
        _cancel_check_alarm()
        stop_strays(os.getpid())
        stop_all()


def _cancel_check_alarm():
    """A check's time limit (pytest-timeout's SIGALRM) must not fire in the middle of the cleanup."""
    if hasattr(signal, "setitimer"):
        signal.setitimer(signal.ITIMER_REAL, 0)
