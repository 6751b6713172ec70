"""What a check module may use: the one surface between an exercise's checks and the engine.

A kata's checks (``grader/katas/<exercise>/checks.py``) import the decorator, the failures, the
learner-side handles and the background calls from here, and protocol peers from
``grader.peers``; never the engine's or the learner layer's modules themselves (an
import-linter contract in pyproject.toml says so), so the engine can change behind this surface
without touching ten exercises.
"""

from grader.engine.background import BackgroundCall, BackgroundCalls, background_calls
from grader.engine.check import check
from grader.engine.plugin import recording_transcripts
from grader.failures import Failure, Mismatch, Prose
from grader.learner.process import LOAD_TIMEOUT, LearnerFunction

__all__ = ["LOAD_TIMEOUT", "BackgroundCall", "BackgroundCalls", "Failure", "LearnerFunction", "Mismatch", "Prose",
           "background_calls", "check", "recording_transcripts"]
