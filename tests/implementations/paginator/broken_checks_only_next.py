"""Checks that a page has a next key, but not that it has items: a page without items raises
KeyError, not ValueError."""

import time
from urllib.parse import urljoin

import requests


def fetch_all(url: str, *, timeout: float = 10.0) -> list:
    result, done = [], set()
    with requests.Session() as http:
        while True:
            retries = throttles = 0
            while True:
                try:
                    r = http.get(url, timeout=timeout)
                except requests.Timeout:
                    if retries >= 3:
                        raise
                else:
                    if r.status_code == 429:
                        throttles += 1
                        if throttles >= 5:
                            r.raise_for_status()
                        ra = r.headers.get("Retry-After", "")
                        time.sleep(int(ra) if ra.isdigit() else 1)
                        continue
                    throttles = 0
                    if r.status_code not in (502, 503, 504) or retries >= 3:
                        r.raise_for_status()
                        break
                time.sleep(0.1 * 2 ** retries)
                retries += 1
            done.update((url, r.url))
            data = r.json()  # raises a ValueError subclass for a body that is not JSON
            if not isinstance(data, dict) or "next" not in data:
                raise ValueError("page is not an object with items and next")
            if not isinstance(data["items"], list):
                raise ValueError("items is not a list")
            if data["next"] is not None and not isinstance(data["next"], str):
                raise ValueError("next is neither a string nor null")
            result += data["items"]
            if data["next"] is None:
                return result
            url = urljoin(r.url, data["next"])
            if url in done:
                raise RuntimeError(f"{url} was already fetched: the next links loop")
