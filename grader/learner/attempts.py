"""What a learner's program tried that its sandbox refused, as far as the grader can see it.

The sandbox (grader/learner/sandbox.py) makes an attempt to forge a grade fail quietly: a write
outside /tmp meets a read-only file system, a connection to another address meets an unreachable
network, a daemon is stopped with the program. The grade is then the one the program earned, but
the learner (or the instructor reading the report) should still learn what happened, and a
learner whose program innocently writes a file beside itself should learn why it failed. Two
things are visible to the grader: the errors the program printed (its captured output), and the
processes that left the program's session (``setsid``: daemons) still running when the grader
stopped it. Both are turned into short sentences, a few per exercise, noted in the report.
"""

import re
import threading

MAX_SENTENCES = 4  # per exercise: the first few say enough
NOTE_START = "While it was graded, your program tried what the sandbox does not allow"

_REFUSALS = (  # (pattern in a printed OSError, the sentence; {path} is the path it names)
    (re.compile(r"\[Errno 30\] Read-only file system: '([^'\n]{1,200})'"),
     "writing {path}: read-only while graded (only a private /tmp of its own is writable)"),
    (re.compile(r"\[Errno 13\] Permission denied: '([^'\n]{1,200})'"),
     "opening {path}: permission denied (the program runs as an unprivileged user)"),
    (re.compile(r"\[Errno 101\] Network is unreachable"),
     "reaching an address other than 127.0.0.1: the network is unreachable while graded"),
    (re.compile(r"\[Errno 1\] Operation not permitted"),
     "an operation not permitted to an unprivileged program (a signal, a trace, a privilege)"),
)

_seen = {}  # exercise -> sentences, in the order first seen (grader watch grades again: see since())
_lock = threading.Lock()


def refusals_in(output):
    """The sentences for the refusals ``output`` (a program's printed text) shows, in order."""
    found = []
    for pattern, sentence in _REFUSALS:
        for match in pattern.finditer(output or ""):
            text = sentence.format(path=repr(match.group(1)) if match.groups() else "")
            if text not in found:
                found.append(text)
    return found


def daemons_sentence(count):
    return (f"{count} process{'es' if count > 1 else ''} that left the program's session (a daemon) "
            "still running when the grader stopped it: stopped with it")


def record(exercise, sentences):
    with _lock:
        kept = _seen.setdefault(exercise, [])
        kept.extend(s for s in sentences if s not in kept)


def since(exercise, start=0):
    """The sentences recorded for ``exercise`` after the first ``start`` (what one grading added)."""
    with _lock:
        return list(_seen.get(exercise, [])[start:])


def note(sentences):
    """The exercise note for these sentences, or None."""
    if not sentences:
        return None
    shown = sentences[:MAX_SENTENCES]
    more = f"; and {len(sentences) - len(shown)} more" if len(sentences) > len(shown) else ""
    return (f"{NOTE_START}: " + "; ".join(shown) + more + ". That cannot change a grade; it may have made a check fail.")
