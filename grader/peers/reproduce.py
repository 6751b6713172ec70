"""Commands a learner can paste to repeat a probe by hand.

A failure is easier to believe, and to fix, when you can see it happen yourself. The commands
target the port a learner uses when running their own file (``python echo_server.py 9000``),
not the random port the grader used, and they name the file that was graded, as the learner
knows it: ``exercises/echo_server/echo_server.py`` in their clone, ``other/echo_server/echo_server.py``
with ``--path other`` (relative to the current folder when the file is below it, else whole).
The engine says which file that is (``grading``) before an exercise's checks run.
"""

import shlex
from pathlib import Path

HAND_PORT = 9000
MAX_SHOWN = 80  # bytes; longer probes are not worth pasting


def python_probe(data, *, half_close=False, idle_first=False, port=HAND_PORT):
    """A `python -c` line that sends ``data`` to a server on ``port`` and prints the reply;
    ``idle_first``: with another client connected first that sends nothing (as the check did).

    Returns None when the payload is too long to paste usefully.
    """
    if len(data) > MAX_SHOWN:
        return None
    connect = f'socket.create_connection(("127.0.0.1", {port}))'
    steps = ["import socket", *([f"idle = {connect}"] if idle_first else []), f"c = {connect}",
             f"c.sendall({bytes_literal(data)})"]
    if half_close:
        steps.append("c.shutdown(socket.SHUT_WR)")
    steps.append("print(c.recv(65536))")
    return "python -c '" + "; ".join(steps) + "'"


_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"', ord("\\"): "\\\\"}


def bytes_literal(data):
    """A bytes literal in double quotes with no single quote in it, to sit inside '...' in a shell."""
    body = "".join(_ESCAPES.get(b, chr(b) if 32 <= b < 127 and b != 39 else f"\\x{b:02x}") for b in data)
    return f'b"{body}"'


_graded = {}  # exercise name -> the file of it being graded


def grading(exercise, path):
    """Note that ``path`` is the file of ``exercise`` that is being graded."""
    _graded[exercise] = Path(path)


def learner_file(exercise):
    """The graded file of ``exercise`` as a shell word: relative to the current folder when it is
    below it, whole otherwise (``exercises/<exercise>/<exercise>.py`` when none was noted)."""
    path = _graded.get(exercise)
    if path is None:
        return f"exercises/{exercise}/{exercise}.py"
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        shown = str(path)
    return shlex.quote(shown)


def learner_folder(exercise):
    """The folder of the graded file of ``exercise``, as a shell word (for ``cd FOLDER && ...``)."""
    file = learner_file(exercise)
    unquoted = shlex.split(file)[0]
    folder = unquoted.rsplit("/", 1)[0] if "/" in unquoted else "."
    return shlex.quote(folder)


def server_by_hand(exercise):
    """The start of a "Try it" line for a server exercise: run the learner's file on HAND_PORT, then
    (the rest of the line) the probe in another terminal."""
    return f"python {learner_file(exercise)} {HAND_PORT}   # then, in another terminal: "
