"""Leaves a daemon (double fork, new session, SIGTERM and SIGHUP ignored) that writes a file
on the machine every quarter second for 10 s, after grading has ended."""
import os, signal, time

CANARY = "@CANARY@"
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        for _ in range(40):
            time.sleep(0.25)
            for path in (CANARY, "/tmp/netkata-outlived-" + str(os.getuid())):
                try:
                    with open(path, "a") as f:
                        f.write("still alive\n")
                except OSError:
                    pass
        os._exit(0)
    os._exit(0)


def is_valid_url(url):
    raise ValueError("this program implements no rule")
