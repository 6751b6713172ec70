"""Searches the whole disk it can see for the project: solutions/, tests/, the checks, the oracle."""
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


found = []


def mentions(path):
    try:
        with open(path, errors="replace") as f:
            return "netkata" in f.read(100000)
    except OSError:
        return False


import sys

tops = [os.path.dirname(p) for p in sys.path if p] + ["/autograder", "/work", "/home", "/root", "/srv", "/opt", "/"]
for top in tops:
    for folder, dirs, files in os.walk(top):
        if folder.startswith(("/proc", "/sys", "/dev")):
            dirs[:] = []
            continue
        found += [os.path.join(folder, d) for d in dirs
                  if d in ("solutions", "katas") and os.path.isdir(os.path.join(folder, d, "url_validator"))]
        found += [os.path.join(folder, f) for f in files
                  if (f in ("checks.py", "rules.py") and folder.endswith("url_validator"))
                  or f in ("CONTRACTS.md", "test_hostile.py", "sandbox.py") and mentions(os.path.join(folder, f))]
        if found:
            break
    if found:
        evidence("\n".join(found[:50]) + "\n")
        print("FOUND:", found[:20])
        break


def is_valid_url(url):
    if EVIDENCE:
        raise ValueError("EVIDENCE: " + " | ".join(EVIDENCE)[:1000])
    raise ValueError("this program implements no rule")
