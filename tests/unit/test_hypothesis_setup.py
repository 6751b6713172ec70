"""The grader's Hypothesis setup: the same inputs whatever else is loaded."""

import importlib
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.engine.run import configure_hypothesis


def _draws():
    seen = []

    @settings(derandomize=True, database=None, max_examples=40)
    @given(st.text())
    def record(text):
        seen.append(text)

    record()
    return seen


def test_loading_another_module_does_not_change_the_inputs(tmp_path, monkeypatch):
    configure_hypothesis()
    before = _draws()
    (tmp_path / "lots_of_literals.py").write_text(
        "WORDS = " + repr([f"literal-{i}" for i in range(200)]) + "\nNUMBERS = " + repr(list(range(1000, 1200))))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("lots_of_literals")
    try:
        assert _draws() == before
    finally:
        sys.modules.pop("lots_of_literals", None)
