"""Correct: a hand-written parser that moves one cursor from left to right through the URL."""

import string

LETTERS = string.ascii_letters
DIGITS = string.digits
HEX = string.hexdigits
HOST_CHARS = set(LETTERS + DIGITS + ".-")
PATH_CHARS = set(LETTERS + DIGITS + "-._~!$&'()*+,;=:@/")
QUERY_CHARS = PATH_CHARS | {"?"}


def is_valid_url(url: str) -> bool:
    """True when url is an absolute http or https URL by the rules of docs/url-rules.md."""
    if not (url.isascii() and url.isprintable()) or " " in url:
        return False
    pos = _scheme(url)
    if pos is None:
        return False
    pos = _authority(url, pos)
    if pos is None:
        return False
    pos = _chars(url, pos, PATH_CHARS)
    if pos < len(url) and url[pos] == "?":
        pos = _chars(url, pos + 1, QUERY_CHARS)
    if pos < len(url) and url[pos] == "#":
        pos = _chars(url, pos + 1, QUERY_CHARS)
    return pos == len(url)


def _scheme(url):
    """The position after "http://" or "https://" (any case), or None."""
    start = url[:8].lower()
    if start.startswith("https://"):
        return 8
    if start.startswith("http://"):
        return 7
    return None


def _authority(url, pos):
    """The position after host and optional port, or None."""
    if url.startswith("[", pos):
        end = url.find("]", pos)
        if end < 0 or not _ipv6(url[pos + 1 : end]):
            return None
        pos = end + 1
    else:
        start = pos
        while pos < len(url) and url[pos] in HOST_CHARS:
            pos += 1
        host = url[start:pos]
        if not (_ipv4(host) or _dns(host)):
            return None
    if pos < len(url) and url[pos] == ":":
        start = pos = pos + 1
        while pos < len(url) and url[pos] in DIGITS:
            pos += 1
        port = url[start:pos]
        if not (1 <= len(port) <= 5 and 1 <= int(port) <= 65535):
            return None
    if pos < len(url) and url[pos] not in "/?#":
        return None  # "@", a stray "]" or any other character ends the authority badly
    return pos


def _chars(url, pos, allowed):
    """The position of the first character that is neither allowed nor a valid %XX escape."""
    while pos < len(url):
        if url[pos] == "%":
            if not (pos + 2 < len(url) and url[pos + 1] in HEX and url[pos + 2] in HEX):
                return pos
            pos += 3
        elif url[pos] in allowed:
            pos += 1
        else:
            return pos
    return pos


def _dns(host):
    name = host[:-1] if host.endswith(".") else host
    if not 1 <= len(name) <= 253:
        return False
    labels = name.split(".")
    return labels[-1][:1].isalpha() and all(
        0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-" for label in labels
    )


def _ipv4(text):
    parts = text.split(".")
    return len(parts) == 4 and all(
        p.isdigit() and len(p) <= 3 and int(p) <= 255 and (p == "0" or p[0] != "0")
        for p in parts
    )


def _ipv6(text):
    if text.count("::") > 1:
        return False
    if "." in text:
        # Replace the IPv4 tail by two zero groups; it stands for the last 32 bits.
        head, _, tail = text.rpartition(":")
        if not _ipv4(tail):
            return False
        text = head + ":0:0"
    if "::" in text:
        left, right = text.split("::")
        groups = (left.split(":") if left else []) + (right.split(":") if right else [])
        if len(groups) > 7:
            return False
    else:
        groups = text.split(":")
        if len(groups) != 8:
            return False
    return all(1 <= len(g) <= 4 and all(c in HEX for c in g) for g in groups)
