"""What a check module may use: the one surface between an exercise's checks and the engine.

A kata's checks (``grader/katas/<exercise>/checks.py``) import the decorator, the failures and
the learner-side handles from here, and protocol peers from ``grader.peers``; never the
engine's or the learner layer's modules themselves (an import-linter contract in
pyproject.toml says so), so the engine can change behind this surface without touching ten
exercises.
"""

from grader.engine.check import check
from grader.engine.plugin import recording_transcripts
from grader.failures import Failure, Mismatch, Prose
from grader.learner.process import LOAD_TIMEOUT, LearnerFunction

__all__ = ["LOAD_TIMEOUT", "Failure", "LearnerFunction", "Mismatch", "Prose", "check", "recording_transcripts"]
