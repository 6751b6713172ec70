"""The decorator that turns a pytest test into a graded check.

Like check50's ``@check``, it carries what the learner reads: the sentence (shown next to the
pass or fail mark), the points, and a hint for when it fails. The metadata rides on a pytest
marker, so the runner stays plain pytest and the plugin reads it through the usual hooks.
The sentence is the first argument of ``@check(...)`` as a string literal: ``grader.engine.catalog``
reads it from the source without importing the check module. ``needs`` names (by sentence,
or a tuple of sentences) the earlier checks this one depends on: when one of them did not
pass, this one is skipped with that reason instead of failing for it again.
"""

import pytest

from grader.engine.catalog import as_needs

DEFAULT_TIMEOUT = 30  # seconds; pytest-timeout's last guard, behind every socket deadline


def check(sentence, *, points, hint=None, needs=None, timeout=DEFAULT_TIMEOUT):
    def decorate(function):
        function = pytest.mark.check(sentence=sentence, points=points, hint=hint, needs=as_needs(needs))(function)
        return pytest.mark.timeout(timeout)(function)
    return decorate
