"""Broken: imports the grader (for the loopback address it found there); otherwise the reference solution."""

import argparse
import asyncio

import aiohttp

from grader.peers.net import LOOPBACK  # noqa: F401  (a constant it found in the grader)


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
