"""Hypothesis strategies that build URLs from the grammar of docs/url-rules.md, valid or broken.

A fixed table of examples only tests what its author thought of; these strategies build URLs
from the grammar itself, so every host form, port, path, query, fragment and percent escape is
combined with every other:

- ``valid_urls()``: URLs that follow every rule (``url_rules.is_valid_url`` accepts them all).
- ``broken_urls()``: ``(url, rule)`` pairs: a valid URL with exactly one thing broken, and the
  number of the rule (a key of ``url_rules.RULES``) that the break violates first. Hypothesis
  shrinks a failing pair to a short URL, which the grader shows with that rule.

Each generator builds a ``UrlParts`` first, so a breaker can damage one part and keep the rest.
Strategies are built once and shared (``functools.cache`` and module constants): Hypothesis
validates every new strategy object, and building them inside each draw made generation
several times slower.
"""

import string
from dataclasses import dataclass, replace
from functools import cache

from hypothesis import strategies as st

from grader.katas.url_validator.rules import MAX_LABEL_LENGTH, MAX_NAME_LENGTH

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
_NON_ASCII = st.characters(min_codepoint=0x80, exclude_categories=["Cs"])
_HEX_DIGIT = st.sampled_from(HEX)
_ALNUM = st.sampled_from(ALNUM)
_LETTER = st.sampled_from(LETTERS)
_MAYBE_DOT = st.sampled_from(["", "."])
_BYTE = st.integers(0, 255)


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


def _recase(word, mask):
    """``word`` with the letters whose bit is set in ``mask`` made upper case."""
    return "".join(c.upper() if mask >> i & 1 else c for i, c in enumerate(word))


@cache
def _masks(length):
    return st.integers(0, 2**length - 1)


@st.composite
def _any_case(draw, word):
    """``word`` (lower case) in a drawn letter case: schemes and hex digits ignore case."""
    return _recase(word, draw(_masks(len(word))))


@cache
def schemes():
    """http or https in any letter case."""
    return st.sampled_from(["http", "https"]).flatmap(_any_case)


@cache
def labels(first=ALNUM, max_size=MAX_LABEL_LENGTH):
    """A DNS label: letters, digits and "-", neither first nor last a "-"."""
    middle = st.text(ALNUM + "-", max_size=max_size - 2)
    long_label = st.tuples(st.sampled_from(first), middle, _ALNUM).map("".join)
    return st.sampled_from(first) | long_label


@cache
def dns_names():
    """Names of 1 to 6 labels, the last one starting with a letter, maybe with a final "."."""
    return st.builds(
        lambda head, top, dot: ".".join([*head, top]) + dot,
        st.lists(labels(max_size=12), max_size=5),
        labels(first=LETTERS, max_size=12),
        _MAYBE_DOT,
    )


@st.composite
def _names_of_length(draw, lengths):
    """Names of 63-character labels with a drawn length before an optional final "."."""
    remaining = draw(lengths)
    parts = []
    while remaining > MAX_LABEL_LENGTH + 1:
        parts.append(draw(_ALNUM) * MAX_LABEL_LENGTH)
        remaining -= MAX_LABEL_LENGTH + 1
    parts.append(draw(_LETTER) * remaining)
    return ".".join(parts) + draw(_MAYBE_DOT)


@cache
def long_dns_names():
    """Names near the limits: 63-character labels, 240 to 253 characters before the "."."""
    return _names_of_length(st.integers(240, MAX_NAME_LENGTH))


@cache
def ipv4_addresses():
    """Four numbers 0 to 255, written without leading zeros."""
    return st.tuples(_BYTE, _BYTE, _BYTE, _BYTE).map(lambda t: ".".join(map(str, t)))


_GROUP = st.tuples(st.integers(0, 0xFFFF), st.integers(0, 3), _masks(4))
_RUN = st.none() | st.tuples(st.integers(0, 7), st.integers(1, 8))


@st.composite
def _ipv6_addresses(draw):
    ipv4_tail = draw(st.booleans())
    count = 6 if ipv4_tail else 8
    drawn = [draw(_GROUP) for _ in range(count)]
    run = draw(_RUN)
    if run is not None:
        start = min(run[0], count - 1)
        length = min(run[1], count - start)
        for index in range(start, start + length):
            drawn[index] = (0, *drawn[index][1:])  # "::" stands for these zero groups
    groups = []
    for value, padding, mask in drawn:
        digits = f"{value:x}"
        groups.append(_recase(digits.rjust(min(4, len(digits) + padding), "0"), mask))
    tail = [draw(ipv4_addresses())] if ipv4_tail else []
    if run is None:
        return ":".join(groups + tail)
    left, right = groups[:start], groups[start + length :] + tail
    return ":".join(left) + "::" + ":".join(right)


@cache
def ipv6_addresses():
    """Every RFC 4291 text form: full, with leading zeros, "::" anywhere, an IPv4 tail."""
    return _ipv6_addresses()


@cache
def hosts():
    """Every host form: DNS names (short and near the length limits), IPv4, IPv6 in brackets."""
    return st.one_of(
        dns_names(),
        long_dns_names(),
        ipv4_addresses(),
        ipv6_addresses().map(lambda address: f"[{address}]"),
    )


@cache
def ports():
    """A port 1 to 65535, sometimes padded with zeros to at most 5 digits ("080")."""
    return st.tuples(st.integers(1, 65535), st.integers(0, 4)).map(
        lambda t: str(t[0]).rjust(min(5, len(str(t[0])) + t[1]), "0")
    )


@cache
def percent_escapes():
    """"%" and two hex digits in any letter case."""
    return st.tuples(_HEX_DIGIT, _HEX_DIGIT).map(lambda t: "%" + "".join(t))


def _text_of(chars, marks, max_size=8):
    """Text of ``chars`` and escapes, with ``marks`` (a few of the chars) drawn more often."""
    char = st.sampled_from(chars) | st.sampled_from(marks) | percent_escapes()
    return st.lists(char, max_size=max_size).map("".join)


@cache
def paths():
    """Empty, or segments that each start with "/"."""
    return st.lists(_text_of(PATH_CHARS, ":@;=~"), max_size=4).map(
        lambda segments: "".join("/" + segment for segment in segments)
    )


@cache
def queries():
    """A query or a fragment: may be empty, may hold "/" and "?"."""
    return _text_of(QUERY_CHARS, "/?=&")


@cache
def url_parts():
    """``UrlParts`` of a valid URL."""
    return st.builds(
        UrlParts,
        scheme=schemes(),
        host=hosts(),
        port=st.none() | ports(),
        path=paths(),
        query=st.none() | queries(),
        fragment=st.none() | queries(),
    )


@cache
def valid_urls():
    """URLs that follow every rule of docs/url-rules.md."""
    return url_parts().map(str)


# --- one rule broken at a time ------------------------------------------------------------
# Each breaker returns (url, rule): the rule is the one url_rules.find_violation names first.

_BAD_SCHEMES = st.sampled_from(
    ["ftp", "ws", "file", "htp", "httpx", "shttp", "http2", "https-", "h", ""]
).flatmap(_any_case)
_BAD_SEPARATORS = st.sampled_from([":/", ":", "//", ":\\\\", "/"])


@st.composite
def _bad_scheme(draw):
    parts = draw(url_parts())
    if draw(st.booleans()):
        return str(replace(parts, scheme=draw(_BAD_SCHEMES))), 1
    return str(parts).replace("://", draw(_BAD_SEPARATORS), 1), 1


def _with_host(draw, host):
    """A drawn valid URL with ``host`` as its host."""
    return str(replace(draw(url_parts()), host=host))


LABEL_BREAKS = ("start-", "end-", "char", "long", "empty", "numeric top")
_NOT_IN_LABELS = st.just("_") | st.sampled_from("!$&'()*+,;=~%\\")  # "_" the most common


@st.composite
def _bad_label(draw, how):
    """A DNS name broken as ``how`` (one of LABEL_BREAKS) says."""
    names = draw(dns_names()).removesuffix(".").split(".")
    index = draw(st.integers(0, len(names) - 1))
    label = names[index]
    if how == "start-":
        names[index] = "-" + label
    elif how == "end-":
        names[index] = label + "-"
    elif how == "char":
        at = draw(st.integers(0, len(label)))
        names[index] = label[:at] + draw(_NOT_IN_LABELS) + label[at:]
    elif how == "long":
        names[index] = label + "a" * (MAX_LABEL_LENGTH + 1 - len(label))
    elif how == "empty":
        names.insert(index, "")
    else:  # a digit before the top label: it still holds a letter, so it is no IPv4
        names[-1] = draw(st.sampled_from(string.digits)) + names[-1]
    return _with_host(draw, ".".join(names) + draw(_MAYBE_DOT)), 3


_TOO_LONG_NAMES = _names_of_length(st.integers(MAX_NAME_LENGTH + 1, MAX_NAME_LENGTH + 20))


@st.composite
def _too_long_name(draw):
    return _with_host(draw, draw(_TOO_LONG_NAMES)), 3


_FOUR_NUMBERS = st.tuples(_BYTE, _BYTE, _BYTE, _BYTE).map(lambda t: [str(n) for n in t])
_IPV4_BREAKS = st.sampled_from(["256+", "count", "trailing dot"])


@st.composite
def _bad_ipv4(draw):
    numbers = draw(_FOUR_NUMBERS)
    how = draw(_IPV4_BREAKS)
    if how == "256+":
        numbers[draw(st.integers(0, 3))] = str(draw(st.integers(256, 999)))
    elif how == "count":
        numbers = (numbers * 2)[: draw(st.sampled_from([1, 2, 3, 5]))]
    return _with_host(draw, ".".join(numbers) + ("." if how == "trailing dot" else "")), 3


_IPV6_BEFORE_IPV4 = st.sampled_from(["::", "::ffff:", "1:2:3:4:5:6:"])


@st.composite
def _leading_zero(draw, in_ipv6):
    """An IPv4 address, alone or as an IPv6 tail, with one number such as 01, 00 or 099."""
    numbers = draw(_FOUR_NUMBERS)
    numbers[draw(st.integers(0, 3))] = "0" + str(draw(st.integers(0, 99)))
    address = ".".join(numbers)
    if in_ipv6:
        address = f"[{draw(_IPV6_BEFORE_IPV4)}{address}]"
    return _with_host(draw, address), 3


IPV6_BREAKS = ("zone", "long group", "not hex", "extra group", "no ]")


@st.composite
def _bad_ipv6(draw, how):
    """An IPv6 host broken as ``how`` (one of IPV6_BREAKS) says."""
    address = draw(ipv6_addresses())
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
    return _with_host(draw, host), 3


_BAD_PORTS = st.one_of(
    st.just(""),
    st.sampled_from(["0", "00", "00000"]),
    st.integers(65536, 99999).map(str),
    ports().map(lambda port: port.rjust(6, "0")),
    st.sampled_from(["-1", "+80", "8o", "0x50", "80:80", "8_0"]),
)


@st.composite
def _bad_port(draw):
    return str(replace(draw(url_parts()), port=draw(_BAD_PORTS))), 4


_USERS = st.text(ALNUM + "-._~!$&'()*+,;=:%", max_size=8)


@st.composite
def _userinfo(draw):
    parts = draw(url_parts())
    return str(replace(parts, host=f"{draw(_USERS)}@{parts.host}")), 2


@st.composite
def _inserted_anywhere(draw, chars):
    url = draw(valid_urls())
    at = draw(st.integers(0, len(url)))
    return url[:at] + draw(chars) + url[at:], 0


_LINE_ENDS = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def _trailing_newline(draw):
    return draw(valid_urls()) + draw(_LINE_ENDS), 0


_COMPONENTS = st.sampled_from(["path", "query", "fragment"])


@st.composite
def _in_path_query_or_fragment(draw, bad, rule=5):
    """A valid URL with a drawn ``bad`` text put into its path (after the first "/"), query
    or fragment: where learners' checks of characters are most often too lax."""
    parts = draw(url_parts())
    component = draw(_COMPONENTS)
    text = getattr(parts, component) or ""
    if component == "path":
        text = text or "/"
        at = draw(st.integers(1, len(text)))
    else:
        at = draw(st.integers(0, len(text)))
    return str(replace(parts, **{component: text[:at] + draw(bad) + text[at:]})), rule


_BAD_ESCAPES = st.sampled_from(["%g", "%G0", "%0g", "%%", "%.", "%-1", "%/", "%~", "%?"])
_CUT_ESCAPES = st.sampled_from(["%", "%a", "%F", "%0"])  # bad only where a component ends


@st.composite
def _cut_escape(draw):
    parts = draw(url_parts())
    component = draw(_COMPONENTS)
    text = getattr(parts, component) or ("/" if component == "path" else "")
    return str(replace(parts, **{component: text + draw(_CUT_ESCAPES)})), 5


@st.composite
def _second_hash(draw):
    parts = draw(url_parts())
    fragment = parts.fragment or ""
    at = draw(st.integers(0, len(fragment)))
    return str(replace(parts, fragment=fragment[:at] + "#" + fragment[at:])), 5


@st.composite
def _non_ascii_in_host(draw):
    """A DNS name with a non-ASCII letter or digit in a label, which str.isalnum() accepts."""
    name = draw(dns_names())
    at = draw(st.integers(0, len(name.removesuffix("."))))
    char = draw(st.sampled_from("üéßøπж\u212a\u017f\u0131\u0668\uff10"))
    return _with_host(draw, name[:at] + char + name[at:]), 0


_CONTROLS = st.sampled_from(" \t\n") | st.sampled_from([chr(c) for c in range(0x21)] + ["\x7f"])
_NON_ASCII_OR_LOOKALIKE = st.sampled_from(LOOKALIKES) | _NON_ASCII

BREAKERS = {  # rule number: the strategies that break it
    0: (
        _inserted_anywhere(_CONTROLS),
        _in_path_query_or_fragment(_CONTROLS, rule=0),
        _inserted_anywhere(_NON_ASCII_OR_LOOKALIKE),
        _in_path_query_or_fragment(_NON_ASCII_OR_LOOKALIKE, rule=0),
        _non_ascii_in_host(),
        _trailing_newline(),
    ),
    1: (_bad_scheme(),),
    2: (_userinfo(),),
    3: (
        *(_bad_label(how) for how in LABEL_BREAKS),
        _too_long_name(),
        _bad_ipv4(),
        _leading_zero(in_ipv6=False),
        _leading_zero(in_ipv6=True),
        *(_bad_ipv6(how) for how in IPV6_BREAKS),
    ),
    4: (_bad_port(),),
    5: (
        _in_path_query_or_fragment(_BAD_ESCAPES),
        _cut_escape(),
        _second_hash(),
        _in_path_query_or_fragment(st.sampled_from("[]")),
        _in_path_query_or_fragment(st.sampled_from(FORBIDDEN_IN_PATH)),
    ),
}


@cache
def broken_urls(rule=None):
    """``(url, rule)``: a valid URL with one thing broken, and the rule that break violates;
    only breaks of ``rule`` when it is given."""
    rules = sorted(BREAKERS) if rule is None else [rule]
    return st.one_of([breaker for number in rules for breaker in BREAKERS[number]])
