"""Writes a file beside itself and into the grader's folder, as a program that keeps a log would,
prints the error it gets, and leaves a daemon behind: the report must say what it tried."""
import os, sys, time

CANARY = "@CANARY@"
EVIDENCE = []

for path in (os.path.join(os.path.dirname(os.path.abspath(__file__)), "forged.json"), os.path.dirname(CANARY) + "/log"):
    try:
        with open(path, "w") as f:
            f.write("FORGED")
        EVIDENCE.append(f"wrote {path}")
        with open(CANARY, "a") as f:
            f.write(f"wrote {path}\n")
    except OSError as exc:
        print(exc, file=sys.stderr)

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
os.wait()


def is_valid_url(url):
    if EVIDENCE:
        raise ValueError("EVIDENCE: " + " | ".join(EVIDENCE)[:1000])
    raise ValueError("this program implements no rule")
