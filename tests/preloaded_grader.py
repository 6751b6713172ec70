"""`python -m grader ARGS` for the tests, without paying Python's and pytest's start each time.

The project's tests grade a few hundred programs, each in a grader process of its own, as a
learner runs it. Most of such a process's CPU time is not grading but starting: the interpreter,
then pytest, Hypothesis and the check modules, about half a second of CPU each time on this
machine. So each test worker starts one grader process that imports all of that once (the
server below) and forks it for every grading: the fork runs the command line's ``main`` with
the arguments, folder, environment and standard streams a fresh ``python -m grader`` would
have, and exits with its status. The server does one grading at a time, and waits for it with
the caller's time bound; a grading that overruns it writes its threads' stacks to its stderr,
which the failing test shows.

Tests that need the process itself (its pid, signals, a terminal, a Popen) start a real one;
so does `run_grader(..., fresh=True)`.
"""

import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVER = r'''
import faulthandler, importlib, os, pickle, select, signal, struct, sys, time

import pytest, hypothesis  # noqa: F401  (once, for every fork)
import grader.cli.main
import grader.engine.run
import grader.engine.plugin
from grader.track import EXERCISES

for exercise in EXERCISES:
    try:
        importlib.import_module(f"grader.katas.{exercise.name}.checks")
    except Exception:
        pass  # an exercise being written: its graders import it themselves, and say why it fails

import gc
gc.freeze()  # what every fork inherits stays out of its collector's walks (and shared, not copied)

requests_in, replies_out = sys.stdin.buffer, sys.stdout.buffer


def read_request():
    header = requests_in.read(4)
    if len(header) < 4:
        return None
    return pickle.loads(requests_in.read(struct.unpack("!I", header)[0]))


def run(args, cwd, env, out_path, err_path, timeout):
    """The child: become `python -m grader ARGS` run in ``cwd`` with ``env``, and exit. One that
    overruns ``timeout`` writes where each of its threads is to its stderr, and exits."""
    code = 3
    try:
        os.setpgid(0, 0)
        for fd, path, mode in ((0, os.devnull, os.O_RDONLY), (1, out_path, os.O_WRONLY), (2, err_path, os.O_WRONLY)):
            opened = os.open(path, mode)
            os.dup2(opened, fd)
            os.close(opened)
        faulthandler.dump_traceback_later(timeout, exit=True)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = ["grader", *args]
        from grader.learner import process
        process.GRADER_PID = os.getpid()  # as a fresh grader's own
        try:
            code = grader.cli.main.main(args)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 2)
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(int(code or 0))


while (request := read_request()) is not None:
    args, cwd, env, out_path, err_path, timeout = request
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        run(args, cwd, env, out_path, err_path, timeout)
    pidfd = os.pidfd_open(pid)
    ready, _, _ = select.select([pidfd], [], [], timeout + 5)
    timed_out = not ready or time.monotonic() - started >= timeout
    if not ready:  # (not even its own dump ended it)
        os.killpg(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(pidfd)
    if timed_out:
        from grader.learner import process
        process.stop_strays(pid)  # what it had started, as its own end would have stopped
    reply = pickle.dumps((pid, os.waitstatus_to_exitcode(status), timed_out))
    replies_out.write(struct.pack("!I", len(reply)) + reply)
    replies_out.flush()
'''


class PreloadedGrader:
    """One server process, started on first use, for one test worker."""

    def __init__(self):
        self.process = None
        self.lock = threading.Lock()

    def _server(self):
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, "-c", SERVER], cwd=ROOT, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=None)
        return self.process

    def run(self, args, cwd, env, timeout):
        """(exit status, stdout, stderr) of `python -m grader ARGS` in ``cwd`` with ``env``."""
        with self.lock, tempfile.TemporaryDirectory(prefix="netkata-test-grader-") as folder:
            out, err = Path(folder) / "stdout", Path(folder) / "stderr"
            out.touch()
            err.touch()
            server = self._server()
            request = pickle.dumps((list(args), str(cwd), dict(env), str(out), str(err), timeout))
            server.stdin.write(struct.pack("!I", len(request)) + request)
            server.stdin.flush()
            header = server.stdout.read(4)
            if len(header) < 4:
                raise RuntimeError("the preloaded grader server died")
            pid, status, timed_out = pickle.loads(server.stdout.read(struct.unpack("!I", header)[0]))
            if timed_out:  # where the grader's threads were: the end of its stderr
                print(err.read_text(encoding="utf-8", errors="replace")[-20000:], file=sys.stderr)
                raise subprocess.TimeoutExpired(["grader", *args], timeout)
            return status, out.read_text(encoding="utf-8", errors="replace"), \
                err.read_text(encoding="utf-8", errors="replace")

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


PRELOADED = PreloadedGrader()
