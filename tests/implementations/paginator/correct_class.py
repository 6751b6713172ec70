"""Correct: a small client class keeps the Session, the visited URLs and the retry policy."""

import time
from urllib.parse import urljoin

import requests


class Paginator:
    RETRY_LATER = frozenset({502, 503, 504})

    def __init__(self, timeout):
        self.timeout = timeout
        self.session = requests.Session()
        self.visited = []

    def close(self):
        self.session.close()

    def collect(self, url):
        items = []
        while True:
            response = self.get(url)
            self.visited += [url, response.url]
            page = self.page_of(response)
            items += page["items"]
            if page["next"] is None:
                return items
            url = urljoin(response.url, page["next"])
            if url in self.visited:
                raise RuntimeError("next links go round in a loop at " + url)

    def get(self, url):
        in_a_row_429 = 0
        retried = 0
        while True:
            timed_out = None
            try:
                response = self.session.get(url, timeout=self.timeout)
            except requests.Timeout as error:
                response, timed_out = None, error
            if response is not None and response.status_code == 429:
                in_a_row_429 += 1
                if in_a_row_429 >= 5:
                    response.raise_for_status()
                wait = response.headers.get("Retry-After")
                time.sleep(int(wait) if wait and wait.isdigit() else 1)
                continue
            in_a_row_429 = 0
            if response is None or response.status_code in self.RETRY_LATER:
                if retried == 3:
                    if timed_out:
                        raise timed_out
                    response.raise_for_status()
                time.sleep(0.1 * 2 ** retried)
                retried += 1
                continue
            response.raise_for_status()
            return response

    @staticmethod
    def page_of(response):
        try:
            page = response.json()
        except ValueError:
            raise ValueError(f"{response.url}: the body is not JSON") from None
        if not isinstance(page, dict) or not {"items", "next"} <= set(page) \
                or not isinstance(page["items"], list) \
                or not (page["next"] is None or isinstance(page["next"], str)):
            raise ValueError(f"{response.url}: not a page object")
        return page


def fetch_all(url: str, *, timeout: float = 10.0) -> list:
    paginator = Paginator(timeout)
    try:
        return paginator.collect(url)
    finally:
        paginator.close()
