"""Hypothesis strategies that build URLs from the grammar of URL_RULES.md, valid or broken.

A fixed table of examples only tests what its author thought of; these strategies build URLs
from the grammar itself, so every host form, port, path, query, fragment and percent escape is
combined with every other:

- ``valid_urls()``: URLs that follow every rule (``url_rules.is_valid_url`` accepts them all).
- ``broken_urls()``: ``(url, rule)`` pairs: a valid URL with exactly one thing broken, and the
  number of the rule (a key of ``url_rules.RULES``) that the break violates first. Hypothesis
  shrinks a failing pair to a short URL, which the grader shows with that rule.

Each generator builds a ``UrlParts`` first, so a breaker can damage one part and keep the rest.
"""

import string
from dataclasses import dataclass, replace

from hypothesis import strategies as st

from grader.url_rules import MAX_LABEL_LENGTH, MAX_NAME_LENGTH

LETTERS = string.ascii_letters
ALNUM = LETTERS + string.digits
HEX = "0123456789abcdefABCDEF"
PATH_CHARS = ALNUM + "-._~" + "!$&'()*+,;=" + ":@"  # a segment's characters ("/" apart)
QUERY_CHARS = PATH_CHARS + "/?"
FORBIDDEN_IN_PATH = '<>"{}|\\^`'  # printable ASCII that only a %XX escape may stand for
# Non-ASCII characters that str methods or re.IGNORECASE take for ASCII letters and digits:
# the Kelvin sign and the long s match k and s, Arabic-Indic and full-width digits are digits.
LOOKALIKES = "\u212a\u017f\u0131\u0130\u0668\uff10\u00e9\u00a0\u200b"
# Lone surrogates are left out: they cannot be encoded as UTF-8 on their way to the learner.
_non_ascii = st.characters(min_codepoint=0x80, exclude_categories=["Cs"])


@dataclass(frozen=True)
class UrlParts:
    """A URL taken apart; ``None`` for a port, query or fragment means it is absent."""

    scheme: str
    host: str
    port: str | None
    path: str
    query: str | None
    fragment: str | None

    def __str__(self):
        url = f"{self.scheme}://{self.host}"
        if self.port is not None:
            url += ":" + self.port
        url += self.path
        if self.query is not None:
            url += "?" + self.query
        if self.fragment is not None:
            url += "#" + self.fragment
        return url


# --- the grammar, valid -------------------------------------------------------------------


@st.composite
def _any_case(draw, word):
    """``word`` with each letter in a drawn case: schemes and hex digits ignore case."""
    return "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in word)


def schemes():
    return st.sampled_from(["http", "https"]).flatmap(_any_case)


@st.composite
def labels(draw, first=ALNUM, max_size=MAX_LABEL_LENGTH):
    """A DNS label: letters, digits and "-", neither first nor last a "-"."""
    head = draw(st.sampled_from(first))
    if draw(st.booleans()):
        return head
    middle = draw(st.text(ALNUM + "-", max_size=max_size - 2))
    return head + middle + draw(st.sampled_from(ALNUM))


def dns_names():
    """Names of 1 to 6 labels, the last one starting with a letter, maybe with a final "."."""
    return st.builds(
        lambda head, top, dot: ".".join([*head, top]) + dot,
        st.lists(labels(max_size=12), max_size=5),
        labels(first=LETTERS, max_size=12),
        st.sampled_from(["", "."]),
    )


@st.composite
def _names_of_length(draw, lengths):
    """Names of 63-character labels with a drawn length before an optional final "."."""
    remaining = draw(lengths)
    parts = []
    while remaining > MAX_LABEL_LENGTH + 1:
        parts.append(draw(st.sampled_from(ALNUM)) * MAX_LABEL_LENGTH)
        remaining -= MAX_LABEL_LENGTH + 1
    parts.append(draw(st.sampled_from(LETTERS)) * remaining)
    return ".".join(parts) + draw(st.sampled_from(["", "."]))


def long_dns_names():
    """Names near the limits: 63-character labels, 240 to 253 characters before the "."."""
    return _names_of_length(st.integers(240, MAX_NAME_LENGTH))


def ipv4_addresses():
    return st.lists(st.integers(0, 255), min_size=4, max_size=4).map(
        lambda numbers: ".".join(map(str, numbers))
    )


@st.composite
def ipv6_addresses(draw):
    """Every RFC 4291 text form: full, with leading zeros, "::" anywhere, an IPv4 tail."""
    ipv4_tail = draw(st.booleans())
    count = 6 if ipv4_tail else 8
    values = draw(st.lists(st.integers(0, 0xFFFF), min_size=count, max_size=count))
    run = draw(st.none() | st.tuples(st.integers(0, count - 1), st.integers(1, count)))
    if run is not None:
        start, length = run[0], min(run[1], count - run[0])
        values[start : start + length] = [0] * length  # "::" stands for these zeros
    groups = []
    for value in values:
        digits = f"{value:x}"
        width = draw(st.integers(len(digits), 4))
        groups.append(draw(_any_case(digits.rjust(width, "0"))))
    tail = [draw(ipv4_addresses())] if ipv4_tail else []
    if run is None:
        return ":".join(groups + tail)
    left, right = groups[:start], groups[start + length :] + tail
    return ":".join(left) + "::" + ":".join(right)


def hosts():
    return st.one_of(
        dns_names(),
        long_dns_names(),
        ipv4_addresses(),
        ipv6_addresses().map(lambda address: f"[{address}]"),
    )


@st.composite
def ports(draw):
    """A port 1 to 65535, sometimes padded with zeros to at most 5 digits ("080")."""
    value = str(draw(st.integers(1, 65535)))
    return value.rjust(draw(st.integers(len(value), 5)), "0")


def percent_escapes():
    return st.tuples(st.sampled_from(HEX), st.sampled_from(HEX)).map(lambda t: "%" + "".join(t))


def _text_of(chars, max_size=8):
    return st.lists(st.sampled_from(chars) | percent_escapes(), max_size=max_size).map("".join)


def paths():
    """Empty, or segments that each start with "/"."""
    return st.lists(_text_of(PATH_CHARS), max_size=4).map(
        lambda segments: "".join("/" + segment for segment in segments)
    )


def queries():
    """A query or a fragment: may be empty, may hold "/" and "?"."""
    return _text_of(QUERY_CHARS)


def url_parts(host=None):
    """``UrlParts`` of a valid URL; ``host`` replaces the strategy for the host."""
    return st.builds(
        UrlParts,
        scheme=schemes(),
        host=host if host is not None else hosts(),
        port=st.none() | ports(),
        path=paths(),
        query=st.none() | queries(),
        fragment=st.none() | queries(),
    )


def valid_urls():
    """URLs that follow every rule of URL_RULES.md."""
    return url_parts().map(str)


# --- one rule broken at a time ------------------------------------------------------------
# Each breaker returns (url, rule): the rule is the one url_rules.find_violation names first.

BAD_SCHEMES = ["ftp", "ws", "file", "htp", "httpx", "shttp", "http2", "https-", "h", ""]
BAD_SEPARATORS = [":/", ":", "//", ":\\\\", "/"]


@st.composite
def _bad_scheme(draw):
    parts = draw(url_parts())
    if draw(st.booleans()):
        scheme = draw(st.sampled_from(BAD_SCHEMES).flatmap(_any_case))
        return str(replace(parts, scheme=scheme)), 1
    url = str(parts)
    separator = draw(st.sampled_from(BAD_SEPARATORS))
    return url.replace("://", separator, 1), 1


@st.composite
def _bad_label(draw):
    name = draw(dns_names()).removesuffix(".")
    names = name.split(".")
    index = draw(st.integers(0, len(names) - 1))
    label = names[index]
    how = draw(st.sampled_from(["start-", "end-", "char", "long", "empty", "numeric top"]))
    if how == "start-":
        names[index] = "-" + label
    elif how == "end-":
        names[index] = label + "-"
    elif how == "char":
        at = draw(st.integers(0, len(label)))
        names[index] = label[:at] + draw(st.sampled_from("_!$&'()*+,;=~%\\")) + label[at:]
    elif how == "long":
        names[index] = label + "a" * (MAX_LABEL_LENGTH + 1 - len(label))
    elif how == "empty":
        names.insert(index, "")
    else:  # a digit before the top label: it still holds a letter, so it is no IPv4
        names[-1] = draw(st.sampled_from(string.digits)) + names[-1]
    host = ".".join(names) + draw(st.sampled_from(["", "."]))
    return str(draw(url_parts(host=st.just(host)))), 3


@st.composite
def _too_long_name(draw):
    host = draw(_names_of_length(st.integers(MAX_NAME_LENGTH + 1, MAX_NAME_LENGTH + 20)))
    return str(draw(url_parts(host=st.just(host)))), 3


@st.composite
def _bad_ipv4(draw):
    numbers = [str(n) for n in draw(st.lists(st.integers(0, 255), min_size=4, max_size=4))]
    index = draw(st.integers(0, 3))
    how = draw(st.sampled_from(["256+", "count", "trailing dot"]))
    if how == "256+":
        numbers[index] = str(draw(st.integers(256, 999)))
    elif how == "count":
        numbers = (numbers * 2)[: draw(st.sampled_from([1, 2, 3, 5]))]
    host = ".".join(numbers) + ("." if how == "trailing dot" else "")
    return str(draw(url_parts(host=st.just(host)))), 3


@st.composite
def _leading_zero(draw):
    numbers = [str(n) for n in draw(st.lists(st.integers(0, 255), min_size=4, max_size=4))]
    index = draw(st.integers(0, 3))
    numbers[index] = "0" * draw(st.integers(1, 2)) + numbers[index]
    address = ".".join(numbers)
    if draw(st.booleans()):
        address = f"[{draw(st.sampled_from(['::', '::ffff:', '1:2:3:4:5:6:']))}{address}]"
    return str(draw(url_parts(host=st.just(address)))), 3


@st.composite
def _bad_ipv6(draw):
    address = draw(ipv6_addresses())
    how = draw(st.sampled_from(["zone", "long group", "not hex", "extra group", "no ]"]))
    if how == "zone":
        host = f"[{address}%{draw(st.sampled_from(['eth0', '25eth0', '1']))}]"
    elif how == "long group":  # "12345" before the first group or before "::"
        host = f"[12345{'' if address.startswith('::') else ':'}{address}]"
    elif how == "not hex":
        host = f"[{draw(st.sampled_from('gGxz'))}{address}]"
    elif how == "extra group":
        host = f"[1:2:3:4:5:6:7:8{draw(st.sampled_from([':9', '::', ':1.2.3.4']))}]"
    else:
        host = f"[{address}"
    return str(draw(url_parts(host=st.just(host)))), 3


@st.composite
def _bad_port(draw):
    port = draw(
        st.sampled_from(["", "0", "00", "00000", "-1", "+80", "8o", "0x50", "80:80"])
        | st.integers(65536, 99999).map(str)
        | ports().map(lambda p: "0" * (6 - len(p)) + p)
    )
    return str(replace(draw(url_parts()), port=port)), 4


@st.composite
def _userinfo(draw):
    user = draw(st.text(ALNUM + "-._~!$&'()*+,;=:%", max_size=8))
    parts = draw(url_parts())
    return str(replace(parts, host=f"{user}@{parts.host}")), 2


def _insert_anywhere(chars):
    @st.composite
    def insert(draw):
        url = draw(valid_urls())
        at = draw(st.integers(0, len(url)))
        return url[:at] + draw(chars) + url[at:], 0

    return insert()


@st.composite
def _trailing_newline(draw):
    return draw(valid_urls()) + draw(st.sampled_from(["\n", "\r\n", "\r"])), 0


@st.composite
def _in_path_query_or_fragment(draw, bad):
    """A valid URL with a drawn ``bad`` text put into its path (after the first "/"), query
    or fragment."""
    bad = draw(bad)
    parts = draw(url_parts())
    component = draw(st.sampled_from(["path", "query", "fragment"]))
    text = getattr(parts, component) or ""
    if component == "path":
        text = text or "/"
        at = draw(st.integers(1, len(text)))
    else:
        at = draw(st.integers(0, len(text)))
    return str(replace(parts, **{component: text[:at] + bad + text[at:]})), 5


@st.composite
def _bad_percent_escape(draw):
    middle = st.sampled_from(["%g", "%G0", "%0g", "%%", "%.", "%-1", "%/", "%~", "%?"])
    end = st.sampled_from(["%", "%a", "%F", "%0"])
    parts = draw(url_parts())
    if draw(st.booleans()):
        return draw(_in_path_query_or_fragment(middle))
    component = draw(st.sampled_from(["path", "query", "fragment"]))
    text = getattr(parts, component) or ("/" if component == "path" else "")
    return str(replace(parts, **{component: text + draw(end)})), 5


@st.composite
def _second_hash(draw):
    parts = draw(url_parts())
    fragment = parts.fragment or ""
    at = draw(st.integers(0, len(fragment)))
    return str(replace(parts, fragment=fragment[:at] + "#" + fragment[at:])), 5


def broken_urls():
    """``(url, rule)``: a valid URL with one thing broken, and the rule that break violates."""
    return st.one_of(
        _bad_scheme(),
        _bad_label(),
        _too_long_name(),
        _bad_ipv4(),
        _leading_zero(),
        _bad_ipv6(),
        _bad_port(),
        _userinfo(),
        _insert_anywhere(st.sampled_from([chr(c) for c in range(0x21)] + ["\x7f"])),
        _insert_anywhere(st.sampled_from(LOOKALIKES) | _non_ascii),
        _trailing_newline(),
        _bad_percent_escape(),
        _second_hash(),
        _in_path_query_or_fragment(st.sampled_from("[]")),
        _in_path_query_or_fragment(st.sampled_from(FORBIDDEN_IN_PATH)),
    )
