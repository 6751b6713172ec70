"""Calls made side by side in forks of one loaded child (grader/learner/process.py ForkedFunction):
each fork prints to a pipe of its own and says how its call ended on a channel of its own, and a
fork whose call returned stays until the grader stops it, as a loaded child would."""

import os
import threading
import time

from grader.learner.process import ForkedFunction, LearnerProcess
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
