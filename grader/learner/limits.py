"""Limits on a learner's program: how much memory, how many processes, CPU time, file size.

A learner's program runs on the grader's machine (a laptop, a CI runner, an autograder shared by
a class), so a bug such as an endless allocation, a loop of ``fork()`` or an endless ``print``
must cost only that program. Each limit is enforced where the platform allows it:

* per process, by the kernel (``setrlimit``, applied by ``learner_child.py`` before the learner's
  module is imported): memory (RLIMIT_DATA: allocations fail, Python raises MemoryError), CPU
  time (RLIMIT_CPU: the process gets SIGXCPU), file size (RLIMIT_FSIZE: the write fails with
  EFBIG). Core dumps are switched off, so a crash never writes a core file into the learner's folder;
* for all of a program's processes together, by the grader (``grader/learner/limit_watch.py``): how many
  processes run at once and how much memory they hold. The grader stops the program when one of
  these is passed.

What a program prints is not limited: printing is no bug, and a program is never failed for its
volume. The grader drains it all and keeps its first and last 16 KiB (``grader/learner/output.py``).

When a limit is hit, the learner is told which one, in words ("your program used more than
1 GiB of memory"), instead of a bare MemoryError or "killed by signal 24".

The limits are far above what a correct solution uses (see ``scripts/margins.py``). Course staff
can change them with the environment variable NETKATA_LIMITS, e.g. ``memory=512MiB,processes=20``.
"""

import os
import re
import signal
from dataclasses import dataclass, fields, replace

ENVIRONMENT = "NETKATA_LIMITS"
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20,
          "g": 1 << 30, "gib": 1 << 30}


@dataclass(frozen=True)
class Limits:
    memory: int = 1 << 30  # bytes: per process, and for all of a program's processes together
    processes: int = 40  # processes running at once (a server forking per client serves 25 at once)
    cpu: int = 30  # seconds of CPU time, per process
    file_size: int = 64 << 20  # bytes: the largest file a program may write

    def exceeded(self, name):
        """What a program did when it passed limit ``name``, in words: "used more than 1 GiB of memory"."""
        return {
            "memory": f"used more than {size(self.memory)} of memory",
            "processes": f"had more than {self.processes} processes running at once",
            "cpu": f"used more than {self.cpu} s of CPU time",
            "file_size": f"wrote a file larger than {size(self.file_size)}",
        }[name]

    def for_child(self):
        """The per-process limits, as learner_child.py reads them from its environment."""
        return f"{self.memory},{self.cpu},{self.file_size}"


def size(count):
    """Bytes in the largest binary unit that divides them: 1 GiB, 16 MiB, 300 bytes."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= factor and count % factor == 0:
            return f"{count // factor} {unit}"
    return f"{count} bytes"


def because(name, limits=None):
    """Why a program that hit limit ``name`` was stopped, to follow "it": "used more than 1 GiB
    of memory, the limit for a learner's program"."""
    return f"{(limits or current()).exceeded(name)}, the limit for a learner's program"


def sentence(name, limits=None, who="your program"):
    """The sentence a failure message gives when limit ``name`` was hit."""
    return f"The grader stopped {who}: it {because(name, limits)}."


HINTS = {
    "memory": "Does something grow without end: a list that keeps everything received, a read of a "
              "whole stream into one bytes object, a cache that is never emptied?",
    "processes": "Start processes only when you need them and wait for them to end (or use threads): "
                 "a process per client must exit when its client leaves.",
    "cpu": "A loop that never waits uses a whole core: block in accept(), recv() or select() instead "
           "of polling a non-blocking socket in a loop.",
    "file_size": "Does your program write a log file that grows without end?",
}


def from_exit_status(status):
    """The limit that ended a process with this exit status (killed by SIGXCPU or SIGXFSZ), or None."""
    kills = {getattr(signal, "SIGXCPU", None): "cpu", getattr(signal, "SIGXFSZ", None): "file_size"}
    return kills.get(-status) if isinstance(status, int) and status < 0 else None


class LimitsError(ValueError):
    pass


def parse(text):
    """Limits from "memory=512MiB,processes=20" (any subset; the rest keep their defaults)."""
    limits = Limits()
    names = {f.name for f in fields(Limits)}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if name == "output":
            raise LimitsError(f"{ENVIRONMENT}: output is not limited any more (a program may print as much "
                              "as it likes; the grader keeps the first and last 16 KiB): leave it out")
        match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", value)
        if name not in names or not match or match[2].lower() not in _UNITS:
            raise LimitsError(f"{ENVIRONMENT}: cannot read {item!r} (expected e.g. "
                              "memory=512MiB,processes=20,cpu=30,file_size=64MiB)")
        number = int(match[1]) * (_UNITS[match[2].lower()] if name in ("memory", "file_size") else 1)
        if number <= 0:
            raise LimitsError(f"{ENVIRONMENT}: {name} must be more than 0")
        limits = replace(limits, **{name: number})
    return limits


def current():
    """The limits in force: the defaults, changed by NETKATA_LIMITS when it is set."""
    return parse(os.environ.get(ENVIRONMENT, ""))
