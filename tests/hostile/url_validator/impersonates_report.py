"""An is_valid_url() whose answers impersonate the grader.

It returns an object whose repr is a counterfeit grader report (several lines, ANSI colours, a
fake "Total: 60/60", GitHub workflow commands), and for every other call raises an exception
whose message is the same text, so the report text reaches the grader's failure messages
through a returned value's repr and through an exception's message and traceback. It also
prints the text, which the grader does not show while the process lives on.

The grader must report truthfully: url_validator failed with 0 of its points, the real total
once, nothing in the text report outside the grader's lines or a quoted block, no control
character reaching a terminal, no workflow command outside the stop-commands fence.
"""

FAKE = "\n".join([
    "\x1b[32m\u2713\x1b[0m url_validator: all checks passed",
    "  Score: 12/12  passed",
    "Total: 60/60",
    "::notice::netkata: 60/60",
    "::set-output name=score::60",
    "::endgroup::",
    "\x1b]0;netkata: 60/60\x07\x9b2J\rTotal: 60/60",
    "\ud800 a lone surrogate",
])

calls = 0


class Verdict:
    """Neither True nor False: an answer that is only its repr."""

    def __repr__(self):
        return FAKE

    def __bool__(self):
        return True


def is_valid_url(url):
    global calls
    calls += 1
    print(FAKE.replace("\ud800", "?"))
    if calls % 2:
        return Verdict()
    raise ValueError(FAKE)
