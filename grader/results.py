"""The result model: one structure that every report format is written from.

The text a learner reads, the JSON an instructor keeps and any platform format are all views of
a ``Report``, so the score in the terminal and the score a platform records cannot disagree.
Scores are derived (summed from checks), never stored twice.
"""

from dataclasses import dataclass, field, replace

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
NOT_STARTED, MISSING = "not_started", "missing"

# How an exercise's status reads to a person, in every report and in `grader list`.
STATUS_WORDS = {PASSED: "passed", FAILED: "not passed yet", NOT_STARTED: "not started", MISSING: "missing (no file)"}

# The message of every check that did not run because grading was interrupted (Ctrl-C).
INTERRUPTED = "skipped: grading was interrupted (Ctrl-C)"


@dataclass
class FailureDetails:
    """A failed check's failure, field by field, beside the message rendered from it.

    The message is what a person reads; these are what a report format or a script reads
    without parsing that message: the learner's output for JUnit's system-out, the line for a
    GitHub annotation. Every text is as the message shows it (``grader.quoting``: made
    printable, the summary on one line), so no reader has to remember to make it safe. The
    values sent, received and expected are shown as the message shows them (a repr, or prose).
    """

    summary: str
    sent: str | None = None
    received: str | None = None
    expected: str | None = None
    note: str | None = None
    hint: str | None = None
    reproduce: str | None = None
    output: str | None = None  # the last lines the learner's program printed
    traceback: str | None = None  # the learner's traceback (their frames only)
    line: int | None = None  # the line of the learner's file the failure points at

    def to_json(self):
        return {key: getattr(self, key) for key in _FAILURE_KEYS}

    def with_text(self, change):
        """A copy with ``change`` applied to every text field (the ports written as PORT)."""
        return replace(self, **{key: change(value) for key in _FAILURE_KEYS
                                if isinstance(value := getattr(self, key), str)})

    @classmethod
    def from_json(cls, data):
        if not isinstance(data, dict) or not isinstance(data.get("summary"), str):
            raise TypeError("a check's failure is not an object with a summary")
        fields = {key: data.get(key) for key in _FAILURE_KEYS}
        for key, value in fields.items():
            if value is not None and not isinstance(value, int if key == "line" else str):
                raise TypeError(f"a check's failure has a {key} of the wrong type")
        return cls(**fields)


_FAILURE_KEYS = ("summary", "sent", "received", "expected", "note", "hint", "reproduce", "output", "traceback",
                 "line")


@dataclass
class CheckResult:
    name: str  # the sentence the learner reads
    status: str  # passed, failed, error, skipped
    max_score: float
    message: str = ""
    hint: str | None = None
    duration: float = 0.0
    transcript: list | None = None  # lines of the wire transcript; None unless grading was verbose
    id: str | None = None  # <exercise>.<check function> (grader/engine/catalog.py)
    failure: FailureDetails | None = None  # a failed or erroring check's failure, field by field

    @property
    def score(self):
        return self.max_score if self.status == PASSED else 0.0

    def to_json(self):
        data = {"id": self.id} if self.id is not None else {}
        data.update({"name": self.name, "status": self.status, "score": self.score,
                     "max_score": self.max_score, "message": self.message, "duration": round(self.duration, 3)})
        if self.failure is not None:
            data["failure"] = self.failure.to_json()
        if self.transcript is not None:  # only with --verbose: the contract's keys stay as they are
            data["transcript"] = list(self.transcript)
        return data

    @classmethod
    def from_json(cls, data):
        """The inverse of ``to_json`` (a ``hint`` key, which only the memo writes, is read too).
        Raises KeyError, TypeError or ValueError for what is not a check."""
        transcript = data.get("transcript")
        if transcript is not None and not isinstance(transcript, list):
            raise TypeError("a check's transcript is not a list of lines")
        failure = data.get("failure")
        return cls(str(data["name"]), str(data["status"]), float(data["max_score"]), str(data.get("message", "")),
                   _optional_text(data.get("hint")), float(data.get("duration", 0.0)),
                   None if transcript is None else [str(line) for line in transcript],
                   _optional_text(data.get("id")), None if failure is None else FailureDetails.from_json(failure))


def _optional_text(value):
    return None if value is None else str(value)


@dataclass
class ExerciseResult:
    name: str
    status: str  # passed, failed, not_started, missing
    checks: list = field(default_factory=list)
    file: str = ""
    duration: float = 0.0
    # True when Ctrl-C stopped grading before every check of this exercise had run: its status
    # and score then cover only the checks that ran (never "passed": not everything was seen).
    interrupted: bool = False
    printed: int = 0  # bytes the learner's program printed while it was graded (all its processes)
    notes: tuple = ()  # what the learner should know beyond the checks (a module imported from beside the file)

    @property
    def score(self):
        return sum(check.score for check in self.checks)

    @property
    def max_score(self):
        return sum(check.max_score for check in self.checks)

    def to_json(self):
        data = {"name": self.name, "status": self.status, "score": self.score,
                "max_score": self.max_score, "file": self.file, "duration": round(self.duration, 3)}
        if self.interrupted:  # only then: a complete report keeps exactly the keys it had
            data["interrupted"] = True
        if self.printed:  # only for a program that printed: a silent one's report is as it was
            data["printed"] = self.printed
        if self.notes:
            data["notes"] = list(self.notes)
        data["checks"] = [check.to_json() for check in self.checks]
        return data


@dataclass
class Report:
    exercises: list
    tree: str = ""
    duration: float = 0.0
    interrupted: bool = False  # Ctrl-C stopped grading: the score is partial (grader/engine/interrupt.py)
    isolation: str = ""  # the isolation the learner's programs ran under (grader/learner/sandbox.py)

    @property
    def score(self):
        return sum(exercise.score for exercise in self.exercises)

    @property
    def max_score(self):
        return sum(exercise.max_score for exercise in self.exercises)

    @property
    def all_passed(self):
        return all(exercise.status == PASSED for exercise in self.exercises)

    def next_unfinished(self):
        """The first exercise, in learning order, that is not passed yet (None when all are)."""
        return next((e for e in self.exercises if e.status != PASSED), None)

    def checks_not_run(self):
        """How many checks did not run because grading was interrupted."""
        return sum(1 for e in self.exercises for c in e.checks
                   if c.status == SKIPPED and c.message == INTERRUPTED)

    def to_json(self):
        data = {"score": self.score, "max_score": self.max_score, "tree": self.tree,
                "duration": round(self.duration, 3)}
        if self.interrupted:  # a key added, as docs/command-line.md allows; absent from a complete report
            data["interrupted"] = True
        if self.isolation:  # a key added, as docs/command-line.md allows (issue 15)
            data["isolation"] = self.isolation
        data["exercises"] = [exercise.to_json() for exercise in self.exercises]
        return data


def exercise_status(checks):
    return PASSED if checks and all(c.status == PASSED for c in checks) else FAILED
