"""Passes the timeout, but raises on the first requests.Timeout instead of retrying."""

import time
from urllib.parse import urljoin

import requests

MAX_THROTTLED = 5
MAX_RETRIES = 3
FIRST_BACKOFF = 0.1
TRANSIENT = {502, 503, 504}


def fetch_all(url: str, *, timeout: float = 10.0) -> list:
    items = []
    fetched = set()
    with requests.Session() as session:
        while True:
            response = get_page(session, url, timeout)
            page = parse_page(response)
            items.extend(page["items"])
            fetched.update({url, response.url})
            if page["next"] is None:
                return items
            url = urljoin(response.url, page["next"])
            if url in fetched:
                raise RuntimeError(f"the next links loop: {url} was already fetched")


def get_page(session, url, timeout):
    throttled = 0
    retries = 0
    while True:
        response = session.get(url, timeout=timeout)
        if response.status_code == 429:
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
        response.raise_for_status()
        return response


def retry_after(response):
    value = response.headers.get("Retry-After", "").strip()
    return int(value) if value.isdigit() else 1


def parse_page(response):
    try:
        page = response.json()
    except ValueError as error:
        raise ValueError(f"{response.url} did not answer JSON: {error}") from None
    if not (isinstance(page, dict) and isinstance(page.get("items"), list) and "next" in page
            and (page["next"] is None or isinstance(page["next"], str))):
        raise ValueError(f"{response.url} did not answer a page with 'items' and 'next'")
    return page
