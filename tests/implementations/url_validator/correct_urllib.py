"""Correct: urllib.parse.urlsplit and ipaddress, plus the checks they do not make."""

import ipaddress
import re
from urllib.parse import urlsplit

LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*")
QUERY = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")
PORT = re.compile(r"[0-9]{1,5}")


def is_valid_url(url: str) -> bool:
    """True when url is an absolute http or https URL by the rules of docs/url-rules.md."""
    # urlsplit strips leading spaces and deletes tabs and newlines: check the raw text first.
    if not all(0x21 <= ord(char) <= 0x7E for char in url):
        return False
    if not url.lower().startswith(("http://", "https://")):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[::1": an unclosed or bad bracketed host
        return False
    netloc = parts.netloc
    if "@" in netloc:
        return False
    if netloc.startswith("["):
        host, _, after = netloc[1:].partition("]")
        if "%" in host:
            return False  # ipaddress accepts a zone id such as "fe80::1%eth0"
        if after and not after.startswith(":"):
            return False  # only ":port" may follow "]"
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        port = after[1:] if after else None
    else:
        host, colon, port = netloc.partition(":")
        if not colon:
            port = None
        if not (_is_ipv4(host) or _is_dns_name(host)):
            return False
    if port is not None and not (PORT.fullmatch(port) and 1 <= int(port) <= 65535):
        return False
    return bool(
        PATH.fullmatch(parts.path)
        and QUERY.fullmatch(parts.query)
        and QUERY.fullmatch(parts.fragment)
    )


def _is_ipv4(host):
    try:
        ipaddress.IPv4Address(host)  # four numbers 0-255, no leading zeros (Python >= 3.9.5)
    except ValueError:
        return False
    return True


def _is_dns_name(host):
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    return (
        0 < len(name) <= 253
        and all(LABEL.fullmatch(label) for label in labels)
        and labels[-1][0].isalpha()
    )
