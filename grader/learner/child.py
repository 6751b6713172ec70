"""The bootstrap that runs a learner's module in a child process.

Learner code never runs in the grader's process: a learner bug (an infinite loop, os._exit,
a megabyte print, a segfault) must cost only this child. The grader starts this file as a
script (``python -u learner_child.py FILE FUNCTION``) and talks to it over a control channel:

* requests arrive on the child's original standard input, one JSON object per line:
  ``{"args": [...], "kwargs": {...}}`` calls the function here;
  ``{"fork": ID, "args": [...], "kwargs": {...}}`` (POSIX) forks a copy of this process, already
  past its imports, that makes the call in a process group of its own: a fresh server for each
  check in a millisecond instead of a new interpreter; with ``"pipes": true`` the grader sends
  two pipes over the socket NETKATA_FD_SOCKET names, one for the fork's standard output and
  error, one for its events, so that forks running side by side never mix what they print or say;
* events go back on the child's original standard output, one JSON object per line:
  ``loaded``, ``load_error``, ``no_function``, ``returned``, ``raised``, and for forks
  ``forked`` and ``exited`` (the fork's exit status); a fork's events carry its ``fork`` ID.

Before the learner's module is imported, file descriptors 0 and 1 are moved out of the way, so
the learner's ``print`` (fd 1) goes to fd 2, which the grader captures with a size cap, and the
learner's ``input()`` sees end of file. Closing or redirecting ``sys.stdout`` in learner code
cannot touch the control channel.

Before the import, the child limits itself (memory, CPU time, file size; see grader/learner/limits.py,
which passes the numbers in NETKATA_CHILD_LIMITS) and, on Linux, becomes a "child subreaper":
a daemon that the learner's code double-forks into a session of its own is then adopted by this
process instead of by init, so it stays in this process's tree, where the grader finds and stops
it. Forks for servers do the same. A MemoryError or a "file too large" error that ends a thread
of the learner's program is reported as a ``limit`` event, so that the grader can name the limit.

This file imports only the standard library and nothing from the grader package, so that a
child starts in a few tens of milliseconds. It runs with ``python -S``: processing the
environment's .pth files costs more than everything else at start-up, and every check starts a
child. The grader passes its own import path instead (NETKATA_SYS_PATH), so the learner's
imports (the standard library, requests) resolve as they do when they run their own file.
"""

import builtins
import errno
import importlib.util
import json
import os
import select
import signal
import sys

_reserve = bytearray(1 << 20)  # freed on MemoryError, so that the grader still hears about it
CHANNEL_LOST = 75  # exit status: the learner's code closed the control channel's descriptors
MAX_TEXT = 1500  # characters of a message or traceback sent back; the rest is cut. Events stay
# under PIPE_BUF (4096 bytes), so a fork's event and its parent's are never interleaved.


def _take_control_channel():
    """Keep the original stdin/stdout for the grader, give the learner harmless ones."""
    control_in = _Requests(os.dup(0))
    control_out_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # the learner's stdout joins their stderr in the captured stream
    return control_in, control_out_fd


def _limit_yourself():
    """Apply the per-process limits (``memory,cpu,file_size`` in NETKATA_CHILD_LIMITS)."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    memory, cpu, file_size = (int(n) for n in os.environ.pop("NETKATA_CHILD_LIMITS", "0,0,0").split(","))
    wanted = [(resource.RLIMIT_CORE, 0)]  # a crash must not write a core file into the learner's folder
    if memory:
        # RLIMIT_DATA, not RLIMIT_AS: address space merely reserved (malloc arenas of threads) is
        # not memory used, and counting it would fail correct threaded servers.
        wanted.append((getattr(resource, "RLIMIT_DATA", None), memory))
    if cpu:
        wanted.append((resource.RLIMIT_CPU, cpu))
    if file_size:
        wanted.append((resource.RLIMIT_FSIZE, file_size))
    for which, value in wanted:
        if which is None:
            continue
        try:
            hard = resource.getrlimit(which)[1]
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            # Hard limits equal to the soft ones, so that the learner's code cannot raise them
            # (except as root). Past the CPU soft limit the process gets SIGXCPU; a process that
            # ignores it is killed 5 s later.
            resource.setrlimit(which, (value, value + 5 if which == resource.RLIMIT_CPU else value))
        except (ValueError, OSError):
            pass


def become_subreaper():
    """Adopt the orphans of this process's descendants (Linux): escaped daemons stay in our tree."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _drop_privileges():
    """In the grader's sandbox as root (grader/learner/sandbox.py): become the unprivileged uid it
    names, with no supplementary groups, no capabilities (a uid change from root clears them) and
    no way to gain any again (PR_SET_NO_NEW_PRIVS). If that fails, the learner's code never runs."""
    wanted = os.environ.pop("NETKATA_DROP_TO", "")
    if not wanted:
        return
    try:
        import ctypes

        uid, gid = (int(n) for n in wanted.split(":"))
        if os.geteuid() == 0:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
        if ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if os.getuid() == 0 or os.geteuid() == 0:
            raise OSError(errno.EPERM, "still root")
    except (OSError, ValueError) as exc:
        os.write(2, f"netkata: could not drop privileges ({exc}); not running the program\n".encode())
        os._exit(77)


def limit_hit(exc):
    """The grader's name of the limit this exception shows was hit, or None."""
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return "file_size"
    return None


def _report_limits_of_threads(control_out, tag):
    """A thread that dies of a hit limit says so on the control channel, then as Python would.

    Only when the learner's code uses threads (importing threading costs a child 5 ms)."""
    threading = sys.modules.get("threading")
    if threading is None:
        return

    def hook(args):
        limit = limit_hit(args.exc_value)
        if limit:
            try:
                _send(control_out, {"event": "limit", "limit": limit, **tag})
            except OSError:
                pass
        threading.__excepthook__(args)

    threading.excepthook = hook


def _send(fd, event):
    data = (json.dumps(event) + "\n").encode("ascii")
    while data:
        written = os.write(fd, data)
        data = data[written:]


class _Requests:
    """The grader's request lines, read from the descriptor itself; once ``wake_on_signals`` is
    called, each wait for the next line also watches a pipe that Python writes to on a signal.

    A blocking read alone loses signals: one that arrives just before the read starts runs only
    the C half of its handler, and the Python half (which reports that a fork exited) would then
    wait for the next request. The grader waits for that report while it stops the fork."""

    def __init__(self, fd):
        self.fd = fd
        self._buffer = bytearray()  # (a request line may be megabytes)
        self._wakeup = None  # the signal pipe's (read, write) ends
        self._poll = None  # the two, watched together

    def wake_on_signals(self):
        if self._wakeup is None:
            self._wakeup = os.pipe()
            for end in self._wakeup:
                os.set_blocking(end, False)
            signal.set_wakeup_fd(self._wakeup[1], warn_on_full_buffer=False)
            self._poll = select.poll()  # (not select(): the learner's imports may have opened 1024 files)
            for fd in (self.fd, self._wakeup[0]):
                self._poll.register(fd, select.POLLIN)

    def __iter__(self):
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end + 1])
                del self._buffer[:end + 1]
                yield line
                continue
            if self._wakeup is not None:
                ready = {fd for fd, _ in self._poll.poll()}
                if self._wakeup[0] in ready:
                    while True:  # (the handlers themselves have run, or run at the next line)
                        try:
                            if not os.read(self._wakeup[0], 512):
                                break
                        except BlockingIOError:
                            break
                if self.fd not in ready:
                    continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                if self._buffer:
                    yield bytes(self._buffer)
                return
            self._buffer += chunk

    def close(self):
        """In a fork: none of this is its own."""
        if self._wakeup is not None:
            signal.set_wakeup_fd(-1)
            for end in self._wakeup:
                os.close(end)
        os.close(self.fd)


class _Forks:
    """The forks this process made: their IDs by pid, reaped as they exit."""

    def __init__(self, control_out, requests):
        self.control_out = control_out
        self.ids = {}
        signal.signal(signal.SIGCHLD, self._reap)
        requests.wake_on_signals()

    def _reap(self, signum, frame):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.ids:
                _send(self.control_out, {"event": "exited", "fork": self.ids.pop(pid),
                                         "status": os.waitstatus_to_exitcode(status)})

    def fork(self, request, function, control_in, learner_file, pipes=None, fd_socket=None):
        """Fork for one call; ``pipes``: (output, control), two pipes the grader made for this call,
        for the fork's fd 1 and 2 and for its events (``forked`` and ``exited`` stay on this
        process's channel: they are short, so forks side by side never cut into each other's)."""
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])
        try:
            pid = os.fork()
            if pid == 0:
                status = 70  # whatever happens here, this fork must never return into the loop
                try:
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
                    os.setpgid(0, 0)  # stopping this fork stops what it started, not its siblings
                    become_subreaper()  # not inherited across fork()
                    control_out = self.control_out
                    if pipes is not None:
                        output, control_out = pipes
                        os.dup2(output, 2)
                        os.dup2(output, 1)
                        os.close(output)
                        os.close(self.control_out)
                    if fd_socket is not None:
                        fd_socket.close()  # (the pipes of later forks are not this one's to take)
                    _report_limits_of_threads(control_out, {"fork": request["fork"]})
                    control_in.close()
                    ended = _call(request, function, control_out, learner_file, {"fork": request["fork"]})
                    if pipes is not None and not ended:
                        # A function's call: the fork stays, as a loaded child waiting for its next
                        # call would, until the grader stops it (a socket left open stays open).
                        sys.stdout.flush()
                        sys.stderr.flush()
                        while True:
                            signal.pause()
                    status = 5 if ended else 0  # (as the child's own main() says a SystemExit)
                    sys.stdout.flush()
                    sys.stderr.flush()
                except OSError as exc:
                    status = CHANNEL_LOST if exc.errno == errno.EBADF else status
                finally:
                    os._exit(status)
            self.ids[pid] = request["fork"]
            _send(self.control_out, {"event": "forked", "fork": request["fork"], "pid": pid})
        finally:
            for fd in pipes or ():
                os.close(fd)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])


def _fd_socket():
    """The socket the grader hands each fork's pipes through (NETKATA_FD_SOCKET), or None."""
    number = os.environ.pop("NETKATA_FD_SOCKET", "")
    if not number.isdigit():
        return None
    import socket

    try:
        return socket.socket(fileno=int(number))
    except OSError:
        return None


def _received_pipes(fd_socket):
    """The (output, control) pipes the grader sent with a fork request; None if they cannot be
    had (the learner's code closed the socket: the fork then uses its parent's)."""
    if fd_socket is None:
        return None
    import socket

    try:
        _, fds, _, _ = socket.recv_fds(fd_socket, 1, 2)
    except OSError:
        return None
    if len(fds) != 2:
        for fd in fds:
            os.close(fd)
        return None
    return tuple(fds)


def _call(request, function, control_out, learner_file, tag):
    """Make one call and report how it ended; True if the process should end now."""
    try:
        value = function(*map(decode_argument, request["args"]),
                         **{k: decode_argument(v) for k, v in request["kwargs"].items()})
        if type(value).__name__ == "coroutine" and hasattr(value, "__await__"):
            value, tag = _run_coroutine(value, tag)
    except BaseException as exc:
        if isinstance(exc, MemoryError):
            global _reserve
            _reserve = None
        _send(control_out, {"event": "raised", **tag, **_describe_exception(exc, learner_file)})
        return isinstance(exc, (SystemExit, KeyboardInterrupt))
    try:
        encoded = encode_value(value)
    except RecursionError:
        encoded = {"repr": "<nested too deeply>", "type": type(value).__name__}
    _send(control_out, {"event": "returned", **tag, "value": encoded})
    return False


def decode_argument(data):
    """The inverse of the grader's ``encode_argument``: bytes come tagged, the rest is JSON."""
    if isinstance(data, dict) and set(data) == {"bytes"}:
        import base64

        return base64.b64decode(data["bytes"])
    if isinstance(data, list):
        return [decode_argument(item) for item in data]
    return data


def _run_coroutine(coroutine, tag):
    """Run an ``async def`` contract function's coroutine as ``asyncio.run`` does (async_fetcher).

    The time it returned (``time.monotonic()``, one clock for every process of the machine) is
    taken before ``asyncio.run`` cancels what the coroutine left running, so the grader can tell
    a request still in flight at the return from one that ended before it."""
    import asyncio
    import time

    async def awaited():
        value = await coroutine
        return value, time.monotonic()

    value, returned_at = asyncio.run(awaited())
    return value, {**tag, "returned_at": returned_at}


def encode_value(value, depth=0):
    """Turn a learner's return value into JSON without losing what a check must see.

    JSON alone would turn bytes, tuples and str into lookalikes; the tags keep them apart, so
    the grader can say "returned bytes instead of str". Anything else is sent as its repr.
    """
    if depth > 20:
        return {"repr": "<nested too deeply>", "type": type(value).__name__}
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            return {"repr": repr(value)[:MAX_TEXT], "type": "int"}
        return value
    if isinstance(value, (bytes, bytearray)):
        import base64

        return {"bytes": base64.b64encode(bytes(value)).decode("ascii"), "type": type(value).__name__}
    if isinstance(value, list):
        return [encode_value(item, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [encode_value(item, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[encode_value(k, depth + 1), encode_value(v, depth + 1)] for k, v in value.items()]}
    try:
        text = repr(value)
    except BaseException:  # a learner's __repr__ may raise anything
        text = "<unprintable>"
    encoded = {"repr": text[:MAX_TEXT], "type": type(value).__name__}
    if isinstance(value, BaseException):  # an exception returned as a value: its classes, to judge its type
        encoded["mro"] = [f"{c.__module__}.{c.__qualname__}" for c in type(value).__mro__]
    return encoded


def _learner_traceback(exc, learner_file):
    """The traceback lines that a learner can act on: their own frames, not this bootstrap's."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-MAX_TEXT:]


def _describe_exception(exc, learner_file):
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    in_learner = [f for f in frames if os.path.abspath(f.filename) == learner_file]
    line = in_learner[-1].lineno if in_learner else None
    if isinstance(exc, SyntaxError) and exc.filename and os.path.abspath(exc.filename) == learner_file:
        line = exc.lineno
    return {
        "type": type(exc).__name__,
        "module": type(exc).__module__,
        "mro": [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__],
        "message": str(exc)[:MAX_TEXT],
        "line": line,
        "traceback": _learner_traceback(exc, learner_file),
        "not_implemented": isinstance(exc, NotImplementedError),
        "exit_code": exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else None,
        "limit": limit_hit(exc),
    }


def _load(learner_file, module_name, source):
    """Run the learner's source file as module ``module_name``: always the source, never bytecode
    from a __pycache__ beside it (which Python would run in its place, even if it came from
    another file)."""
    spec = importlib.util.spec_from_file_location(module_name, learner_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    code = compile(source, learner_file, "exec", dont_inherit=True)
    exec(code, module.__dict__)
    return module


GRADER_IMPORT = "a graded program never imports the grader (the contract's last clause): it must run without it"


class _NoGrader:
    """A meta path finder that refuses the grader's own package to the learner's program: every
    contract's last clause says it never imports the grader, and it is installed wherever the grade
    is given, so only refusing the import makes that clause hold everywhere (this file itself
    imports nothing of it)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "grader" or name.startswith("grader."):
            raise ModuleNotFoundError(f"No module named {name!r}: {GRADER_IMPORT}", name=name)
        return None


def main():
    learner_file = os.path.abspath(sys.argv[1])
    function_name = sys.argv[2]
    control_in, control_out = _take_control_channel()
    fd_socket = _fd_socket()
    _limit_yourself()
    become_subreaper()
    # The learner's folder comes first on sys.path, as when they run their own file; the
    # grader's folder (this script's) must not be there to shadow their imports.
    inherited = [p for p in os.environ.pop("NETKATA_SYS_PATH", "").split(os.pathsep) if p]
    sys.path[:] = [os.path.dirname(learner_file)] + [p for p in inherited if p not in sys.path[1:]] + sys.path[1:]
    builtins.exit = builtins.quit = sys.exit  # what site would have provided
    sys.meta_path.insert(0, _NoGrader)
    module_name = os.path.splitext(os.path.basename(learner_file))[0]
    try:
        with open(learner_file, "rb") as file:  # read before the privileges go: the folders above
            source = file.read()  # it may be closed to the unprivileged uid
    except OSError as exc:
        source = exc
    _drop_privileges()
    try:
        if isinstance(source, OSError):
            raise source
        module = _load(learner_file, module_name, source)
    except BaseException as exc:
        _send(control_out, {"event": "load_error", **_describe_exception(exc, learner_file)})
        return 3
    function = getattr(module, function_name, None)
    if not callable(function):
        names = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        _send(control_out, {"event": "no_function", "defined": names[:20]})
        return 4
    _report_limits_of_threads(control_out, {})
    forks = None
    _send(control_out, {"event": "loaded", "pid": os.getpid()})
    for line in control_in:
        request = json.loads(line)
        if "fork" in request:
            forks = forks or _Forks(control_out, control_in)
            pipes = _received_pipes(fd_socket) if request.get("pipes") else None
            forks.fork(request, function, control_in, learner_file, pipes, fd_socket)
        elif _call(request, function, control_out, learner_file, {}):
            return 5
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except OSError as exc:
        if exc.errno != errno.EBADF:
            raise
        sys.exit(CHANNEL_LOST)
