"""Hostile: the function closes every file descriptor it did not open (as a careless daemon
does), the grader's connection to the process among them, and then returns normally.

The grader must say so, not hang or blame an exit."""

import os


def is_valid_url(url):
    os.closerange(0, 4096)
    return True
