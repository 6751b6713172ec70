"""The stored draws of the url_validator strategies, and the check module's shrinker and literals."""

import pytest

from grader.katas.url_validator import checks
from grader.katas.url_validator import corpus as url_corpus
from grader.katas.url_validator import corpus_data as url_corpus_data
from grader.learner.process import Outcome
from grader.katas.url_validator.rules import find_violation



def test_the_stored_valid_urls_are_valid():
    assert [url for url in url_corpus_data.VALID if find_violation(url) is not None] == []


def test_the_stored_broken_urls_break_their_rule_first():
    wrong = [(key, url, find_violation(url)) for key, urls in url_corpus_data.BROKEN.items() for url in urls
             if find_violation(url) is None or find_violation(url).rule != key[0]]
    assert wrong == []


def test_every_breaker_has_its_stored_urls_shortest_first():
    assert set(url_corpus_data.BROKEN) == set(url_corpus.breaker_strategies())
    groups = [url_corpus_data.VALID, *url_corpus_data.BROKEN.values()]
    assert all(len(urls) >= 15 for urls in groups)
    assert all([len(url) for url in urls] == sorted(len(url) for url in urls) for urls in groups)


def test_the_stored_valid_urls_hold_every_host_form():
    hosts = [url.split("/")[2] for url in url_corpus_data.VALID]
    assert any(host.startswith("[") and "::" in host for host in hosts)
    assert any(host.startswith("[") and "." in host for host in hosts)
    assert any(set(host.partition(":")[0]) <= set("0123456789.") for host in hosts)
    assert any(len(host.partition(":")[0]) > 240 for host in hosts)
    assert any(":0" in host.rpartition("]")[2] or ":0" in host for host in hosts)


# --- the check module's helpers, with a validator in this process -------------------------------

class FakeLearner:
    """``learner.call`` for a function of this process: Outcome as the engine makes it."""

    def __init__(self, function):
        self.function = function
        self.calls = 0

    def call(self, url, *, limit):
        self.calls += 1
        try:
            return Outcome(value=self.function(url))
        except Exception as error:  # noqa: BLE001 - a raise is an answer here
            from grader.learner.process import RaisedError
            return Outcome(raised=RaisedError(type(error).__name__, [type(error).__name__], str(error), ""))


def accepts_any_letters_scheme(url):
    """The oracle, but any scheme of letters is fine."""
    scheme, separator, rest = url.partition("://")
    return bool(separator and scheme.isalpha() and scheme.isascii()
                and find_violation("http://" + rest) is None)


def test_shrinking_keeps_the_rule_and_the_wrong_answer_and_makes_the_url_small():
    url = "Ws://225.202.62.218/;/:T::%6B/:%2b/%52%5F%fcY%94%7D%A1O?rx%42%bA/V/#Q?&%96/=%fe%CB"
    answers = checks.Answers(FakeLearner(accepts_any_letters_scheme))
    small, outcome = checks.shrink(answers, url)
    assert outcome.value is True and find_violation(small).rule == 1
    assert len(small) <= len("ws://0.0.0.0"), small
    assert small == small.lower()


def test_shrinking_a_raise_keeps_the_raise():
    def raises_on_brackets(url):
        if "[" in url:
            raise ValueError("Invalid IPv6 URL")
        return find_violation(url) is None

    answers = checks.Answers(FakeLearner(raises_on_brackets))
    small, outcome = checks.shrink(answers, "HTTP://[::1]:8000/a/b?c#d")
    assert outcome.raised.type == "ValueError"
    assert find_violation(small) is None  # the valid URL stays valid: the same failure
    assert small == "http://[::]"


def test_generated_failures_are_shrunk_but_explicit_examples_are_not():
    learner = FakeLearner(lambda url: "[" not in url and find_violation(url) is None)
    with pytest.raises(checks.Failure) as caught:
        checks.expect_generated(learner, [(("http://[::1]:8000/",), False)])
    assert caught.value.summary == "is_valid_url('http://[::1]:8000/') returned False; expected True."
    with pytest.raises(checks.Failure) as caught:
        checks.expect_generated(learner, [(("http://a", "http://[1::2]:80/x?y"), True)])
    assert caught.value.summary == "is_valid_url('http://[::]') returned False; expected True."
    assert "removing characters" in caught.value.note


@pytest.mark.parametrize("url", ["", "http://a", "a" * 9, "http://x/'\"\\\t\n\x00\x7f", "http://\u212aelvin/\ud800",
                                 "http://\U0001f600" + "b" * 63 + ".c"])
def test_a_url_is_shown_and_pasted_as_python_that_builds_it(url):
    assert eval(checks.expression(url, quote=ascii)) == url
    literal = checks.expression(url, quote=checks._literal)
    assert eval(literal) == url
    assert "'" not in literal and literal.isascii() and literal.isprintable()


def test_a_long_run_reads_as_a_repetition():
    name = "a" * 63 + "." + "z" * 61
    assert checks.shown(f"http://{name}/") == "'http://' + 'a' * 63 + '.' + 'z' * 61 + '/'"
    assert checks.shown("http://example.com/" + "x1" * 100 + "\n").endswith("\\n' (220 characters)")
