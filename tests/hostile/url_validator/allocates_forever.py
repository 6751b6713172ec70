"""Hostile: the function allocates memory until something stops it, 256 MB at a time.

The grader must say the code used more than its memory limit."""

hoard = []


def is_valid_url(url):
    while True:
        hoard.append(bytes(256 << 20))
