"""Exercise 5: a client for a paginated JSON API.

Fetch every page of a collection by following each page's "next" link, through one
requests.Session, coping with a server that rate-limits (429), fails now and then (502/503/504),
stalls, or sends something that is not a page. Read README.md in this folder first; run
`grader paginator` to check.

Try it by hand (see the README for a two-page API made with python -m http.server):
    python paginator.py http://127.0.0.1:8000/page1.json
"""

import sys
import time
from urllib.parse import urljoin

import requests


def fetch_all(url: str, *, timeout: float = 10.0) -> list:
    """Return every item of the paginated collection that starts at ``url``, in order.

    Each page is a JSON object {"items": [...], "next": "<url>" or null}. Raises
    requests.HTTPError, requests.Timeout, ValueError or RuntimeError as the README describes.
    """
    # TODO 1: open one requests.Session (a `with` block) and make every request through it,
    #         each with timeout=timeout. Start with the page at `url`.
    # TODO 2: for each page: GET it, call response.raise_for_status(), then response.json().
    #         Check the result is a dict with a list "items" and a "next" that is a string or
    #         None; anything else is a ValueError. Add the items to your result, in order.
    # TODO 3: if "next" is None, you are done: return the items. Otherwise the next URL is
    #         urljoin(response.url, next) -- never string concatenation, never a page number
    #         you compute yourself.
    # TODO 4: remember every URL you fetched; if the next URL is one of them, the links go
    #         round in a circle: raise RuntimeError instead of requesting it again.
    # TODO 5: put the GET of one page in a loop that retries:
    #         - 429: sleep int(response.headers["Retry-After"]) seconds (1 if the header is
    #           missing), then ask again; raise_for_status() on the 5th 429 in a row.
    #         - 502, 503, 504 or requests.Timeout: sleep 0.1 s, then 0.2 s, then 0.4 s
    #           (a growing backoff) and ask again; after the 3rd retry fails, raise.
    #         - any other error status (404, 500, ...): raise at once, no retry.
    raise NotImplementedError("paginator: fetch_all() is not written yet")


if __name__ == "__main__":
    print(fetch_all(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/page1.json"))
