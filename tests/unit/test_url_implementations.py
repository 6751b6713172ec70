"""The url_validator implementations against the grader's oracle (grader/katas/url_validator/rules.py).

The reference solution and every correct_*.py agree with the oracle on the example table, on
generated URLs and on the speed inputs; every broken_*.py disagrees with it on a table row and
on some generated URL, except the catastrophic regex, which is caught by its slowness (measured
in a child process that is killed, never in this one), and the three that never load (NOT_LOADED).
"""

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.katas.url_validator.rules import (
    ADVERSARIAL_INPUTS, EXAMPLES, RAISING_INPUTS, SLOW_CALL_SECONDS, is_valid_url)
from grader.katas.url_validator import corpus_data as url_corpus_data


ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "url_validator" / "url_validator.py"
IMPLEMENTATIONS = ROOT / "tests" / "implementations" / "url_validator"
CORRECT = [SOLUTION, *sorted(IMPLEMENTATIONS.glob("correct_*.py"))]
CATASTROPHIC = IMPLEMENTATIONS / "broken_catastrophic_regex.py"
# Caught before any answer: no is_valid_url, a helper module that is not handed in, an import of
# the grader (which the learner's child refuses): tests/test_url_validator.py proves the first
# check fails for each. Loaded here, the last would answer as the oracle does.
NOT_LOADED = {"broken_wrong_function_name", "broken_imports_helper", "broken_imports_grader"}
BROKEN = [path for path in sorted(IMPLEMENTATIONS.glob("broken_*.py"))
          if path != CATASTROPHIC and path.stem not in NOT_LOADED]

def load(path):
    """The implementation's is_valid_url, from a module of its own name."""
    spec = importlib.util.spec_from_file_location(f"url_impl_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.is_valid_url


def answer(function, url):
    """What the function returns for url, or the exception it raised."""
    try:
        return function(url)
    except Exception as error:  # a raise is a wrong answer, shown as such
        return error


def table_mistakes(function):
    return [(e.url, e.valid) for e in EXAMPLES if answer(function, e.url) is not e.valid]


@pytest.fixture(scope="module")
def generated_urls():
    """The URLs the strategies generate, as stored in the corpus the checks replay.

    Drawing them again costs Hypothesis about 5 ms each (tens of seconds in all);
    tests/unit/test_url_corpus.py proves the stored ones are what the rules say they are.
    """
    return list(url_corpus_data.VALID) + [url for urls in url_corpus_data.BROKEN.values() for url in urls]


def disagreeing(functions, urls):
    """The names of the functions that answer some of urls unlike the oracle."""
    names = set()
    for url in urls:
        expected = is_valid_url(url)
        names.update(name for name, f in functions.items() if answer(f, url) is not expected)
    return names


@pytest.mark.parametrize("path", CORRECT, ids=lambda path: path.stem)
def test_a_correct_implementation_answers_every_table_row_right(path):
    assert table_mistakes(load(path)) == []


def test_the_correct_implementations_agree_with_the_oracle_on_generated_urls(generated_urls):
    assert disagreeing({path.stem: load(path) for path in CORRECT}, generated_urls) == set()


@pytest.mark.parametrize("path", CORRECT, ids=lambda path: path.stem)
def test_a_correct_implementation_answers_the_speed_inputs_right_and_in_time(path):
    function = load(path)
    for adversarial in ADVERSARIAL_INPUTS:
        started = time.perf_counter()
        result = function(adversarial.url)
        elapsed = time.perf_counter() - started
        assert result is is_valid_url(adversarial.url), adversarial.expression
        assert elapsed < SLOW_CALL_SECONDS, (adversarial.expression, elapsed)


@pytest.mark.parametrize("path", CORRECT, ids=lambda path: path.stem)
def test_a_correct_implementation_answers_every_raising_input_with_a_bool(path):
    function = load(path)
    assert [url for url in RAISING_INPUTS if answer(function, url) is not is_valid_url(url)] == []


def test_the_raising_inputs_catch_the_implementation_that_raises():
    function = load(IMPLEMENTATIONS / "broken_raises_on_unclosed_bracket.py")
    assert any(isinstance(answer(function, url), ValueError) for url in RAISING_INPUTS)


@pytest.mark.parametrize("path", BROKEN, ids=lambda path: path.stem)
def test_a_broken_implementation_answers_some_table_row_wrong(path):
    assert table_mistakes(load(path)) != []


def test_every_broken_implementation_answers_some_generated_url_wrong(generated_urls):
    functions = {path.stem: load(path) for path in BROKEN}
    missed = sorted(set(functions) - disagreeing(functions, generated_urls))
    assert missed == [], ", ".join(missed)


CALL = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("implementation", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print("loaded", flush=True)
print(module.is_valid_url(sys.argv[2]))
"""


def answer_in_child(path, url, limit):
    """path's is_valid_url(url) run in a child process, timed from when the module is loaded:
    the printed answer, or None when the call took longer than limit (the child is killed)."""
    with subprocess.Popen([sys.executable, "-c", CALL, str(path), url],
                          stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout.readline() == "loaded\n"
            child.wait(timeout=limit)
            return child.stdout.read().strip()
        except subprocess.TimeoutExpired:
            return None
        finally:
            child.kill()


def test_the_catastrophic_regex_takes_over_a_second_on_a_short_input():
    url = ADVERSARIAL_INPUTS[0].url
    assert len(url) < 40
    assert answer_in_child(SOLUTION, url, limit=30) == "False"
    assert answer_in_child(CATASTROPHIC, url, limit=1.0) is None
