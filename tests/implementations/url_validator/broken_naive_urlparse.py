"""Trusts urlparse: any URL with a scheme and a host part is valid."""

from urllib.parse import urlparse


def is_valid_url(url: str) -> bool:
    """True when urlparse finds a scheme and a network location."""
    try:
        parts = urlparse(url)
    except ValueError:
        return False
    return all([parts.scheme, parts.netloc])
