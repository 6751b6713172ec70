"""Exercise 10: fetch many URLs at once with asyncio and aiohttp, a bounded number at a time.

Fetch every URL through one aiohttp.ClientSession, with at most `limit` requests in flight and,
while URLs remain, exactly `limit`; return one entry per URL, in the order of `urls`: its body
(bytes), or the exception it ended with. Read README.md in this folder first; run
`grader async_fetcher` to check.

Try it by hand (with the grader's counting server: python -m grader.peers.fetch --port 9000 --limit 3):
    python async_fetcher.py --limit 3 http://127.0.0.1:9000/paced/1 http://127.0.0.1:9000/paced/2 ...
"""

import argparse
import asyncio

import aiohttp


async def fetch_all(urls: list[str], limit: int = 5, timeout: float = 5.0) -> list[bytes | Exception]:
    """Fetch every URL in ``urls``, at most ``limit`` at a time, each within ``timeout`` seconds.

    Returns one entry per URL, in the order of ``urls``: the body (bytes) of a 2xx answer, or
    the exception that URL ended with (aiohttp.ClientResponseError for a 4xx or 5xx,
    TimeoutError, an aiohttp.ClientError for a refused or reset connection).
    """
    # TODO 1: raise ValueError if limit < 1 or timeout <= 0, before anything else; return []
    #         for an empty list.
    # TODO 2: open one aiohttp.ClientSession with `async with`, whose connector allows `limit`
    #         connections: aiohttp.TCPConnector(limit=limit) (the default allows only 100).
    # TODO 3: write a coroutine that fetches one URL inside `async with semaphore:` (an
    #         asyncio.Semaphore(limit)): GET it, response.raise_for_status(), return
    #         await response.read().
    # TODO 4: inside the slot, give the whole request `timeout` seconds (async with
    #         asyncio.timeout(timeout):). Catch aiohttp.ClientError and TimeoutError and return
    #         the exception object: a failure is that URL's result.
    # TODO 5: run one such coroutine per URL with asyncio.gather, which keeps the order of urls,
    #         and return its list.
    raise NotImplementedError("async_fetcher: fetch_all() is not written yet")


def main():
    parser = argparse.ArgumentParser(description="Fetch URLs, a bounded number at a time.")
    parser.add_argument("urls", nargs="*", metavar="URL")
    parser.add_argument("--limit", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    for url, result in zip(args.urls, asyncio.run(fetch_all(args.urls, args.limit, args.timeout))):
        print(f"{url}\n    -> {result!r}"[:300])


if __name__ == "__main__":
    main()
