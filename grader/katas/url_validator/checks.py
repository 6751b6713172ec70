"""Checks for exercise 4, url_validator (exercises/url_validator/README.md:
``is_valid_url(url: str) -> bool``; the rules: docs/url-rules.md).

The learner's function runs in a child process; every call has a time limit
(``SLOW_CALL_SECONDS``), so a regular expression that backtracks forever is reported as too
slow, with the input that triggered it, instead of hanging the grader. The truth is the
grader's own oracle, ``grader.katas.url_validator.rules.find_violation``, which also says which rule a URL
breaks and why.

- Checks 2 to 8 call the rows of the example table (``url_rules.EXAMPLES``), one group of rows
  each, and stop at the first wrong answer: it names the rule and shows the URL with repr(), so
  a tab or a final newline is visible.
- Checks 9 and 10 call the URLs Hypothesis draws from the grammar of the rules
  (``grader/katas/url_validator/strategies.py``): valid ones, and ones with one rule broken, breaker by breaker.
  The draws are stored (``grader/katas/url_validator/corpus.py`` says why), shortest first; a wrong answer is
  made smaller by removing characters while the answer stays wrong in the same way, and the
  message shows that URL with the rule it breaks.
- Check 11 times long and adversarial inputs; the answers themselves are graded by the others.

A raise counts as a wrong answer in every check, so check 1 failing skips nothing.
"""

import time

from grader.katas.url_validator import corpus_data as url_corpus_data
from grader.authoring import check
from grader.failures import Failure, one_line
from grader.peers.reproduce import learner_folder
from grader.katas.url_validator.rules import (
    ADVERSARIAL_INPUTS, EXAMPLES, MAX_LABEL_LENGTH, RAISING_INPUTS, RULES, SLOW_CALL_SECONDS, find_violation)

LIMIT = SLOW_CALL_SECONDS  # seconds each call may take, crossing the process boundary included
SHRINK_BUDGET = 2.0  # seconds of calls to make a failing generated URL smaller; then it is shown
SHOWN = 120  # characters of a repr shown whole; a longer URL is shown by its two ends
RUN = 8  # a character repeated this often or more is shown as 'a' * 63
PASTE_LIMIT = 300  # characters of a URL's expression beyond which no command to paste is offered

SLOW_HINT = ("Scan the URL once, left to right. In a regular expression, a repeated group that can "
             "match the same text in several ways, such as ([a-z0-9]+-?)*, tries every way when the "
             "match fails: write a label as [A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?.")


# --- one call, and how its answer reads -----------------------------------------------------------

class Answers:
    """The learner's answers, one call per distinct URL (shrinking meets some URLs again)."""

    def __init__(self, learner):
        self.learner = learner
        self.known = {}

    def __call__(self, url):
        if url not in self.known:
            self.known[url] = self.learner.call(url, limit=LIMIT)
        return self.known[url]


def is_right(outcome, expected):
    return outcome.returned and type(outcome.value) is bool and outcome.value is expected


def what_happened(outcome):
    """'returned True', 'raised ValueError: ...', ...: the call's end in a few words."""
    if outcome.timed_out and not outcome.limit:
        return f"gave no answer within {LIMIT:g} s"
    ending = outcome.ending(LIMIT, show_value=_shown)
    return "gave nothing back: " + ending.removeprefix("nothing: ") if ending.startswith("nothing: ") else ending


def _shown(value):
    if type(value) is bool:
        return str(value)
    kind = getattr(value, "type", None) or type(value).__name__
    return f"{one_line(repr(value))} (a {kind}, not a bool)"


def expression(url, quote):
    """Python that builds ``url``: one literal, with runs of a repeated character written as
    'a' * 63, so a 253-character name reads as its labels."""
    parts, text, start = [], "", 0
    while start < len(url):
        end = start
        while end < len(url) and url[end] == url[start]:
            end += 1
        if end - start >= RUN:
            if text:
                parts.append(quote(text))
            parts.append(f"{quote(url[start])} * {end - start}")
            text = ""
        else:
            text += url[start:end]
        start = end
    if text or not parts:
        parts.append(quote(text))
    return " + ".join(parts)


def shown(url):
    """``expression(url)`` in ASCII (ascii() writes the Kelvin sign as '\\u212a', not as a K);
    when that is long, the start and the end of the URL (a hidden character is often last)."""
    text = expression(url, quote=ascii)
    if len(text) <= SHOWN:
        return text
    return f"{ascii(url[:SHOWN * 2 // 3])} ... {ascii(url[-SHOWN // 3:])} ({len(url):,} characters)"


def call_text(url):
    return f"is_valid_url({shown(url)})"


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _literal(text):
    """A str literal in double quotes with no single quote and only printable ASCII, to paste
    inside '...' in a shell: hidden characters stay visible as escapes."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif 0x20 <= code < 0x7F and char != "'":
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def by_hand(expression):
    """A command that calls the learner's function on a Python expression and prints the answer."""
    return (f"cd {learner_folder('url_validator')} && python -c 'from url_validator import is_valid_url; "
            f"print(repr(is_valid_url({expression})))'")


def _reproduce(url):
    command = expression(url, quote=_literal)
    return by_hand(command) if len(command) <= PASTE_LIMIT else None


def wrong_answer(url, outcome, expected, why, note=None):
    """The Failure for one wrong answer: the call, what came of it, what the rules say."""
    traceback = outcome.raised.traceback.rstrip() if outcome.raised is not None else None
    return Failure(f"{call_text(url)} {what_happened(outcome)}; expected {expected}.",
                   note="\n".join(line for line in (why, note) if line), traceback=traceback or None,
                   reproduce=_reproduce(url),
                   output=(outcome.output or None) if outcome.exit_status is not None else None)


def too_slow(url, note=None):
    return Failure(f"Too slow: {call_text(url)} gave no answer within {LIMIT:g} s, so the grader "
                   "stopped it.",
                   note=note, hint=SLOW_HINT, reproduce=_reproduce(url))


def verdict(url):
    """(the bool the rules give, why), from the grader's oracle."""
    violation = find_violation(url)
    if violation is None:
        return True, "The URL follows every rule."
    return False, f"It breaks {violation}."


# --- the example table ------------------------------------------------------------------------

def rows(valid, rule=None):
    return [row for row in EXAMPLES if row.valid is valid and (rule is None or row.rule == rule)]


def expect_rows(learner, group):
    """Every row of ``group`` gets the answer of the table; stop at the first that does not."""
    for passed, row in enumerate(group):
        outcome = learner.call(row.url, limit=LIMIT)
        before = (f"{passed} of the {len(group)} URLs of this check got the right answer before this one."
                  if passed else f"This is the first of the {len(group)} URLs of this check.")
        if outcome.timed_out:
            raise too_slow(row.url, note=before)
        if is_right(outcome, row.valid):
            continue
        if row.valid:
            why = f"The URL follows every rule ({row.reason})."
        else:
            why = f"It breaks rule {row.rule} ({RULES[row.rule]}): {row.reason}."
        raise wrong_answer(row.url, outcome, row.valid, why, note=before)


# --- generated URLs: the stored draws, and a failing one made as small as it can be ----------------

def expect_generated(learner, groups):
    """Every URL of every group (shortest first) gets the oracle's answer; a wrong answer is shrunk
    before it is shown (``shrink``). A group of explicit examples is shown as it is."""
    answers = Answers(learner)
    for urls, shrinkable in groups:
        for url in urls:
            outcome = answers(url)
            if outcome.timed_out:
                raise too_slow(url)
            expected, why = verdict(url)
            if not is_right(outcome, expected):
                if shrinkable:
                    url, outcome = shrink(answers, url)
                    expected, why = verdict(url)
                    why += ("\nThe grader found this URL by removing characters from a longer generated "
                            "one that got the same wrong answer.")
                raise wrong_answer(url, outcome, expected, why)


def failing_as(url, outcome):
    """What makes a failure the same failure: the rule broken, and the same wrong answer."""
    violation = find_violation(url)
    if outcome.raised is not None:
        answer = ("raised", outcome.raised.type)
    elif outcome.exit_status is not None:
        answer = ("exited",)
    elif type(outcome.value) is bool:
        answer = ("returned", outcome.value)
    else:
        answer = ("returned", getattr(outcome.value, "type", None) or type(outcome.value).__name__)
    return (violation and violation.rule, answer)


def shrink(answers, url):
    """A smaller URL that breaks the same rule (or none) and gets the same wrong answer.

    Hypothesis's shrinker would redraw the URL from the grammar at about 5 ms a try; deleting
    characters and lowering letters only costs the learner's answer, a fraction of a
    millisecond. Chunks are removed first (halves, quarters, ... single characters), until none
    can be; then capital letters are lowered where the failure stays. Bounded by SHRINK_BUDGET
    seconds; a try that times out ends the shrinking (each would cost the whole limit).
    Returns (url, outcome).
    """
    target = failing_as(url, answers(url))
    stop_at = time.monotonic() + SHRINK_BUDGET

    def same_failure(candidate):
        nonlocal stop_at
        if time.monotonic() > stop_at:
            return False
        outcome = answers(candidate)
        if outcome.timed_out:
            stop_at = 0
            return False
        return not is_right(outcome, verdict(candidate)[0]) and failing_as(candidate, outcome) == target

    changed = True
    while changed:
        changed = False
        size = max(1, len(url) // 2)
        while True:
            start = 0
            while start < len(url):
                candidate = url[:start] + url[start + size:]
                if candidate != url and same_failure(candidate):
                    url, changed = candidate, True
                else:
                    start += max(1, size // 2)
            if size == 1:
                break
            size //= 2
    for index, char in enumerate(url):
        if char.isupper():
            candidate = url[:index] + char.lower() + url[index + 1:]
            if same_failure(candidate):
                url = candidate
    return url, answers(url)


# --- the checks ---------------------------------------------------------------------------------

@check("returns True or False for any string, without raising", points=1,
       hint="Every path through your function must end in return True or return False. urlsplit raises "
            "ValueError on unbalanced brackets, int() refuses more than 4300 digits, and url.encode() "
            "fails on a lone surrogate: check before you call them. With a regex, return "
            "pattern.fullmatch(url) is not None, not the match.")
def check_returns_a_bool(learner):
    for url in RAISING_INPUTS:
        outcome = learner.call(url, limit=LIMIT)
        if outcome.timed_out:
            raise too_slow(url)
        if not (outcome.returned and type(outcome.value) is bool):
            raise wrong_answer(url, outcome, "True or False",
                               "is_valid_url must answer every str with a bool, and never raise.")


@check("accepts valid URLs of every form", points=1.5,
       hint="Compare the scheme after .lower(). Split an IPv6 host at its ']', not at the first ':'. "
            "One trailing '.' after a name is allowed, and a port may have leading zeros (080 is 80).")
def check_accepts_valid(learner):
    expect_rows(learner, rows(valid=True))


@check("rejects schemes other than http and https, and a missing //", points=1,
       hint="The URL must start with http:// or https:// (in any letter case): compare "
            "url.partition('://')[0].lower() with exactly those two, and require the '://'.")
def check_rejects_bad_schemes(learner):
    expect_rows(learner, rows(valid=False, rule=1))


@check("rejects user information before the host", points=0.5,
       hint="Find the authority first: it runs from :// to the first '/', '?' or '#'. Any '@' in it makes "
            "the URL invalid (an '@' in the path is fine).")
def check_rejects_userinfo(learner):
    expect_rows(learner, rows(valid=False, rule=2))


@check("rejects bad host names, IPv4 and IPv6 addresses", points=2,
       hint="Check each label (1 to 63 of A-Z a-z 0-9 -, no '-' at either end), the name's length (253 "
            "without the final '.'), and that the last label starts with a letter. An IPv4 address is four "
            "numbers 0 to 255 with no leading zeros. An IPv6 address may not contain '%'.")
def check_rejects_bad_hosts(learner):
    expect_rows(learner, rows(valid=False, rule=3))


@check("accepts ports 1 to 65535 only", points=1,
       hint="Check that the port has 1 to 5 characters, all in 0123456789, before you call int() (which "
            "accepts '+80', '8_0' and Arabic-Indic digits). Then check 1 <= port <= 65535. A ':' with "
            "nothing after it is invalid.")
def check_port_range(learner):
    expect_rows(learner, rows(valid=False, rule=4))


@check("rejects spaces, control characters and non-ASCII anywhere", points=1,
       hint="First check that every character is between '!' and '~': all('!' <= c <= '~' for c in url). "
            "With a regex, use fullmatch ('$' matches before a final newline), [A-Za-z0-9] instead of "
            "\\w or \\d, and no re.IGNORECASE.")
def check_rejects_hidden_characters(learner):
    expect_rows(learner, rows(valid=False, rule=0))


@check("rejects bad characters and percent escapes in path, query and fragment", points=1,
       hint="At each '%', the next two characters must be hex digits. The fragment starts at the first "
            "'#' and may not contain another one. Brackets belong only around an IPv6 host, and "
            "<>\"{}|\\^` only as %XX escapes.")
def check_rejects_bad_path_characters(learner):
    expect_rows(learner, rows(valid=False, rule=5))


# Explicit examples first, as @example would: the usual mistakes, caught without any shrinking.
LONGEST_NAME = ".".join(["a" * MAX_LABEL_LENGTH] * 3 + ["b" * 61])  # 253 characters
VALID_FIRST = ("http://[::1]:8000/", "HTTPS://EXAMPLE.COM./?#", f"http://{LONGEST_NAME}/")


@check("accepts generated valid URLs", points=1,
       hint="Compare the scheme after .lower(). Split an IPv6 host at its ']', not at the first ':'. "
            "One trailing '.' after a name is allowed, and a port may have leading zeros (080 is 80).")
def check_accepts_generated(learner):
    expect_generated(learner, [(VALID_FIRST, False), (url_corpus_data.VALID, True)])


@check("rejects generated URLs that break one rule", points=1,
       hint="The message names the rule the URL breaks: read that rule again in README.md, and ask the "
            "grader why with python -m grader.katas.url_validator 'URL'.")
def check_rejects_generated(learner):
    expect_generated(learner, [(urls, True) for urls in url_corpus_data.BROKEN.values()])


@check("answers long and adversarial inputs within a second each", points=1,
       hint="Scan the URL once, left to right, looking at each character a bounded number of times. In a "
            "regular expression, a repeated group that can match the same text in several ways, such as "
            "([a-z0-9]+-?)*, tries every way when the match fails: write a label as "
            "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?.")
def check_fast(learner):
    for number, adversarial in enumerate(ADVERSARIAL_INPUTS):
        outcome = learner.call(adversarial.url, limit=LIMIT)
        if outcome.timed_out:
            built = " + ".join(
                part for part in (_literal(adversarial.prefix) if adversarial.prefix else "",
                                  f"{_literal(adversarial.unit)} * {adversarial.count}",
                                  _literal(adversarial.suffix) if adversarial.suffix else "") if part)
            raise Failure(
                f"Too slow: is_valid_url({adversarial.expression}) gave no answer within {LIMIT:g} s, so "
                f"the grader stopped it ({len(adversarial.url):,} characters).",
                note=(f"{number} of the {len(ADVERSARIAL_INPUTS)} inputs of this check were answered in time "
                      "before this one. " if number else "") +
                     "Only the time counts here; the other checks grade the answers.",
                reproduce=by_hand(built) + "   (Ctrl-C stops it)")
