"""Looks for the grader's secrets: in its own environment, and in every process's /proc/PID/environ."""
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


found = [k for k, v in os.environ.items() if "s3cret-of-the-grader" in v]
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if b"s3cret-of-the-grader" in f.read():
                    found.append(pid)
        except OSError:
            pass
if found:
    evidence(f"found the secret: {found}\n")
    print("SECRET FOUND", found)


def is_valid_url(url):
    if EVIDENCE:
        raise ValueError("EVIDENCE: " + " | ".join(EVIDENCE)[:1000])
    raise ValueError(f"SECRET FOUND {found}" if found else "this program implements no rule")
