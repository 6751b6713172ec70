"""The decorator that turns a pytest test into a graded check.

Like check50's ``@check``, it carries what the learner reads: the sentence (shown next to the
pass or fail mark), the points, and a hint for when it fails. The metadata rides on a pytest
marker, so the runner stays plain pytest and the plugin reads it through the usual hooks.
``grader.engine.catalog`` reads the same arguments from the source without importing the check
module: write them as literals or module constants (``hint=SLOW_HINT``), not as calls.

A check is identified by its function (its id is ``<exercise>.<function name>``). ``needs``
names the earlier checks this one depends on, by function (``needs=check_get``, or a tuple of
them); a sentence is still accepted. When one of them did not pass, this one is skipped with
that reason instead of failing for it again. The marker carries them as function names;
``check_infos`` reads the markers of collected items back as the catalog's CheckInfo.
"""

from pathlib import Path

import pytest

from grader.engine.catalog import CheckInfo, as_needs, check_id

DEFAULT_TIMEOUT = 30  # seconds; pytest-timeout's last guard, behind every socket deadline
SENTENCE = "__netkata_sentence__"  # on a check function: its sentence, so a later needs= can find it


def check(sentence, *, points, hint=None, needs=None, timeout=DEFAULT_TIMEOUT):
    def decorate(function):
        needed = tuple(_function_name(n, function) for n in as_needs(needs))
        setattr(function, SENTENCE, sentence)
        function = pytest.mark.check(sentence=sentence, points=points, hint=hint, needs=needed)(function)
        return pytest.mark.timeout(timeout)(function)
    return decorate


def _function_name(needed, function):
    """The name of the earlier check of ``function``'s module that ``needed`` names (the check
    function itself, or its sentence)."""
    if callable(needed):
        if getattr(needed, SENTENCE, None) is None or needed.__module__ != function.__module__:
            raise ValueError(f"{function.__name__}: needs={needed.__name__} is not a check of the same module")
        return needed.__name__
    for value in list(function.__globals__.values()):  # the module as far as it has run
        if callable(value) and getattr(value, SENTENCE, None) == needed:
            return value.__name__
    raise ValueError(f"{function.__name__}: needs={needed!r} is the sentence of no earlier check")


def check_infos(items):
    """A CheckInfo for every item (by node id), read from its ``check`` marker: the same as the
    catalog reads from the source (grader/engine/catalog.py), the needs resolved to ids."""
    sentences = {}
    infos = {}
    for item in items:
        marker = item.get_closest_marker("check")
        function = getattr(item, "originalname", item.name)
        exercise = Path(str(item.fspath)).parent.name  # the kata's folder
        kwargs = marker.kwargs if marker else {}
        needs_ids = tuple(check_id(exercise, name) for name in kwargs.get("needs", ()))
        info = CheckInfo(kwargs.get("sentence", item.name), float(kwargs.get("points", 0.0)), kwargs.get("hint"),
                         tuple(sentences.get(n, n) for n in needs_ids), check_id(exercise, function), needs_ids)
        sentences[info.id] = info.name
        infos[item.nodeid] = info
    return infos
