"""One linear-time regular expression, but it returns the match itself (a re.Match or None), which
is truthy or falsy but not a bool."""

import re

H16 = r"[0-9A-Fa-f]{1,4}"
OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = rf"{OCTET}(?:\.{OCTET}){{3}}"
LS32 = rf"(?:{H16}:{H16}|{IPV4})"
IPV6 = "|".join(  # RFC 3986 section 3.2.2, one alternative per position of "::"
    [
        rf"(?:{H16}:){{6}}{LS32}",
        rf"::(?:{H16}:){{5}}{LS32}",
        rf"(?:{H16})?::(?:{H16}:){{4}}{LS32}",
        rf"(?:(?:{H16}:){{0,1}}{H16})?::(?:{H16}:){{3}}{LS32}",
        rf"(?:(?:{H16}:){{0,2}}{H16})?::(?:{H16}:){{2}}{LS32}",
        rf"(?:(?:{H16}:){{0,3}}{H16})?::{H16}:{LS32}",
        rf"(?:(?:{H16}:){{0,4}}{H16})?::{LS32}",
        rf"(?:(?:{H16}:){{0,5}}{H16})?::{H16}",
        rf"(?:(?:{H16}:){{0,6}}{H16})?::",
    ]
)
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
TOP_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# The lookahead limits the name to 253 characters before an optional trailing ".".
DNS_NAME = rf"(?=[^:/?#]{{1,253}}\.?(?:[:/?#]|\Z))(?:{LABEL}\.)*{TOP_LABEL}\.?"
HOST = rf"(?:\[(?:{IPV6})\]|{IPV4}|{DNS_NAME})"
PORT = (
    r"(?:0{0,4}[1-9]|0{0,3}[1-9][0-9]|0{0,2}[1-9][0-9]{2}|0?[1-9][0-9]{3}"
    r"|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
)
PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})"
QCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})"
URL = re.compile(
    rf"[Hh][Tt][Tt][Pp][Ss]?://{HOST}(?::{PORT})?"
    rf"(?:/{PCHAR}*)?(?:\?{QCHAR}*)?(?:#{QCHAR}*)?"
)


def is_valid_url(url: str) -> bool:
    """True when url is an absolute http or https URL by the rules of docs/url-rules.md."""
    return URL.fullmatch(url)  # fullmatch: "$" would allow a final newline
