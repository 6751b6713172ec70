"""Exercise 10: fetch many URLs at once with asyncio and aiohttp, a bounded number at a time.

The reference solution. Three ideas carry it:

* One ``aiohttp.ClientSession`` for every request: it keeps a pool of connections and reuses
  them (keep-alive). Its connector allows ``limit`` connections, because aiohttp's default
  connector opens at most 100 at once and would quietly cap a larger ``limit``.
* An ``asyncio.Semaphore(limit)`` around each request: a task waits for a slot, fetches, and
  frees the slot the moment it is done, so the next waiting task starts at once (never a
  batch that waits for its slowest member). Its timeout starts inside the slot.
* Every failure becomes a value: each task catches what its URL ended with and returns it, so
  ``asyncio.gather`` returns one entry per URL, in the order of ``urls``, and nothing cancels
  anything else.

Try it by hand (with the counting server: python -m grader.peers.fetch --port 9000 --limit 3):
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
    # Checked before anything starts: a Semaphore(0) would wait forever, a timeout of 0 fire at once.
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit!r}")
    if timeout <= 0:
        raise ValueError(f"timeout must be more than 0 seconds, not {timeout!r}")
    if not urls:
        return []

    slots = asyncio.Semaphore(limit)
    # limit=limit: the connector's own cap (100 by default) must not be lower than ours.
    connector = aiohttp.TCPConnector(limit=limit)
    # The async with block closes the session, and with it every connection, before we return.
    async with aiohttp.ClientSession(connector=connector) as session:

        async def fetch_one(url):
            async with slots:  # waiting here is not part of the request, nor of its timeout
                try:
                    # The timeout starts now, inside the slot, and covers the whole request:
                    # connecting, the answer's head and every byte of its body.
                    async with asyncio.timeout(timeout):
                        async with session.get(url) as response:
                            response.raise_for_status()  # 4xx/5xx: aiohttp.ClientResponseError
                            return await response.read()  # bytes, the whole body
                except (aiohttp.ClientError, TimeoutError) as error:
                    return error  # a failure is this URL's result, not the end of the others

        # gather keeps the order of its arguments, whatever order the answers came in. Nothing
        # escapes fetch_one but a bug (or a cancellation), which then rightly propagates.
        return await asyncio.gather(*(fetch_one(url) for url in urls))


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
