"""Calls made side by side in forks of one loaded child (grader/learner/process.py ForkedFunction):
each fork prints to a pipe of its own and says how its call ended on a channel of its own, and a
fork whose call returned stays until the grader stops it, as a loaded child would."""

import os
import signal
import threading
import time

import pytest

from grader.failures import Failure
from grader.learner import procfs
from grader.learner.process import ForkedCall, ForkedFunction, LearnerProcess
from grader.peers import run_state

MODULE = '''
import sys, time
kept = []
def work(name, pause, size=0):
    for n in range(3):
        print(f"{name} line {n}", flush=True)
        time.sleep(pause)
    if size:
        return "x" * size
    kept.append(open(__file__))  # left open: it stays open while the fork does
    return name
'''


def _loaded(tmp_path):
    path = tmp_path / "module.py"
    path.write_text(MODULE)
    process = LearnerProcess(path, "work", "module", fork_outputs=True)
    process.start()
    return process


def test_forks_side_by_side_keep_their_output_and_results_apart(tmp_path, monkeypatch):
    monkeypatch.setenv("NETKATA_ISOLATION", "off")
    with run_state.fresh():
        loaded = _loaded(tmp_path)
        outcomes = {}

        def call(name, size=0):
            function = ForkedFunction(lambda: loaded)
            outcomes[name] = function.call(name, 0.02, size, limit=10)
            function.close()

        threads = [threading.Thread(target=call, args=(name, 2_000_000 if name == "big" else 0))
                   for name in ("alpha", "beta", "big")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        loaded.stop()
    assert outcomes["alpha"].value == "alpha" and outcomes["beta"].value == "beta"
    assert outcomes["big"].value == "x" * 2_000_000  # an event far past PIPE_BUF, beside the others
    for name in ("alpha", "beta", "big"):
        assert outcomes[name].output == "\n".join(f"{name} line {n}" for n in range(3)), outcomes[name].output


def test_a_fork_whose_call_returned_stays_until_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("NETKATA_ISOLATION", "off")
    with run_state.fresh():
        loaded = _loaded(tmp_path)
        function = ForkedFunction(lambda: loaded)
        assert function.call("gamma", 0.0, limit=10).value == "gamma"
        pid = function.fork.pid
        assert os.path.exists(f"/proc/{pid}") and function.fork.alive()
        function.close()
        assert function.fork is None
        deadline = time.monotonic() + 5
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not os.path.exists(f"/proc/{pid}")
        loaded.stop()


def test_every_thread_waiting_on_a_fork_hears_that_it_exited(tmp_path, monkeypatch):
    """A stop made while the call's own thread waits for its outcome (a background call
    cancelled): both hear the fork exit, and neither waits out its bound."""
    monkeypatch.setenv("NETKATA_ISOLATION", "off")
    with run_state.fresh():
        loaded = _loaded(tmp_path)
        fork = ForkedCall(loaded)
        fork.start_call("slow", 30.0)
        ended = {}

        def wait(name):
            fork.exit_status(wait=10)
            ended[name] = time.monotonic()

        threads = [threading.Thread(target=wait, args=(name,)) for name in ("call", "stop")]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(fork._events.not_empty._waiters) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)  # (until both wait: the queue's own record of its waiters)
        killed = time.monotonic()
        os.kill(fork.pid, signal.SIGKILL)
        for thread in threads:
            thread.join(15)
        fork.stop()
        loaded.stop()
    assert fork.status == -signal.SIGKILL
    assert sorted(ended) == ["call", "stop"] and max(ended.values()) - killed < 1.5, ended


def test_a_call_stopped_before_it_started_never_starts(tmp_path, monkeypatch):
    """A stop that comes before the start (a background call cancelled as it begins) leaves no
    fork behind: one started after its stop would never be stopped."""
    monkeypatch.setenv("NETKATA_ISOLATION", "off")
    with run_state.fresh():
        loaded = _loaded(tmp_path)
        try:
            fork = ForkedCall(loaded)
            fork.stop()
            with pytest.raises(Failure, match="stopped this call before it started"):
                fork.start_call("never", 0.0)
            assert procfs.children(loaded.pid) == []
        finally:
            loaded.stop()
