"""What the url_validator exercise means by a valid URL: the grader's oracle and its examples.

docs/url-rules.md states the rules; this module is those rules in code, for the grader to trust:

- ``find_violation(url)`` names the first rule (0 to 5, in the order docs/url-rules.md lists them)
  that ``url`` breaks, with a reason a learner can act on; ``is_valid_url`` is its yes/no.
  It is written as plain step-by-step checks rather than one clever expression, so that every
  verdict can be explained. (The solutions folder is not installed, so the grader keeps its own.)
- ``EXAMPLES`` is the named example table: every example of docs/url-rules.md and many edge cases
  (IPv6 forms, the trailing dot, the 63- and 253-character limits, ports such as 080 and 00080),
  each with the rule it teaches and a short reason.
- ``RAISING_INPUTS`` are inputs on which validators often raise instead of answering.
- ``python -m grader.katas.url_validator URL...`` prints the verdict on each URL and the reason, for
  learners and maintainers trying URLs by hand.
- ``ADVERSARIAL_INPUTS`` are long inputs (tens of thousands of characters) and short ones that
  make typical regular expressions backtrack, for the speed check; ``SLOW_CALL_SECONDS`` is the
  time one call may take.

The input is taken as it is: no trimming, no decoding, no repair (unlike ``urllib.parse``, which
strips leading spaces and silently deletes tabs and newlines, or a browser's WHATWG parser).
"""

import string
from dataclasses import dataclass

RULES = {  # short titles, for messages such as "breaks rule 4 (port 1 to 65535): ..."
    0: "printable ASCII only",
    1: "scheme http or https, then ://",
    2: "no user information",
    3: "host: a DNS name, an IPv4 address or [an IPv6 address]",
    4: "port 1 to 65535",
    5: "allowed characters and %XX escapes in path, query and fragment",
}

PRINTABLE = frozenset(chr(code) for code in range(0x21, 0x7F))
LETTERS = frozenset(string.ascii_letters)
DIGITS = frozenset(string.digits)
HEX_DIGITS = frozenset(string.hexdigits)
LABEL_CHARS = LETTERS | DIGITS | {"-"}
# RFC 3986 pchar without pct-encoded (checked apart), plus "/" which separates segments.
PATH_CHARS = LETTERS | DIGITS | frozenset("-._~" "!$&'()*+,;=" ":@" "/")
QUERY_CHARS = PATH_CHARS | {"?"}  # query and fragment also allow "?"

MAX_NAME_LENGTH = 253  # RFC 1035 §2.3.4 / RFC 1123 §2.1, without the trailing "."
MAX_LABEL_LENGTH = 63  # RFC 1035 §2.3.4


@dataclass(frozen=True)
class Violation:
    """The first rule a URL breaks (a key of ``RULES``) and why, in words for the learner."""

    rule: int
    reason: str

    def __str__(self):
        return f"rule {self.rule} ({RULES[self.rule]}): {self.reason}"


def is_valid_url(url):
    """True exactly when ``url`` follows every rule of docs/url-rules.md."""
    return find_violation(url) is None


def find_violation(url):
    """The first rule ``url`` breaks, as a ``Violation``, or None when it is valid.

    Rules are checked in their order, so a space in the host is reported as rule 0, not 3.
    """
    for index, char in enumerate(url):
        if char not in PRINTABLE:
            return Violation(0, f"{_name_of(char)} at index {index} is not printable ASCII")

    scheme, separator, rest = url.partition("://")
    if not separator or scheme.lower() not in ("http", "https"):
        return Violation(1, "the URL does not start with http:// or https://")

    # The authority runs to the first "/", "?" or "#" (RFC 3986 §3.2).
    end = next((i for i, char in enumerate(rest) if char in "/?#"), len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        return Violation(2, f"the authority {_show(authority)} holds user information before '@'")

    split = _split_host_port(authority)
    if isinstance(split, Violation):
        return split
    host, port = split
    problem = _host_problem(host)
    if problem:
        return Violation(3, problem)
    if port is not None:
        problem = _port_problem(port)
        if problem:
            return Violation(4, problem)

    before_fragment, has_fragment, fragment = tail.partition("#")
    path, has_query, query = before_fragment.partition("?")
    for name, text, allowed in (
        ("path", path, PATH_CHARS),
        ("query", query, QUERY_CHARS),
        ("fragment", fragment, QUERY_CHARS),
    ):
        problem = _component_problem(name, text, allowed)
        if problem:
            return Violation(5, problem)
    return None


def _name_of(char):
    """A character as a learner can tell it apart: 'K' (U+212A) is not the letter K."""
    if char.isascii():
        return repr(char)
    return f"{char!r} (U+{ord(char):04X})" if char.isprintable() else f"U+{ord(char):04X}"


def _show(text, limit=40):
    """``repr(text)``, cut to ``limit`` characters so that a reason stays one readable line."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def _split_host_port(authority):
    """(host, port or None), or a Violation when brackets do not fit an IPv6 host."""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            return Violation(3, "'[' opens an IPv6 address but no ']' closes it")
        host, after = authority[: close + 1], authority[close + 1 :]
        if after and not after.startswith(":"):
            return Violation(3, f"only ':port' may follow an IPv6 address, not {_show(after)}")
        return host, (after[1:] if after else None)
    host, colon, port = authority.partition(":")
    return host, (port if colon else None)


def _host_problem(host):
    """Why ``host`` is none of the three host forms, or None when it is one of them."""
    if not host:
        return "there is no host"
    if host.startswith("["):
        problem = _ipv6_problem(host[1:-1])
        return problem and f"{_show(host)} is not an IPv6 address in brackets: {problem}"
    if set(host) <= DIGITS | {"."} and not set(host) <= {"."}:
        # Digits and dots only: never a DNS name (its last label starts with a letter).
        problem = _ipv4_problem(host)
        return problem and f"{_show(host)} is not an IPv4 address: {problem}"
    problem = _dns_problem(host)
    return problem and f"{_show(host)} is not a DNS name: {problem}"


def _dns_problem(name):
    """Why ``name`` is not a DNS name (RFC 1123 §2.1, RFC 3696 §2), or None."""
    if name.endswith("."):
        name = name[:-1]  # one trailing "." is allowed: the name of the DNS root
    if len(name) > MAX_NAME_LENGTH:
        return f"it has {len(name)} characters, more than {MAX_NAME_LENGTH}"
    labels = name.split(".")
    for label in labels:
        if not label:
            return "it has an empty label (two dots in a row, or a dot at an end)"
        if len(label) > MAX_LABEL_LENGTH:
            return f"a label has {len(label)} characters, more than {MAX_LABEL_LENGTH}"
        bad = next((char for char in label if char not in LABEL_CHARS), None)
        if bad is not None:
            return f"the label {_show(label)} holds {bad!r} (only letters, digits and '-')"
        if label[0] == "-" or label[-1] == "-":
            return f"the label {_show(label)} starts or ends with '-'"
    if labels[-1][0] not in LETTERS:
        return f"the last label {_show(labels[-1])} starts with a digit, not a letter"
    return None


def _ipv4_problem(text):
    """Why ``text`` is not four decimal numbers 0 to 255 without leading zeros, or None."""
    numbers = text.split(".")
    if len(numbers) != 4:
        return f"it has {len(numbers) - 1} dots, not 3"
    for number in numbers:
        if not number or not set(number) <= DIGITS:
            return f"{_show(number)} is not a decimal number"
        if len(number) > 1 and number[0] == "0":
            return f"{_show(number)} has a leading zero"
        if int(number) > 255:
            return f"{_show(number)} is larger than 255"
    return None


def _ipv6_problem(text):
    """Why ``text`` is not an IPv6 address in an RFC 4291 §2.2 text form, or None."""
    if "%" in text:
        return "a zone id ('%...') is not allowed"
    if text[:1] in ("v", "V"):
        return "IPvFuture addresses are not allowed"
    bad = next((char for char in text if char not in HEX_DIGITS | {":", "."}), None)
    if bad is not None:
        return f"{bad!r} is not a hex digit, ':' or '.'"
    if text.count("::") > 1:
        return "'::' may appear only once"
    compressed = "::" in text
    if compressed:
        head_text, tail_text = text.split("::", 1)
        head = head_text.split(":") if head_text else []
        tail = tail_text.split(":") if tail_text else []
    else:
        head, tail = text.split(":"), []
    groups = 0
    last_part = tail if compressed else head
    if last_part and "." in last_part[-1]:
        problem = _ipv4_problem(last_part.pop())
        if problem:
            return f"its IPv4 tail is not an IPv4 address: {problem}"
        groups = 2  # an IPv4 tail stands for the last two 16-bit groups
    for group in head + tail:
        if not group:
            return "it has an empty group (a single ':' at an end, or ':::')"
        if len(group) > 4 or not set(group) <= HEX_DIGITS:
            return f"{_show(group)} is not a group of 1 to 4 hex digits"
    groups += len(head) + len(tail)
    if compressed and groups > 7:
        return "'::' must stand for at least one group, but there are already 8"
    if not compressed and groups != 8:
        return f"it has {groups} groups of 16 bits, not 8 (and no '::')"
    return None


def _port_problem(port):
    """Why ``port`` is not 1 to 5 ASCII digits with a value from 1 to 65535, or None."""
    if not port:
        return "':' is followed by no port number"
    if not set(port) <= DIGITS:
        return f"the port {_show(port)} is not made of digits only"
    if len(port) > 5:
        return f"the port {_show(port)} has more than 5 digits"
    if not 1 <= int(port) <= 65535:
        return f"the port {_show(port)} is not in 1 to 65535"
    return None


def _component_problem(name, text, allowed):
    """Why the path, query or fragment ``text`` holds a character it may not, or None."""
    for index, char in enumerate(text):
        if char == "%":
            escape = text[index + 1 : index + 3]
            if len(escape) < 2 or not set(escape) <= HEX_DIGITS:
                return f"'%' in the {name} is not followed by two hex digits"
        elif char == "#":
            return "a second '#' (the fragment is everything after the first '#')"
        elif char in "[]":
            return f"{char!r} in the {name}: brackets are allowed only around an IPv6 host"
        elif char not in allowed:
            return f"{char!r} is not allowed in the {name} (write it as a %XX escape)"
    return None


@dataclass(frozen=True)
class Example:
    """One row of the example table: the input, the answer, the rule it teaches, and why."""

    url: str
    valid: bool
    rule: int
    reason: str


def _name(length):
    """A DNS name of exactly ``length`` characters made of 63-character labels."""
    labels, remaining = [], length
    while remaining > MAX_LABEL_LENGTH:
        labels.append("a" * MAX_LABEL_LENGTH)
        remaining -= MAX_LABEL_LENGTH + 1
    labels.append("z" * remaining)
    return ".".join(labels)


_ROWS = [
    # --- rule 0: printable ASCII only -------------------------------------------------
    ("http://example.com/~user/!$&'()*+,;=:@", True, 0, "every one of these is printable ASCII"),
    (" http://example.com", False, 0, "a leading space is part of the input, not trimmed"),
    ("http://example.com ", False, 0, "a trailing space"),
    ("http://exa mple.com", False, 0, "a space in the host"),
    ("http://example.com/a b", False, 0, "a space in the path (write it as %20)"),
    ("http://example.com/?q=a b", False, 0, "a space in the query"),
    ("http://example.com/\n", False, 0, "a trailing newline (regex '$' lets it through)"),
    ("http://example.com\n", False, 0, "a trailing newline after the host"),
    ("http://example.com/\r\n", False, 0, "a trailing CRLF"),
    ("http://exa\tmple.com/", False, 0, "a tab (urllib.parse silently deletes it)"),
    ("http://example.com/a\nb", False, 0, "a newline in the path (urllib.parse deletes it)"),
    ("\thttp://example.com/", False, 0, "a leading tab (urllib.parse strips it)"),
    ("http://example.com/a\x00b", False, 0, "a NUL character"),
    ("http://example.com/\x7f", False, 0, "DEL (0x7F) is a control character"),
    ("http://example.com/\x1b[31m", False, 0, "an escape character"),
    ("http://bücher.example/", False, 0, "non-ASCII: write the name as xn--bcher-kva"),
    ("http://example.com/café", False, 0, "non-ASCII in the path (write it as %C3%A9)"),
    ("http://example.com/\u00a0", False, 0, "a no-break space is not ASCII"),
    ("http://example.com/\u200b", False, 0, "a zero-width space is invisible, but not ASCII"),
    ("http://ｅｘａｍｐｌｅ.com/", False, 0, "full-width letters are not ASCII letters"),
    ("http://example.com:٨٠/", False, 0, "Arabic-Indic digits: str.isdigit() says yes, ASCII no"),
    ("http://١٢٧.0.0.1/", False, 0, "non-ASCII digits in an IPv4 address"),
    ("http://example.com/#\u0301", False, 0, "a combining accent in the fragment"),
    ("http://\u212aelvin.example/", False, 0, "the Kelvin sign is no K (re.IGNORECASE says it is)"),
    ("httpſ://example.com/", False, 0, "the long s is not s (re.IGNORECASE says it is)"),
    ("http://example.com/\ud800", False, 0, "a lone surrogate (url.encode() raises on it)"),
    ("http://example.com/%C3%A9", True, 0, "non-ASCII written as %XX escapes is fine"),
    # --- rule 1: scheme ---------------------------------------------------------------
    ("http://example.com", True, 1, "the simplest valid URL"),
    ("https://example.com", True, 1, "https is allowed"),
    ("HTTP://example.com", True, 1, "the scheme may be in any letter case"),
    ("hTtPs://example.com/", True, 1, "any letter case, even mixed"),
    ("ftp://example.com/", False, 1, "only http and https"),
    ("ws://example.com/", False, 1, "only http and https"),
    ("file:///etc/passwd", False, 1, "only http and https"),
    ("httpx://example.com/", False, 1, "not http, not https"),
    ("htp://example.com/", False, 1, "a misspelled scheme"),
    ("shttp://example.com/", False, 1, "the scheme must be exactly http or https"),
    ("http+unix://example.com/", False, 1, "the scheme must be exactly http or https"),
    ("http:/example.com", False, 1, "the scheme needs '://', not ':/'"),
    ("http:example.com", False, 1, "the scheme needs '://'"),
    ("http//example.com", False, 1, "the ':' after the scheme is missing"),
    ("http:\\\\example.com", False, 1, "backslashes are not slashes"),
    ("//example.com/", False, 1, "a scheme-relative reference has no scheme"),
    ("://example.com/", False, 1, "an empty scheme"),
    ("example.com", False, 1, "no scheme at all"),
    ("www.example.com/http://", False, 1, "'://' later in the text is not a scheme"),
    ("http", False, 1, "only a scheme name"),
    ("", False, 1, "the empty string"),
    # --- rule 2: no user information ---------------------------------------------------
    ("http://user@example.com/", False, 2, "user information before '@'"),
    ("http://user:pw@example.com/", False, 2, "a password in the URL"),
    ("http://@example.com/", False, 2, "an empty user before '@'"),
    ("http://example.com@evil.example/", False, 2, "the real host is evil.example (phishing)"),
    ("http://example.com:80@evil.example/", False, 2, "'@' anywhere in the authority"),
    ("http://[::1]@example.com/", False, 2, "'@' after an IPv6 address"),
    ("http://example.com/@user", True, 2, "'@' in the path is fine"),
    ("http://example.com/?mail=a@b.example", True, 2, "'@' in the query is fine"),
    ("http://example.com#@", True, 2, "'@' in the fragment is fine"),
    # --- rule 3: DNS names -------------------------------------------------------------
    ("http://localhost:8080/", True, 3, "a one-label name"),
    ("http://a/", True, 3, "a one-letter name"),
    ("http://example.com./", True, 3, "one trailing '.' (the DNS root) is allowed"),
    ("http://EXAMPLE.COM/", True, 3, "letter case does not matter"),
    ("http://xn--bcher-kva.example/", True, 3, "an internationalised name in its xn-- form"),
    ("http://a-b.example/", True, 3, "'-' inside a label"),
    ("http://a--b.example/", True, 3, "'-' may repeat inside a label"),
    ("http://3com.com/", True, 3, "a label other than the last may start with a digit"),
    ("http://123.example/", True, 3, "all digits is fine except in the last label"),
    ("http://1.2.3.4.example/", True, 3, "digit labels before a letter-first last label"),
    ("http://example.a1/", True, 3, "the last label starts with a letter"),
    ("http://a.b.c.d.e.f.g/", True, 3, "any number of labels"),
    ("http://" + "a" * 63 + ".example/", True, 3, "a 63-character label is the longest"),
    ("http://" + "a" * 64 + ".example/", False, 3, "a 64-character label is too long"),
    ("http://example." + "a" * 64 + "/", False, 3, "a 64-character last label"),
    ("http://" + _name(253) + "/", True, 3, "a 253-character name is the longest"),
    ("http://" + _name(253) + "./", True, 3, "253 characters plus the trailing '.'"),
    ("http://" + _name(254) + "/", False, 3, "a 254-character name is too long"),
    ("http://" + _name(254) + "./", False, 3, "254 characters before the trailing '.'"),
    ("http://example.com../", False, 3, "two trailing dots make an empty label"),
    ("http://.example.com/", False, 3, "a leading '.' makes an empty label"),
    ("http://example..com/", False, 3, "an empty label between two dots"),
    ("http://./", False, 3, "a lone '.' has no label"),
    ("http://-bad.example/", False, 3, "a label may not start with '-'"),
    ("http://bad-.example/", False, 3, "a label may not end with '-'"),
    ("http://example.-com/", False, 3, "the last label may not start with '-'"),
    ("http://example.com-/", False, 3, "the last label may not end with '-'"),
    ("http://under_score.example/", False, 3, "'_' is not allowed in a host name"),
    ("http://exa!mple.com/", False, 3, "'!' is not allowed in a host name"),
    ("http://exa%41mple.com/", False, 3, "no percent escapes in a host name"),
    ("http://exa*mple.com/", False, 3, "'*' is not allowed in a host name"),
    ("http://example.com\\evil/", False, 3, "a backslash is not a slash: it stays in the host"),
    ("http://1.2.3/", False, 3, "not an IPv4 address; last label starts with a digit"),
    ("http://example.123/", False, 3, "the last label starts with a digit"),
    ("http://example.1a/", False, 3, "the last label starts with a digit"),
    ("http://0x7f000001/", False, 3, "the last label starts with a digit"),
    ("http://2130706433/", False, 3, "a number alone is not a host here"),
    ("http://example.com.1/", False, 3, "the last label starts with a digit"),
    ("http://", False, 3, "no host"),
    ("https:///example.com", False, 3, "three slashes: the host is empty"),
    ("http://:80/", False, 3, "a port without a host"),
    ("http://?q", False, 3, "no host before the query"),
    ("http://#top", False, 3, "no host before the fragment"),
    ("http://example.com]/", False, 3, "']' without an IPv6 address"),
    ("http://[example.com]/", False, 3, "brackets are only for IPv6 addresses"),
    # --- rule 3: IPv4 addresses --------------------------------------------------------
    ("http://192.168.0.1/", True, 3, "an IPv4 address"),
    ("http://127.0.0.1:8000/", True, 3, "an IPv4 address and a port"),
    ("http://0.0.0.0/", True, 3, "0 is a number from 0 to 255"),
    ("http://255.255.255.255", True, 3, "255 is the largest number"),
    ("http://256.1.1.1/", False, 3, "256 is larger than 255 (and not a DNS name either)"),
    ("http://1.1.1.256/", False, 3, "256 is larger than 255"),
    ("http://999.1.1.1/", False, 3, "999 is larger than 255"),
    ("http://1.2.3.4.5/", False, 3, "five numbers"),
    ("http://01.2.3.4/", False, 3, "a leading zero (some parsers read 010 as octal 8)"),
    ("http://0127.0.0.1/", False, 3, "a leading zero"),
    ("http://1.2.3.00/", False, 3, "00 has a leading zero"),
    ("http://1.2.3.4./", False, 3, "an IPv4 address takes no trailing '.'"),
    ("http://1..2.3/", False, 3, "an empty number"),
    ("http://1.2.3.-4/", False, 3, "no signs"),
    ("http://1.2.3.0x4/", False, 3, "no hexadecimal numbers"),
    # --- rule 3: IPv6 addresses --------------------------------------------------------
    ("http://[::1]:8000/path", True, 3, "the IPv6 loopback address with a port"),
    ("http://[::1]/", True, 3, "'::' stands for runs of zero groups"),
    ("http://[::]/", True, 3, "'::' alone is the all-zero address"),
    ("http://[2001:db8::1]/", True, 3, "'::' in the middle"),
    ("http://[2001:DB8::A]/", True, 3, "hex digits in any letter case"),
    ("http://[2001:0db8:0000:0000:0000:ff00:0042:8329]/", True, 3, "all 8 groups"),
    ("http://[1:2:3:4:5:6:7:8]/", True, 3, "8 short groups"),
    ("http://[1:2:3:4:5:6:7::]/", True, 3, "'::' at the end, for one group"),
    ("http://[::2:3:4:5:6:7:8]/", True, 3, "'::' at the start, for one group"),
    ("http://[::ffff:192.0.2.1]/", True, 3, "an embedded IPv4 tail"),
    ("http://[::192.0.2.1]/", True, 3, "an IPv4 tail right after '::'"),
    ("http://[1:2:3:4:5:6:1.2.3.4]/", True, 3, "6 groups and an IPv4 tail"),
    ("http://[fe80::1]:443/", True, 3, "a link-local address without a zone id"),
    ("http://[0000:0000::0001]/", True, 3, "leading zeros inside a group are fine"),
    ("http://[::1", False, 3, "the ']' is missing"),
    ("http://[::1/", False, 3, "the ']' is missing before the path"),
    ("http://::1/", False, 3, "an IPv6 address needs brackets"),
    ("http://[::1%eth0]/", False, 3, "no zone id"),
    ("http://[::1%25eth0]/", False, 3, "no zone id, even percent-encoded"),
    ("http://[v1.x]/", False, 3, "no IPvFuture"),
    ("http://[]/", False, 3, "empty brackets"),
    ("http://[1:2:3:4:5:6:7]/", False, 3, "7 groups and no '::'"),
    ("http://[1:2:3:4:5:6:7:8:9]/", False, 3, "9 groups"),
    ("http://[1::2:3:4:5:6:7:8]/", False, 3, "'::' must stand for at least one group"),
    ("http://[1::2::3]/", False, 3, "'::' at most once"),
    ("http://[1:::2]/", False, 3, "three colons in a row"),
    ("http://[:1::]/", False, 3, "a single leading ':'"),
    ("http://[12345::]/", False, 3, "a group has at most 4 hex digits"),
    ("http://[g::1]/", False, 3, "'g' is not a hex digit"),
    ("http://[::ffff:1.2.3.256]/", False, 3, "the IPv4 tail follows the IPv4 rule"),
    ("http://[::ffff:01.2.3.4]/", False, 3, "no leading zeros in the IPv4 tail"),
    ("http://[::1.2.3]/", False, 3, "the IPv4 tail needs 4 numbers"),
    ("http://[1.2.3.4::]/", False, 3, "the IPv4 part must come last"),
    ("http://[1.2.3.4]/", False, 3, "an IPv4 address does not go in brackets"),
    ("http://[::1]x/", False, 3, "only ':port' may follow ']'"),
    ("http://[::1]]/", False, 3, "a second ']'"),
    ("http://[[::1]]/", False, 3, "double brackets"),
    # --- rule 4: port ------------------------------------------------------------------
    ("http://example.com:80/", True, 4, "a port"),
    ("http://example.com:1", True, 4, "1 is the smallest port"),
    ("http://example.com:65535/", True, 4, "65535 is the largest port"),
    ("http://example.com:080/", True, 4, "080 is port 80"),
    ("http://example.com:00080/", True, 4, "5 digits, value 80"),
    ("http://example.com:8080?x=1", True, 4, "a port before the query"),
    ("http://[::1]:1/", True, 4, "a port after an IPv6 address"),
    ("http://example.com:0/", False, 4, "port 0"),
    ("http://example.com:00000/", False, 4, "00000 is port 0"),
    ("http://example.com:65536/", False, 4, "65536 is too large"),
    ("http://example.com:99999/", False, 4, "99999 is too large"),
    ("http://example.com:000080/", False, 4, "6 digits, even with a small value"),
    ("http://example.com:" + "9" * 30 + "/", False, 4, "a huge port"),
    ("http://example.com:" + "9" * 5000, False, 4, "int() refuses 5000 digits: check the length"),
    ("http://example.com:/", False, 4, "an empty port"),
    ("http://example.com:", False, 4, "an empty port at the end"),
    ("http://[::1]:/", False, 4, "an empty port after an IPv6 address"),
    ("http://[::1]:65536/", False, 4, "too large after an IPv6 address"),
    ("http://example.com:8o/", False, 4, "a letter o, not a zero"),
    ("http://example.com:-1/", False, 4, "no signs"),
    ("http://example.com:+80/", False, 4, "no signs (int() would accept '+80')"),
    ("http://example.com:0x50/", False, 4, "no hexadecimal"),
    ("http://example.com:80:80/", False, 4, "one port only"),
    ("http://example.com:8_0/", False, 4, "no '_' (int() would accept '8_0')"),
    # --- rule 5: path, query and fragment ----------------------------------------------
    ("http://example.com/", True, 5, "the path '/'"),
    ("http://example.com?", True, 5, "an empty query"),
    ("http://example.com#", True, 5, "an empty fragment"),
    ("http://example.com?#", True, 5, "an empty query and an empty fragment"),
    ("http://example.com/a/b/c", True, 5, "a path of segments"),
    ("http://example.com//a//", True, 5, "empty segments"),
    ("http://example.com/a%20b", True, 5, "%20 is an escaped space"),
    ("http://example.com/%7e%7E%Af", True, 5, "hex digits in any letter case"),
    ("http://example.com/-._~!$&'()*+,;=:@", True, 5, "every allowed punctuation mark"),
    ("http://example.com/?q=a%2Fb&x", True, 5, "a query"),
    ("http://example.com/?a?b/c", True, 5, "'?' and '/' in the query"),
    ("http://example.com/#a?b/c", True, 5, "'?' and '/' in the fragment"),
    ("http://example.com/#a:b@c", True, 5, "':' and '@' in the fragment"),
    ("HTTPS://Example.COM:443/a/b?x=1&y=2#top", True, 5, "every part at once"),
    ("http://example.com/a%2", False, 5, "'%' needs two hex digits"),
    ("http://example.com/%", False, 5, "a lone '%'"),
    ("http://example.com/%zz", False, 5, "'z' is not a hex digit"),
    ("http://example.com/%2g", False, 5, "'g' is not a hex digit"),
    ("http://example.com/a%%41", False, 5, "'%%' is no escape"),
    ("http://example.com/a%2?x", False, 5, "'%' needs two hex digits before the query"),
    ("http://example.com/?q=100%", False, 5, "a lone '%' in the query"),
    ("http://example.com/#%", False, 5, "a lone '%' in the fragment"),
    ("http://example.com/#a#b", False, 5, "a second '#'"),
    ("http://example.com/##", False, 5, "a second '#'"),
    ("http://example.com/?q=[2]", False, 5, "brackets in the query"),
    ("http://example.com/[x]", False, 5, "brackets in the path"),
    ("http://example.com/#]", False, 5, "']' in the fragment"),
    ("http://example.com/<script>", False, 5, "'<' and '>' are not allowed"),
    ('http://example.com/a"b', False, 5, "'\"' is not allowed"),
    ("http://example.com/{x}", False, 5, "'{' and '}' are not allowed"),
    ("http://example.com/a|b", False, 5, "'|' is not allowed"),
    ("http://example.com/a\\b", False, 5, "a backslash is not allowed"),
    ("http://example.com/a^b", False, 5, "'^' is not allowed"),
    ("http://example.com/a`b", False, 5, "a backtick is not allowed"),
    ("http://example.com/?a=<b>", False, 5, "'<' in the query"),
]

EXAMPLES = tuple(Example(*row) for row in _ROWS)


# Inputs on which validators often raise instead of answering, for the check that every str
# gets a bool: urlsplit raises ValueError on unbalanced or bad brackets, int() on more than
# 4300 digits, str.encode() on a lone surrogate, and indexing on an empty string or part.
RAISING_INPUTS = (
    "",
    ":",
    "%",
    "\x00",
    "http://",
    "http://[",
    "http://]",
    "http://[::1",
    "http://[::1%",
    "http://[v1.x]/",
    "http://[x]/",
    "http://example.com]/",
    "http://.",
    "http://a..",
    "http://example.com:",
    "http://example.com:" + "9" * 5000,
    "http://example.com/%",
    "http://example.com/\ud800",
    "HTTP://EXAMPLE.COM",
)


@dataclass(frozen=True)
class Adversarial:
    """A speed-check input: ``prefix + unit * count + suffix``, shown by that expression."""

    prefix: str
    unit: str
    count: int
    suffix: str = ""

    @property
    def url(self):
        return self.prefix + self.unit * self.count + self.suffix

    @property
    def expression(self):
        """Python that builds the input, for the learner to paste (the input itself is long)."""
        parts = [repr(self.prefix)] if self.prefix else []
        parts.append(f"{self.unit!r} * {self.count}")
        if self.suffix:
            parts.append(repr(self.suffix))
        return " + ".join(parts)


# Long inputs a linear validator answers in milliseconds, and short ones that make nested
# quantifiers such as ([a-z0-9]+-?)* or (\w+\.?)+ backtrack exponentially when the match fails
# at the end. SLOW_CALL_SECONDS is the limit the grader gives each call (crossing the process
# boundary included): a linear validator in pure Python answers the longest of these in 5 to
# 30 ms, while an exponential one does not answer the 30-character ones within minutes. (A
# quadratic one is caught when its inner loop is Python code; one that slices the string at
# every character, a C-level copy, still answers 50,000 characters in about 0.1 s.)
SLOW_CALL_SECONDS = 1.0
ADVERSARIAL_INPUTS = (
    Adversarial("http://", "a", 30, "!"),
    Adversarial("http://", "a", 30, "_.example/"),
    Adversarial("http://", "a-", 15, "!"),
    Adversarial("http://", "a.", 15, "!"),
    Adversarial("http://", "1", 30, "!"),
    Adversarial("http://example.com/", "a", 30, " "),
    Adversarial("http://example.com/", "a/", 15, "<"),
    Adversarial("http://example.com/?", "a=1&", 8, "\n"),
    Adversarial("http://[", "1:", 15, "]"),
    Adversarial("http://", "a", 50_000),
    Adversarial("http://", "a", 50_000, "!"),
    Adversarial("http://", "a.", 25_000, "com/"),
    Adversarial("http://", "a-", 25_000, "/"),
    Adversarial("http://", "1.", 25_000, "/"),
    Adversarial("http://", "@", 50_000),
    Adversarial("http://[", ":", 50_000, "]/"),
    Adversarial("http://[", "1:", 25_000, "]/"),
    Adversarial("http://example.com:", "8", 50_000),
    Adversarial("http://example.com/", "a", 50_000),
    Adversarial("http://example.com/", "a", 50_000, " "),
    Adversarial("http://example.com/", "a", 50_000, "\n"),
    Adversarial("http://example.com/", "a/", 25_000, "<"),
    Adversarial("http://example.com/", "%41", 17_000),
    Adversarial("http://example.com/", "%4", 25_000),
    Adversarial("http://example.com/?", "a=1&", 12_500, "#top"),
    Adversarial("http://example.com/#", "#", 50_000),
    Adversarial("http://example.com/", "é", 50_000),
    Adversarial("", "http://", 7_000),
    Adversarial("http", "s", 50_000, "://example.com/"),
)


def main(argv=None):
    """Print the oracle's verdict on each URL, with the first rule it breaks and why."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m grader.katas.url_validator", description=main.__doc__)
    parser.add_argument("urls", nargs="+", metavar="URL", help="a URL to judge (quote it for the shell)")
    for url in parser.parse_args(argv).urls:
        violation = find_violation(url)
        print(f"{url!r}: " + ("valid" if violation is None else f"breaks {violation}"))


if __name__ == "__main__":
    main()
