"""The result model: one structure that every report format is written from.

The text a learner reads, the JSON an instructor keeps and any platform format are all views of
a ``Report``, so the score in the terminal and the score a platform records cannot disagree.
Scores are derived (summed from checks), never stored twice.
"""

from dataclasses import dataclass, field

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
NOT_STARTED, MISSING = "not_started", "missing"

# How an exercise's status reads to a person, in every report and in `grader list`.
STATUS_WORDS = {PASSED: "passed", FAILED: "not passed yet", NOT_STARTED: "not started", MISSING: "missing (no file)"}

# The message of every check that did not run because grading was interrupted (Ctrl-C).
INTERRUPTED = "skipped: grading was interrupted (Ctrl-C)"


@dataclass
class CheckResult:
    name: str
    status: str  # passed, failed, error, skipped
    max_score: float
    message: str = ""
    hint: str | None = None
    duration: float = 0.0
    transcript: list | None = None  # lines of the wire transcript; None unless grading was verbose

    @property
    def score(self):
        return self.max_score if self.status == PASSED else 0.0

    def to_json(self):
        data = {"name": self.name, "status": self.status, "score": self.score,
                "max_score": self.max_score, "message": self.message, "duration": round(self.duration, 3)}
        if self.transcript is not None:  # only with --verbose: the contract's keys stay as they are
            data["transcript"] = list(self.transcript)
        return data


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
        data["checks"] = [check.to_json() for check in self.checks]
        return data


@dataclass
class Report:
    exercises: list
    tree: str = ""
    duration: float = 0.0
    interrupted: bool = False  # Ctrl-C stopped grading: the score is partial (grader/engine/interrupt.py)

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
        data["exercises"] = [exercise.to_json() for exercise in self.exercises]
        return data


def exercise_status(checks):
    return PASSED if checks and all(c.status == PASSED for c in checks) else FAILED
