"""Hostile: a fork bomb, bounded at 1024 processes so that a grader that fails to stop it fails
this test instead of the machine: every process forks ten times, each child going on forking.

The grader must stop it at its limit on processes running at once and leave none behind."""

import os
import time


def serve(host, port):
    for _ in range(10):
        os.fork()
    time.sleep(600)
