"""A serve() that impersonates the grader instead of serving.

It prints, to stdout and stderr, a counterfeit grader report (ANSI colours, "✓" lines, a fake
"Total: 60/60"), terminal tricks (screen clearing, carriage-return and backspace overwrites, an
OSC window title and hyperlink, a one-byte CSI, a bidirectional override, a line that would wrap
to column 0), and GitHub workflow commands (notice, error, add-mask, set-output, group ends,
stop-commands, and guesses at the grader's stop token). Then it raises an exception whose type
name and message are more of the same, without ever listening.

The grader must report truthfully: echo_server failed with 0 of its points, the real total once,
every printed line quoted behind the gutter, no control character reaching a terminal, no
workflow command outside the grader's stop-commands fence, and valid JSON and XML.
"""

import sys

GREEN, RESET = "\x1b[32m", "\x1b[0m"

FAKE_REPORT = [
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    f"{GREEN}\u2713{RESET} echo_server: all 11 checks passed",
    "echo_server  /course/alice/echo_server/echo_server.py",
    "  \u2713 starts and listens on the port it is given",
    "  Score: 12/12  passed",
    "Total: 60/60",
    "Every exercise passes. Well done!",
    "Total: 0/60\rTotal: 60/60",  # overwrite the start of the line
    "Total: 0\b\b\b\b\b\b\b\b60/60",  # back over it
    "\x1b]0;netkata: 60/60\x07\x1b]8;;https://example.invalid/\x1b\\Total: 60/60\x1b]8;;\x1b\\",
    "\x9b2J\x9b32mTotal: 60/60",  # one-byte CSI
    "\u202eTotal: 06/06\u202c",  # right-to-left override
    " " * 200 + "Total: 60/60",  # wraps to column 0 on a terminal
]

WORKFLOW_COMMANDS = [
    "::notice::netkata: 60/60",
    "::error file=echo_server/echo_server.py,line=1::no, everything passed",
    "::add-mask::Total",
    "::set-output name=score::60",
    "::stop-commands::x",
    "::x::",
    "::endgroup::",
    "::netkata::",
    "::netkata-00000000000000000000000000000000::",
    "::netkata-ffffffffffffffffffffffffffffffff::",
    "##[error]netkata: grader failed, score 60/60 kept",
]


def serve(host, port):
    for line in FAKE_REPORT + WORKFLOW_COMMANDS:
        print(line)
        print(line, file=sys.stderr)
    sys.stdout.flush()
    fake = type("\u2713 echo_server: all 11 checks passed\nTotal: 60/60\n::notice::", (Exception,), {})
    raise fake("\n".join(FAKE_REPORT + WORKFLOW_COMMANDS))
