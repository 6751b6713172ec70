"""Hostile: the function ends the whole process with os._exit(0) when it is called.

The grader must say the code ended the process (status 0) instead of returning an answer."""

import os


def is_valid_url(url):
    os._exit(0)
