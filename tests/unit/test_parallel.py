"""The worker pool of grader/engine/parallel.py: a worker that has finished is collected at once."""

import os
import time
from types import SimpleNamespace

from grader.engine import parallel


def _wait_for(condition, bound=20.0):
    deadline = time.monotonic() + bound
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_a_worker_that_finished_is_collected_while_another_runs(tmp_path, monkeypatch):
    """Two places, three exercises: when the first ends, the third takes its place, and the
    second, ending while the third still runs, is collected (reaped) at once.

    A pipe closed while still registered with the selector once went on waking it under its old
    number, which the third worker's pipe had been given: the parent then sat in a blocking read
    of the third worker's pipe, collecting nobody until the third ended."""
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    last_started, slow_pid = tmp_path / "last started", tmp_path / "slow pid"

    def run_one(exercise):
        if exercise.name == "slow":
            slow_pid.write_text(str(os.getpid()))
            _wait_for(last_started.exists)
        if exercise.name == "last":
            last_started.touch()
            reaped = _wait_for(lambda: slow_pid.exists() and not os.path.exists(f"/proc/{slow_pid.read_text()}"))
            return {"last": "saw slow collected" if reaped else "starved"}
        return {exercise.name: "done"}

    exercises = [SimpleNamespace(name=n) for n in ("quick", "slow", "last")]
    results = parallel.run_in_workers(run_one, exercises, budget=60)
    assert results == {"quick": "done", "slow": "done", "last": "saw slow collected"}


def test_the_longest_exercises_start_first_and_results_keep_their_names(tmp_path, monkeypatch):
    """One place: the order the workers start in is the track's ``seconds``, longest first (the
    others then fit into its waits); the results come back keyed by exercise whatever the order."""
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "1")
    started = tmp_path / "started"

    def run_one(exercise):
        with open(started, "a") as log:
            log.write(exercise.name + "\n")
        return {exercise.name: "done"}

    exercises = [SimpleNamespace(name=n, seconds=s) for n, s in (("short", 0.3), ("long", 2.2), ("middle", 1.0))]
    results = parallel.run_in_workers(run_one, exercises, budget=60)
    assert started.read_text().split() == ["long", "middle", "short"]
    assert results == {"short": "done", "long": "done", "middle": "done"}
