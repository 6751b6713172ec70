"""The URLs Hypothesis draws from the url_validator strategies, drawn once and stored.

Hypothesis spends about 5 ms of CPU drawing one URL from the grammars of
``grader/katas/url_validator/strategies.py`` (a valid URL is over a hundred choices), while the learner answers
one in a fraction of a millisecond. Drawing the nine hundred URLs of the two generated-URL checks
on every grading run would cost five seconds of CPU; calling the learner on them costs a fifth
of a second. So they are drawn once, here (derandomized, so always the same ones), and stored
in ``url_corpus_data.py``, shortest first within each strategy: the first URL a learner's
function gets wrong is then a short one.

    python -m grader.katas.url_validator.corpus    # rewrite url_corpus_data.py (after changing a strategy)

Drawing again may give other URLs even with unchanged strategies: Hypothesis's draws depend on
its version, and it mixes in string and number literals it finds in the local modules loaded
(here grader.katas.url_validator.rules, grader.katas.url_validator.strategies and this module). That is harmless: any draw
will do, as long as the stored URLs are what the oracle says they are and every breaker has its
own (tests/unit/test_url_corpus.py).
"""

from pathlib import Path

import hypothesis
from hypothesis import HealthCheck, given, settings

from grader.katas.url_validator.strategies import BREAKERS, valid_urls

VALID_EXAMPLES = 100  # valid URLs (one strategy, many forms)
BROKEN_EXAMPLES = 30  # URLs of each breaker (one kind of break each)
DATA_FILE = Path(__file__).with_name("corpus_data.py")

SETTINGS = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                    suppress_health_check=list(HealthCheck))


def draw_all(strategy, examples):
    """The distinct values Hypothesis draws from ``strategy`` in ``examples`` tries, in order."""
    values = []

    @settings(SETTINGS, max_examples=examples)
    @given(strategy)
    def draw(value):
        values.append(value)

    draw()
    return tuple(dict.fromkeys(values))


def breaker_strategies():
    """{(rule, index): strategy} for every breaker of ``BREAKERS``; each draws (url, rule)."""
    return {(rule, index): breaker for rule, breakers in BREAKERS.items()
            for index, breaker in enumerate(breakers)}


def shortest_first(urls):
    return tuple(sorted(urls, key=len))


def draw_corpus():
    """(valid URLs, {(rule, index): broken URLs}), each shortest first."""
    valid = shortest_first(draw_all(valid_urls(), VALID_EXAMPLES))
    broken = {key: shortest_first(dict.fromkeys(url for url, _ in draw_all(strategy, BROKEN_EXAMPLES)))
              for key, strategy in breaker_strategies().items()}
    return valid, broken


def render(valid, broken):
    """The source of url_corpus_data.py; every URL as an ASCII-only literal."""
    lines = [
        '"""URLs drawn by grader/katas/url_validator/corpus.py from grader/katas/url_validator/strategies.py. Generated: do not edit."""',
        "",
        f"HYPOTHESIS_VERSION = {hypothesis.__version__!r}",
        "",
        "VALID = (",
        *(f"    {ascii(url)}," for url in valid),
        ")",
        "",
        "BROKEN = {  # (rule, index in BREAKERS[rule]): URLs",
    ]
    for key, urls in broken.items():
        lines.append(f"    {key!r}: (")
        lines.extend(f"        {ascii(url)}," for url in urls)
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    DATA_FILE.write_text(render(*draw_corpus()), encoding="utf-8")
    print(f"wrote {DATA_FILE} (Hypothesis {hypothesis.__version__})")


if __name__ == "__main__":
    main()
