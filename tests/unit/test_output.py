"""What a learner's program prints: drained whatever its volume, its start and end kept, the rest
counted (grader/learner/output.py); and how messages quote it, bounded (grader/quoting.py)."""

import os
import subprocess
import sys
import time

from grader.failures import Failure
from grader.learner.output import CappedOutput, Printed
from grader.quoting import GUTTER, MAX_LINE, MAX_LINES, cut_line, quote


def test_a_flood_is_drained_whole_and_only_its_start_and_end_are_kept():
    child = subprocess.Popen([sys.executable, "-c", "import sys\nfor n in range(200):\n"
                              "    sys.stdout.write(f'line {n:03d} ' + 'x' * 99_990 + '\\n')"], stdout=subprocess.PIPE)
    output = CappedOutput(child.stdout, keep=1024)
    assert child.wait(30) == 0  # never blocked on a full pipe
    output.join(5)
    assert output.total == 200 * 100_000
    text = output.text()
    assert text.startswith("line 000 ") and "bytes of output cut" in text and len(text) < 4000
    last = output.last_lines(3)
    assert isinstance(last, Printed) and last.total == output.total and last.cut
    assert last.endswith("x" * 50) and "\n" not in last  # one line: the keep holds less than the last one
    child.stdout.close()


def test_the_last_lines_since_a_mark_count_only_what_came_after_it():
    read, write = os.pipe()
    with os.fdopen(read, "rb") as stream:
        output = CappedOutput(stream)
        os.write(write, b"before\n")
        time.sleep(0.1)
        output.settle()
        mark = output.total
        os.write(write, b"one\ntwo\n")
        time.sleep(0.1)
        output.settle()
        last = output.last_lines(since=mark)
        assert last == "one\ntwo" and last.total == 8 and not last.cut
        assert output.last_lines(count=1) == "two" and output.last_lines(count=1).cut
        os.close(write)
        output.join()


def test_a_message_says_how_much_was_printed_when_it_quotes_part_of_it():
    quoted = Printed("last line", total=35_651_584)
    lines = Failure("It failed.", output=quoted).lines()
    assert lines[1:] == ["Your program printed 35,651,584 bytes in all (last lines):", GUTTER + "last line"]
    assert Failure("It failed.", output=Printed("all of it")).lines()[1] == "Your program printed (last lines):"


def test_a_long_quoted_line_is_cut_with_a_note_and_never_through_an_escape():
    line = "b'" + "\\xff" * 4000 + "'"
    cut = cut_line(line)
    assert len(cut) <= MAX_LINE and cut.endswith(" more characters]")
    kept = cut[: cut.index(" [... ")]
    assert kept.endswith("\\xff") or kept == "b'"  # whole escapes only
    assert cut_line("short") == "short"


def test_a_quoted_block_keeps_its_first_and_last_lines():
    rows = quote("Heading:", "\n".join(f"line {n}" for n in range(100)))
    assert len(rows) == 1 + MAX_LINES
    assert rows[1] == GUTTER + "line 0" and rows[-1] == GUTTER + "line 99"
    assert any("lines not shown" in row for row in rows)
    assert quote("Heading:", "a\nb") == ["Heading:", GUTTER + "a", GUTTER + "b"]
