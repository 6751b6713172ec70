"""asyncio.TaskGroup with a semaphore; every task turns its own failure into its result."""

import asyncio

import aiohttp


async def fetch_all(urls: list[str], limit: int = 5, timeout: float = 5.0) -> list:
    if limit < 1:
        raise ValueError("limit < 1")
    if timeout <= 0:
        raise ValueError("timeout <= 0")
    semaphore = asyncio.Semaphore(limit)
    results: list = [None] * len(urls)

    async def timed(session, index, url):
        async with semaphore:
            try:
                results[index] = await asyncio.wait_for(get(session, url), timeout)
            except (aiohttp.ClientError, TimeoutError) as error:
                results[index] = error

    async def get(session, url):
        async with session.get(url) as response:
            response.raise_for_status()
            return await response.read()

    # limit=0: no cap of the connector's own; the semaphore is the limit.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async with asyncio.TaskGroup() as group:
            for index, url in enumerate(urls):
                group.create_task(timed(session, index, url))
    return results
