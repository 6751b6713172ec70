"""Exercise 4: a URL validator.

Decide whether a string is an absolute http or https URL, by the rules in README.md (a subset
of RFC 3986, with the host name rules of RFC 1123). The input is taken as it is: no trimming,
no decoding, no repair. Read README.md in this folder first; run `grader url_validator` to check.

Try it by hand:
    python url_validator.py "http://example.com/" "http://exa mple.com" "http://[::1]:8000/"
"""

import sys


def is_valid_url(url: str) -> bool:
    """Return True when url is an absolute http or https URL by the rules in README.md.

    Returns a bool (never raises) for every str, and takes time linear in len(url).
    """
    # TODO 1 (rule 0): return False if any character is not printable ASCII, that is not
    #         between "!" (0x21) and "~" (0x7E): no space, tab, newline or non-ASCII anywhere.
    #         Doing this first also keeps str.isdigit() and friends away from non-ASCII text.
    # TODO 2 (rule 1): the URL must start with "http://" or "https://", in any letter case.
    #         Take the rest after "://".
    # TODO 3 (rule 2): the authority is the rest up to the first "/", "?" or "#" (or the end).
    #         Return False if it contains "@" (user information).
    # TODO 4 (rules 3 and 4): split the authority into host and optional ":port".
    #         An IPv6 host is in brackets ("[::1]:8000"), so split after the "]", not at the
    #         first ":". The host must be a DNS name, an IPv4 address or an IPv6 address;
    #         write one small function for each. (ipaddress.IPv6Address can help with IPv6,
    #         but it accepts a zone id such as "fe80::1%eth0", which the rules do not.)
    # TODO 5 (rule 4): a port is 1 to 5 ASCII digits with a value from 1 to 65535.
    #         Check the length before int(): int() refuses strings of thousands of digits.
    # TODO 6 (rule 5): split what follows the authority at the first "#" (the fragment),
    #         then at the first "?" (path and query). Check each part character by character:
    #         allowed characters, or "%" followed by exactly two hex digits.
    # TODO 7: run your function on the examples of README.md, and on a string of 50,000
    #         characters: it must answer at once, True or False, and never raise.
    raise NotImplementedError("url_validator: is_valid_url() is not written yet")


if __name__ == "__main__":
    for argument in sys.argv[1:] or ["http://example.com/", "http://exa mple.com"]:
        print(f"{is_valid_url(argument)!s:5}  {argument!r}")
