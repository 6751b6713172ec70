"""Changes the installed grader: a module added to its package, its track module rewritten,
a .pth file dropped into site-packages."""
import os, sys

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


PACKAGE = "@PACKAGE@"
targets = [os.path.join(PACKAGE, "forged_by_learner.py"), os.path.join(PACKAGE, "track.py")]
for entry in sys.path:
    targets += [os.path.join(entry, "grader", "forged_by_learner.py"), os.path.join(entry, "forged_by_learner.pth")]
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("# forged by a learner\n")
        evidence(f"wrote {path}\n")
    except OSError:
        pass


def is_valid_url(url):
    if EVIDENCE:
        raise ValueError("EVIDENCE: " + " | ".join(EVIDENCE)[:1000])
    raise ValueError("this program implements no rule")
