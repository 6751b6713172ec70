"""How close do the reference solutions come to the grader's time limits? A margin per limit.

    python scripts/margins.py [--runs 5] [--load 0|2]

Every time limit that a slow or busy machine (a shared CI runner, an autograder) could hit with
a correct program is shown next to the time the reference solutions actually used, worst case
over RUNS gradings of solutions/, and the margin (limit / used). A margin under 3x is flagged:
a machine three times slower than this one, or this one with more load, would fail a correct
program there. --load N grades while N busy-loop processes run (scripts/_load.py).

Measured in this process, without changing the grader: `grader.engine.run.grade()` runs here, with the
functions that wait wrapped (in this script only) to record how long each wait took and what
bound it had:
- learner module import (LearnerProcess.wait_loaded, and the fork of a loaded server) vs
  LOAD_TIMEOUT; serve() to listening (LearnerServer.start) vs READY_TIMEOUT;
- each call of a function exercise (LearnerProcess.call) vs its limit=, named by reading the
  check's source where the limit was given (a constant, WAITING[check], or a literal);
- the grader's waits for an answer (Client.recv_exactly/recv_until_eof/exchange, the HTTP
  Conversation's reads, requests.get in the checks) vs their deadlines: only waits that got
  what they waited for count; waits that ran out (a check waiting for silence) are counted apart;
- the slack a TimeoutError may take (STALL_SLACK: multi_message_client, tls_client); a
  udp_pinger round trip over the time the grader's UDP server held the reply (RTT_ABOVE), and
  within the ping's timeout; the grader's line-reply
  server sending the pieces of a reply `pause` apart while send_messages waits for each with its
  timeout= (SLOW_TIMEOUT for the 0.1 s pauses of check_slow_reply); the grader's paginated API
  answering within fetch_all's timeout (the strictest, STALL_TIMEOUT); helper threads stopping
  within their join bounds; every chat line the grader waits for, and the slowest line of each
  burst of chat_server's floods (its delay from sending to the last reader) vs LATE;
- each check's whole duration vs its pytest-timeout; each exercise vs EXERCISE_BUDGET; the whole
  grading vs grader batch's DEFAULT_TIMEOUT and the Gradescope DEFAULT_TIME_LIMIT (those two
  also pay for starting Python, about 0.3 s more); learner processes' CPU seconds vs the CPU
  limit, when grader/learner/limits.py defines one.
Some calls wait on purpose (the WAITING calls: a 0.5 s timeout, a 1 s Retry-After, backoffs), so
their margin is low by design; "spare" (limit - used) says how much slower the rest could be.
Not a test: the figures depend on the machine, so they are reported, not asserted (the exit
status is 1 only when a grading did not pass every check).
"""

import argparse
import functools
import linecache
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
import requests  # noqa: E402

from _load import burners, describe, load  # noqa: E402
from grader.cli import autograder
from grader.cli import batch
from grader.peers.http import conversation as http_conversation
from grader.learner import process as learner
from grader.learner import server as learner_server
from grader.peers import net
from grader.peers.chat import client as chat_client
from grader.peers.chat import flood as chat_flood
from grader.engine import plugin  # noqa: E402
from grader.peers.lines import server as line_reply_server
from grader.peers.pagination import api as paginated_api  # noqa: E402
from grader.peers.raw_http import server as scripted_http_server  # noqa: E402
from grader.track import EXERCISES  # noqa: E402
from grader.engine.run import grade  # noqa: E402
from grader.results import Report  # noqa: E402

GRADER_DIR = str(ROOT / "grader")
FLAG_BELOW = 3.0  # margins under this are flagged


@dataclass
class Row:
    name: str  # what is bounded
    where: str  # file:NAME of the bound
    limit: float
    worst: float = 0.0
    worst_at: str = ""  # exercise / check where the worst case happened
    count: int = 0
    ran_out: int = 0  # waits that ended at their deadline (not counted in worst)


ROWS = {}
LOCK = threading.Lock()
CHECK_MODULES = {}  # "multi_message_client" -> the check module pytest loaded, for its constants
current_check = ""  # "exercise / check_function", set while a check runs


def note(name, where, limit, used, *, ran_out=False, at=None):
    with LOCK:
        row = ROWS.setdefault((name, where, limit), Row(name, where, limit))
        row.count += 1
        if ran_out:
            row.ran_out += 1
        elif used >= row.worst:
            row.worst, row.worst_at = used, at or _where_now()


def _where_now():
    thread = threading.current_thread().name  # the checks' background calls name their check
    return f"{current_check.split(' / ')[0]} / {thread.rsplit('-', 1)[1]}" if "check_" in thread else current_check


# -- where a bound was set: read from the source of the check that set it ------------------------

def rel(path):
    return str(Path(path).resolve().relative_to(ROOT)) if str(path).startswith(str(ROOT)) else str(path)


@functools.cache
def defined_in(name, near):
    """"file:NAME" of the module that assigns NAME: the caller's own, or the grader module it imports
    NAME from."""
    source = Path(near).read_text(encoding="utf-8")
    if not re.search(rf"^{name}\s*=", source, re.M):
        for module, names in re.findall(r"^from grader\.(\w+) import (\([^)]*\)|.*)$", source, re.M):
            if re.search(rf"\b{name}\b", names):
                near = ROOT / "grader" / f"{module}.py"
    return f"{rel(near)}:{name}"


def grader_frames():
    """The frames of the grader's code on the stack, innermost first (not this script's)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.startswith(GRADER_DIR):
            yield frame
        frame = frame.f_back


def call_text(frame):
    """The source of the call a frame is making (all its lines)."""
    return _call_text(frame.f_code, frame.f_lasti)


@functools.cache
def _call_text(code, lasti):
    start, end = list(code.co_positions())[lasti // 2][:2]
    if start is None:
        return ""
    return " ".join(linecache.getline(code.co_filename, n).strip() for n in range(start, (end or start) + 1))


def signature_text(frame):
    code = frame.f_code
    text = " ".join(linecache.getline(code.co_filename, code.co_firstlineno + n).strip() for n in range(8))
    return text[text.find("def "):text.find("):") + 1]


def limit_source(limit):
    """Where the limit= of a learner call was given, following it out through helpers' parameters."""
    inner = None
    for frame in grader_frames():
        match = re.search(r"\blimit=([\w.]+)", call_text(frame))
        if match is None and inner is not None:  # the call relied on the helper's default
            match = re.search(r"\blimit=([\w.]+)", signature_text(inner))
        if match is None:
            break
        expr, path = match.group(1), frame.f_code.co_filename
        if expr == "planned.limit":  # a background call (grader/engine/background.py): its thread is named
            kata = frame.f_locals["planned"].run.__code__.co_filename  # after its check; WAITING is the kata's
            return f"{rel(kata)}:WAITING[{threading.current_thread().name.rsplit('-', 1)[1]}]"
        if re.fullmatch(r"[A-Z_][A-Z0-9_]*", expr):
            return defined_in(expr, path)
        if re.fullmatch(r"[\d.]+", expr):
            return f"{rel(path)}:{frame.f_lineno} (limit={expr} in {frame.f_code.co_name})"
        inner = frame
    return f"limit={limit:g} (source not found)"


def deadline_source(timeout):
    """(where, limit) of a wait's deadline: a constant named where the wait was asked for; a
    constant that set a ``deadline = time.monotonic() + NAME`` shared by several waits (then the
    limit is that constant, not what was left of it); else the only *TIMEOUT constant of the
    calling check's module with that value; else the check's line."""
    for frame in grader_frames():
        text, path = call_text(frame), frame.f_code.co_filename
        for name in re.findall(r"\b[A-Z_][A-Z0-9_]+\b", text):
            if frame.f_globals.get(name) == timeout:
                return defined_in(name, path), timeout
        if "deadline" in text:
            source = "".join(linecache.getlines(path)[frame.f_code.co_firstlineno - 1:frame.f_lineno])
            shared = re.findall(r"deadline = time\.monotonic\(\) \+ ([A-Z_][A-Z0-9_]*)", source)
            if shared and isinstance(frame.f_globals.get(shared[-1]), (int, float)):
                return defined_in(shared[-1], path) + " (shared deadline)", frame.f_globals[shared[-1]]
        if frame.f_code.co_name.startswith("check_"):
            same = [n for n, v in frame.f_globals.items() if n.isupper() and "TIMEOUT" in n and v == timeout]
            if len(same) == 1:
                return defined_in(same[0], path) + " (default)", timeout
            return f"{rel(path)}:{frame.f_lineno} ({timeout:g} s, a default or a literal)", timeout
    return f"{timeout:g} s (outside the checks)", timeout


# -- the wrappers -----------------------------------------------------------------------------

def wrap(owner, name, around):
    original = getattr(owner, name)
    setattr(owner, name, functools.wraps(original)(lambda *a, **k: around(original, *a, **k)))


def timed_wait(label, timeout_of, succeeded):
    """A wrapper for a method that waits up to a timeout; records successful waits' durations."""
    def around(original, self, *args, **kwargs):
        timeout = timeout_of(self, *args, **kwargs)
        if not isinstance(timeout, (int, float)) or not timeout:
            return original(self, *args, **kwargs)
        started = time.monotonic()
        where, limit = deadline_source(timeout)  # a shared deadline: limit - timeout had passed already
        try:
            result = original(self, *args, **kwargs)
        except Exception:
            used = time.monotonic() - started
            if used >= timeout - 0.01:
                note(label, where, limit, limit - timeout + used, ran_out=True)
            raise
        used = limit - timeout + time.monotonic() - started
        note(label, where, limit, used, ran_out=not succeeded(result, *args))
        return result
    return around


def timed(label, where, limit, ok=lambda result: True):
    """A wrapper recording how long a method took, against a fixed limit."""
    def around(original, *args, **kwargs):
        started = time.monotonic()
        result = original(*args, **kwargs)
        if ok(result):
            note(label, where, limit, time.monotonic() - started)
        return result
    return around


def install():
    wrap(learner.LearnerProcess, "wait_loaded",
         timed("learner module import", "grader/learner/process.py:LOAD_TIMEOUT", learner.LOAD_TIMEOUT))
    wrap(learner.ForkedCall, "start_call",
         timed("fork of the loaded learner module", "grader/learner/process.py:LOAD_TIMEOUT", learner.LOAD_TIMEOUT))

    def server_start(original, self):
        result = original(self)
        note("serve() called to listening", "grader/learner/server.py:READY_TIMEOUT",
             learner_server.READY_TIMEOUT, time.monotonic() - self.started_at)
        return result
    wrap(learner_server.LearnerServer, "start", server_start)

    def call(original, self, *args, limit, **kwargs):
        outcome = original(self, *args, limit=limit, **kwargs)
        note("learner function call", limit_source(limit), limit, outcome.elapsed, ran_out=outcome.timed_out)
        return outcome
    wrap(learner.LearnerProcess, "call", call)
    wrap(learner.ForkedFunction, "call", call)  # (the calls made beside the checks)

    own = lambda self, timeout=None, *a, **k: self.timeout if timeout is None else timeout  # noqa: E731
    wrap(net.Client, "recv_exactly", timed_wait(
        "grader waits for bytes (recv_exactly)", lambda self, count, timeout=None: own(self, timeout),
        lambda got, count, *a, **k: len(got) == count))
    wrap(net.Client, "recv_until_eof", timed_wait(
        "grader waits for the close (recv_until_eof)", own, lambda result, *a, **k: result[1]))
    wrap(net.Client, "exchange", timed_wait(
        "grader sends and reads back (exchange)", lambda self, payload, timeout, *a, **k: timeout,
        lambda got, payload, *a, **k: len(got) == len(payload)))
    conversation = http_conversation.Conversation
    wrap(conversation, "read_response", timed_wait(
        "grader waits for an HTTP response", own, lambda response, *a, **k: True))
    wrap(conversation, "wait_for_answer", timed_wait(
        "grader waits for an HTTP answer", own, lambda answered, *a, **k: answered))
    wrap(conversation, "wait_for_close", timed_wait(
        "grader waits for the server to close", own, lambda closed, *a, **k: closed))
    wrap(conversation, "stays_open", timed_wait(
        "grader waits for the server to close", own, lambda how, *a, **k: how is None))
    wrap(requests.Session, "request", timed_wait(
        "requests.get in the checks", lambda self, *a, timeout=None, **k: timeout,
        lambda response, *a, **k: True))

    def answering(original, self, request):  # the grader's API, answering while fetch_all waits
        original(self, request)
        if not request.delay:
            note("grader's API answers (fetch_all's timeout=)", "grader/katas/paginator/checks.py:STALL_TIMEOUT",
                 0.5, time.monotonic() - request.at)
    wrap(paginated_api.PaginatedAPI, "_answering", answering)
    def piece_sent(original, self, conn, text, data=None):  # a reply cut in pieces, `pause` apart
        original(self, conn, text, data)
        checks = CHECK_MODULES.get("multi_message_client")
        if text != "sent" or not self.pause or checks is None:
            return
        now, last = time.monotonic(), getattr(conn, "margins_sent_at", None)
        conn.margins_sent_at = now
        if last is not None:  # the client waits with send_messages's timeout= for each piece
            name = "SLOW_TIMEOUT" if self.pause == checks.SLOW_PAUSE else "TIMEOUT"
            note(f"pause between reply pieces ({self.pause:g} s asked)", f"grader/katas/multi_message_client/checks.py:{name}",
                 getattr(checks, name), now - last, at=None if name == "TIMEOUT" else "multi_message_client / "
                 "check_slow_reply")
    wrap(line_reply_server.LineReplyServer, "_say", piece_sent)
    def scripted_piece_sent(original, self, record, text, data=None):  # http_client: a response `pause` apart
        original(self, record, text, data)
        checks = CHECK_MODULES.get("http_client")
        if text != "sent" or self.script.pause != getattr(checks, "SLOW_PAUSE", None):
            return
        now, last = time.monotonic(), getattr(record, "margins_sent_at", None)
        record.margins_sent_at = now
        if last is not None:  # the client waits with http_get's timeout= for each piece
            note(f"pause between response pieces ({self.script.pause:g} s asked)",
                 "grader/katas/http_client/checks.py:SLOW_TIMEOUT", checks.SLOW_TIMEOUT, now - last,
                 at="http_client / check_slow_response")
    wrap(scripted_http_server.ScriptedServer, "_say", scripted_piece_sent)
    wrap(scripted_http_server.ScriptedServer, "stop", timed(
        "scripted HTTP server threads stop", "grader/peers/raw_http/server.py:STOP_TIMEOUT",
        scripted_http_server.STOP_TIMEOUT))
    wrap(line_reply_server.LineReplyServer, "stop", timed(
        "line-reply server thread stops", "grader/peers/lines/server.py:STOP_TIMEOUT",
        line_reply_server.STOP_TIMEOUT))
    wrap(paginated_api.PaginatedAPI, "close", timed(
        "paginated API threads stop (per thread)", "grader/peers/pagination/api.py:JOIN_TIMEOUT",
        paginated_api.JOIN_TIMEOUT))
    def chat_line(original, self, timeout=chat_client.LINE_TIMEOUT):  # the waits with a bound of their own
        started = time.monotonic()
        line = original(self, timeout)
        name = " and ".join(n for n in ("PROMPT_TIMEOUT", "LINE_TIMEOUT") if getattr(chat_client, n) == timeout)
        if name:  # (until_closed's waits, with what is left of its deadline, are counted there)
            note("grader waits for a chat line", f"grader/peers/chat/client.py:{name}", timeout,
                 time.monotonic() - started, ran_out=line is None)
        return line
    wrap(chat_client.ChatUser, "next_line", chat_line)
    wrap(chat_client.ChatUser, "until_closed", timed_wait(
        "grader waits for a refused chat client's close", lambda self, timeout: timeout,
        lambda result, *a, **k: result[1]))

    def burst(original, room, selector, talker, readers, texts, number, late, *rest):  # every line timed
        worst = original(room, selector, talker, readers, texts, number, late, *rest)
        note("a flooded chat line reaches every reader", "grader/katas/chat_server/checks.py:LATE", late, worst)
        return worst
    wrap(chat_flood, "_one_burst", burst)
    install_cpu_limit()

    real_main = pytest.main
    pytest.main = lambda args=None, plugins=None: real_main(args, plugins=[*(plugins or ()), Recorder()])


def install_cpu_limit():
    """Learner processes' CPU seconds at the moment they are stopped, if grader/learner/limits.py sets a limit."""
    try:
        from grader.learner.limits import Limits
        limit = float(Limits().cpu)
    except Exception:  # no such module (yet), or another shape: nothing to compare with
        return

    def cpu_seconds(pid):
        try:
            with open(f"/proc/{pid}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        except (OSError, IndexError, ValueError, TypeError):
            return None

    def before_stop(original, self):
        pid = self.proc.pid if isinstance(self, learner.LearnerProcess) and self.proc else self.pid
        used = cpu_seconds(pid) if pid else None
        if used is not None:
            note("CPU seconds of one learner process", "grader/learner/limits.py:Limits.cpu", limit, used)  # RLIMIT_CPU
        return original(self)
    wrap(learner.LearnerProcess, "stop", before_stop)
    wrap(learner.ForkedCall, "stop", before_stop)


class Recorder:
    """A pytest plugin added to the grader's run: times each check, wraps check-module helpers."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        global current_check
        current_check = f"{Path(str(item.fspath)).stem} / {item.name}"
        marker = item.get_closest_marker("timeout")
        limit = float(marker.args[0]) if marker and marker.args else 30.0
        started = time.monotonic()
        yield
        note("one check, setup to teardown (pytest-timeout)", "grader/engine/check.py:DEFAULT_TIMEOUT", limit,
             time.monotonic() - started)

    def pytest_collection_modifyitems(self, items):
        for module in {item.module for item in items}:
            CHECK_MODULES[Path(module.__file__).parent.name] = module  # (every one is checks.py: keyed by its exercise)
            if hasattr(module, "waited_in_silence") and not hasattr(module.waited_in_silence, "__wrapped__"):
                def silence(original, trial, module=module):
                    seconds = original(trial)
                    note("TimeoutError raised within timeout + slack", f"{rel(module.__file__)}:STALL_SLACK",
                         module.STALL_SLACK, seconds - module.STALL_TIMEOUT)
                    return seconds
                wrap(module, "waited_in_silence", silence)
            if hasattr(module, "rtt_problem") and not hasattr(module.rtt_problem, "__wrapped__"):
                def rtt(original, trial, index, value, due, module=module):  # udp_pinger: a round trip
                    if isinstance(value, float) and due is not None:  # vs the server's hold
                        note("round trip over the server's hold", "grader/katas/udp_pinger/checks.py:RTT_ABOVE",
                             module.RTT_ABOVE, value - due.hold)
                        note("reply within the ping's timeout (hold + trip)", "grader/katas/udp_pinger/checks.py:"
                             "TIMEOUT", trial.timeout, value)
                    return original(trial, index, value, due)
                wrap(module, "rtt_problem", rtt)
            if hasattr(module, "refill_gaps") and not hasattr(module.refill_gaps, "__wrapped__"):
                def refills(original, requests, limit, module=module):  # async_fetcher: a freed slot refilled
                    gaps = original(requests, limit)
                    for gap, _ in gaps:
                        note("a freed slot refilled (fetch_all)", "grader/katas/async_fetcher/checks.py:REFILL_GRACE",
                             module.REFILL_GRACE, max(gap, 0.0))
                    return gaps
                wrap(module, "refill_gaps", refills)
            if hasattr(module, "expect_settled") and hasattr(module, "CLOSE_GRACE") \
                    and not hasattr(module.expect_settled, "__wrapped__"):
                def settled(original, trial, expected, module=module):  # async_fetcher: closed after the return
                    returned = trial.outcome.returned_at
                    if returned is not None and trial.closes and None not in trial.closes:
                        note("connections closed after fetch_all returned", "grader/katas/async_fetcher/checks.py:"
                             "CLOSE_GRACE", module.CLOSE_GRACE, max(max(trial.closes) - returned, 0.0))
                    for request in trial.requests if current_check.endswith("check_clean_return") else ():
                        if request.end is not None and request.ending == module.GIVEN_UP and returned is not None:
                            note("a given-up request seen ended after the return", "grader/katas/async_fetcher/"
                                 "checks.py:GIVE_UP_SLACK", module.GIVE_UP_SLACK, max(request.end - returned, 0.0))
                    return original(trial, expected)
                wrap(module, "expect_settled", settled)


# -- running and reporting ----------------------------------------------------------------------

def grade_once(number):
    # One exercise at a time: grade() then runs its checks in this process, where the wrappers
    # record. (Given several, it grades each in a forked worker, and what a worker measured would
    # stay in the worker.) The whole grading's duration is then the sum, more than side by side.
    reports = [grade(ROOT / "solutions", [exercise]) for exercise in EXERCISES]
    report = Report([e for r in reports for e in r.exercises], str(ROOT / "solutions"),
                    sum(r.duration for r in reports))
    failing = [(e.name, c.name, c.message) for e in report.exercises for c in e.checks if c.status != "passed"]
    for exercise in report.exercises:
        note("one exercise's checks", "grader/engine/plugin.py:EXERCISE_BUDGET", plugin.EXERCISE_BUDGET,
             exercise.duration, at=exercise.name)
    note("grading one submission (grader batch)", "grader/cli/batch.py:DEFAULT_TIMEOUT", batch.DEFAULT_TIMEOUT,
         report.duration, at="all exercises")
    note("grading one submission (Gradescope)", "grader/cli/autograder.py:DEFAULT_TIME_LIMIT",
         autograder.DEFAULT_TIME_LIMIT, report.duration, at="all exercises")
    print(f"run {number}: {report.duration:.1f} s, {'every check passed' if not failing else 'FAILED'}", flush=True)
    for exercise, name, message in failing:
        print(f"  {exercise} / {name}:\n    " + message.replace("\n", "\n    "))
    return not failing


def table():
    rows = sorted(ROWS.values(), key=lambda r: r.limit / r.worst if r.worst else float("inf"))
    print(f"\n{'margin':>8}  {'limit s':>7}  {'used s':>7}  {'spare s':>7}  {'calls':>6}  {'ran out':>7}  "
          "what (where)  worst at")
    for row in rows:
        margin = row.limit / row.worst if row.worst else float("inf")
        flag = f"   <-- MARGIN UNDER {FLAG_BELOW:g}x" if margin < FLAG_BELOW else ""
        print(f"{margin:>7.1f}x  {row.limit:>7g}  {row.worst:>7.3f}  {row.limit - row.worst:>7.3f}  {row.count:>6}  "
              f"{row.ran_out:>7}  {row.name} ({row.where})  {row.worst_at}{flag}")
    tight = [r for r in rows if r.worst and r.limit / r.worst < FLAG_BELOW]
    print(f"\n{len(tight)} of {len(rows)} limits have a margin under {FLAG_BELOW:g}x" + (":" if tight else "."))
    for row in tight:
        print(f"  !!! {row.name} ({row.where}): {row.limit:g} s allowed, {row.worst:.3f} s used at {row.worst_at}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--load", type=int, default=0, metavar="N", help="busy-loop processes while grading")
    args = parser.parse_args()
    install()
    print(f"{args.runs} gradings of solutions/ in this process; {describe(args.load)}")
    passed = 0
    with burners(args.load):
        if args.load:
            time.sleep(1.0)
        print(f"/proc/loadavg at the start: {load()}")
        for number in range(1, args.runs + 1):
            passed += grade_once(number)
        print(f"/proc/loadavg at the end: {load()}")
    table()
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
