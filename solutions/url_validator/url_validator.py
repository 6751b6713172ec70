"""Reference solution for url_validator: is_valid_url by the rules of docs/url-rules.md.

The URL is taken apart from left to right, the way the rules describe it:

    scheme "://" authority path [ "?" query ] [ "#" fragment ],   authority = host [ ":" port ]

and each part is checked with plain string operations. Every step looks at each character a
bounded number of times, so the time grows linearly with the length of the input.
"""

import ipaddress
import string
import sys

LETTERS = set(string.ascii_letters)
DIGITS = set(string.digits)
HEX_DIGITS = set(string.hexdigits)
LABEL_CHARS = LETTERS | DIGITS | {"-"}
# RFC 3986 allows these in a path ("%" is checked apart: it must start a %XX escape).
PATH_CHARS = LETTERS | DIGITS | set("-._~" "!$&'()*+,;=" ":@/")
QUERY_CHARS = PATH_CHARS | {"?"}  # the query and the fragment may also hold "?"


def is_valid_url(url: str) -> bool:
    """Return True when url is an absolute http or https URL by the rules of docs/url-rules.md."""
    # Rule 0: printable ASCII only. Checking this first also makes every later step
    # safe: str.isdigit() or str.lower() can no longer meet a non-ASCII character.
    if not all("!" <= char <= "~" for char in url):
        return False

    # Rule 1: the scheme, in any letter case, and "://".
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.lower() not in ("http", "https"):
        return False

    # Rule 2: the authority ends at the first "/", "?" or "#"; it may not hold "@".
    end = len(rest)
    for delimiter in "/?#":
        found = rest.find(delimiter)
        if found != -1:
            end = min(end, found)
    authority, rest = rest[:end], rest[end:]
    if "@" in authority:
        return False

    # Rules 3 and 4: the host, then an optional ":port".
    if authority.startswith("["):
        host, bracket, after = authority[1:].partition("]")
        if not bracket or not is_ipv6_address(host):
            return False
        if after and not after.startswith(":"):
            return False  # only ":port" may follow "]"
        port = after[1:] if after else None
    else:
        host, colon, port = authority.partition(":")
        if not colon:
            port = None
        if not (is_ipv4_address(host) or is_dns_name(host)):
            return False
    if port is not None and not is_port(port):
        return False

    # Rule 5: path, query and fragment. The first "#" starts the fragment, and the first
    # "?" before it starts the query; a second "#" is then a bad character in the fragment.
    rest, _, fragment = rest.partition("#")
    path, _, query = rest.partition("?")
    return (
        has_only(path, PATH_CHARS)
        and has_only(query, QUERY_CHARS)
        and has_only(fragment, QUERY_CHARS)
    )


def is_dns_name(name):
    """Labels of 1 to 63 letters, digits and "-" joined by "." (RFC 1123 section 2.1)."""
    if name.endswith("."):
        name = name[:-1]  # one trailing "." (the DNS root) is allowed
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    for label in labels:
        if not 1 <= len(label) <= 63 or not set(label) <= LABEL_CHARS:
            return False
        if label.startswith("-") or label.endswith("-"):
            return False
    # The top-level label starts with a letter, so "1.2.3" is never mistaken for a name.
    return labels[-1][0] in LETTERS


def is_ipv4_address(text):
    """Four decimal numbers 0 to 255 joined by ".", without leading zeros."""
    numbers = text.split(".")
    if len(numbers) != 4:
        return False
    for number in numbers:
        if not 1 <= len(number) <= 3 or not set(number) <= DIGITS:
            return False
        if number[0] == "0" and len(number) > 1:
            return False  # "010" could mean 8 (octal) or 10: refuse to guess
        if int(number) > 255:
            return False
    return True


def is_ipv6_address(text):
    """An IPv6 address in any RFC 4291 form, without a zone id."""
    if "%" in text:
        return False  # ipaddress accepts a zone id such as "fe80::1%eth0"; the rules do not
    try:
        ipaddress.IPv6Address(text)  # also refuses leading zeros in an IPv4 tail
    except ValueError:
        return False
    return True


def is_port(text):
    """1 to 5 digits whose value is 1 to 65535 ("080" is port 80)."""
    return 1 <= len(text) <= 5 and set(text) <= DIGITS and 1 <= int(text) <= 65535


def has_only(text, allowed):
    """True when text holds only allowed characters and "%" escapes with two hex digits."""
    index = 0
    while index < len(text):
        if text[index] == "%":
            escape = text[index + 1 : index + 3]
            if len(escape) != 2 or not set(escape) <= HEX_DIGITS:
                return False
            index += 3
        elif text[index] in allowed:
            index += 1
        else:
            return False
    return True


if __name__ == "__main__":
    # Try it by hand (the README): python url_validator.py "http://example.com/" "http://exa mple.com"
    for argument in sys.argv[1:] or ["http://example.com/", "http://exa mple.com"]:
        print(f"{is_valid_url(argument)!s:5}  {argument!r}")
