"""Exercise 5, reference solution: fetch every page of a paginated JSON API.

Follow each page's ``next`` link (resolved with urljoin against the URL the page really came
from) through one requests.Session, with a timeout on every request; wait out 429s as the
server asks; retry 502/503/504 and timeouts a few times with a growing backoff; fail at once
on anything else; and refuse to go round a loop of links.
"""

import email.utils
import re
import sys
import time
from datetime import datetime, timezone
from urllib.parse import urljoin

import requests

MAX_THROTTLED = 5  # 429 answers in a row for one page before giving up
MAX_RETRIES = 3  # retries of one page after 502/503/504 or a timeout
FIRST_BACKOFF = 0.1  # seconds before the first retry; doubled each time: 0.1, 0.2, 0.4
TRANSIENT = {502, 503, 504}  # a gateway or an overloaded server: worth asking again
DEFAULT_RETRY_AFTER = 1.0  # seconds to wait after a 429 that does not say (or says nonsense)
MAX_RETRY_AFTER = 60.0  # seconds: a server that asks for longer is not waited for longer than this


def fetch_all(url: str, *, timeout: float = 10.0) -> list:
    """Return every item of the collection that starts at ``url``, in order."""
    items = []
    fetched = set()  # URLs of pages already fetched, to notice a loop of next links
    # One Session for every request: it keeps the TCP connection open between pages
    # (HTTP keep-alive) instead of opening a new one for each.
    with requests.Session() as session:
        while True:
            response = get_page(session, url, timeout)
            page = parse_page(response)
            items.extend(page["items"])
            fetched.update({url, response.url})  # response.url differs after a redirect
            if page["next"] is None:
                return items
            # A relative link ("page2", "/items?cursor=x", "../b") means "relative to the URL
            # this page came from": urljoin applies RFC 3986's rules. String concatenation
            # gets all but the simplest cases wrong.
            url = urljoin(response.url, page["next"])
            if url in fetched:
                raise RuntimeError(f"the next links loop: {url} was already fetched")


def get_page(session, url, timeout):
    """GET one page, waiting and retrying where that can help; raise where it cannot."""
    throttled = 0  # 429 answers in a row
    retries = 0  # retries after 502/503/504 or a timeout
    while True:
        try:
            response = session.get(url, timeout=timeout)
        except requests.Timeout:
            if retries == MAX_RETRIES:
                raise
            retries += 1
            time.sleep(FIRST_BACKOFF * 2 ** (retries - 1))
            continue
        if response.status_code == 429:
            # The server says how long to wait; asking again sooner only earns another 429.
            throttled += 1
            if throttled == MAX_THROTTLED:
                response.raise_for_status()
            time.sleep(retry_after(response))
            continue
        throttled = 0
        if response.status_code in TRANSIENT and retries < MAX_RETRIES:
            retries += 1
            time.sleep(FIRST_BACKOFF * 2 ** (retries - 1))
            continue
        # Any other error (404, 500, ...) will not go away by asking again.
        response.raise_for_status()
        return response


def retry_after(response):
    """The seconds a 429 asks us to wait, at most MAX_RETRY_AFTER.

    Retry-After is whole seconds ("120") or a date ("Wed, 21 Oct 2015 07:28:00 GMT", RFC 9110
    §10.2.3). A missing or unreadable value counts as DEFAULT_RETRY_AFTER. (Not str.isdigit():
    it says yes to "²", which int() refuses; and time.sleep(99999999999) raises OverflowError.)
    """
    value = response.headers.get("Retry-After", "").strip()
    if re.fullmatch(r"[0-9]+", value):
        seconds = float(min(int(value), MAX_RETRY_AFTER))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
            seconds = (when - datetime.now(timezone.utc)).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):  # not a date either
            seconds = DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def parse_page(response):
    """The page as a dict with a list "items" and a "next" that is a string or None."""
    try:
        page = response.json()
    except ValueError as error:  # requests' JSONDecodeError is a ValueError
        raise ValueError(f"{response.url} did not answer JSON: {error}") from None
    if not (isinstance(page, dict) and isinstance(page.get("items"), list) and "next" in page
            and (page["next"] is None or isinstance(page["next"], str))):
        raise ValueError(f"{response.url} did not answer a page with 'items' and 'next'")
    return page


if __name__ == "__main__":
    print(fetch_all(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/page1.json"))
