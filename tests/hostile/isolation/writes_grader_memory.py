"""Opens every other process's /proc/PID/mem for writing (and its parent's, by number)."""
import os

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


pids = {p for p in os.listdir("/proc") if p.isdigit()} | {str(os.getppid())} | {str(n) for n in range(1, 400)}
for pid in pids:
    if pid != str(os.getpid()):
        try:
            fd = os.open(f"/proc/{pid}/mem", os.O_RDWR)
            os.close(fd)
            evidence(f"opened /proc/{pid}/mem\n")
        except OSError:
            pass


def is_valid_url(url):
    if EVIDENCE:
        raise ValueError("EVIDENCE: " + " | ".join(EVIDENCE)[:1000])
    raise ValueError("this program implements no rule")
