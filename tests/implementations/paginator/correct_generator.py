"""Correct: a generator yields the pages; retries are a for-loop over attempts per page."""

import time
from urllib.parse import urljoin

import requests


def fetch_all(url: str, *, timeout: float = 10.0) -> list:
    with requests.Session() as session:
        return [item for page in pages(session, url, timeout) for item in page["items"]]


def pages(session, url, timeout):
    """Yield each page of the collection, following next links."""
    seen = set()
    while url is not None:
        response = fetch(session, url, timeout)
        seen |= {url, response.url}
        try:
            page = response.json()
        except ValueError as error:
            raise ValueError(f"not JSON: {error}") from None
        if type(page) is not dict or type(page.get("items")) is not list \
                or "next" not in page or not isinstance(page["next"], (str, type(None))):
            raise ValueError(f"not a page: {page!r:.80}")
        yield page
        url = None if page["next"] is None else urljoin(response.url, page["next"])
        if url in seen:
            raise RuntimeError(f"loop: {url}")


def fetch(session, url, timeout):
    """One page's response, after at most 5 429s in a row and 3 retries of 5xx/timeouts."""
    backoffs = iter([0.1, 0.2, 0.4])
    throttled = 0
    while True:
        try:
            response = session.get(url, timeout=timeout)
        except requests.Timeout:
            delay = next(backoffs, None)
            if delay is None:
                raise
            time.sleep(delay)
            continue
        if response.status_code == 429 and throttled < 4:
            throttled += 1
            header = response.headers.get("Retry-After", "1")
            time.sleep(int(header) if header.isdigit() else 1)
            continue
        if response.status_code != 429:
            throttled = 0
        if response.status_code in (502, 503, 504):
            delay = next(backoffs, None)
            if delay is not None:
                time.sleep(delay)
                continue
        response.raise_for_status()
        return response
