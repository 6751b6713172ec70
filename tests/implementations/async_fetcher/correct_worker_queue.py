"""A fixed pool of `limit` worker tasks taking (index, url) pairs from an asyncio.Queue."""

import asyncio

import aiohttp


async def fetch_all(urls, limit=5, timeout=5.0):
    if limit < 1 or timeout <= 0:
        raise ValueError("limit must be >= 1 and timeout > 0")
    results = [None] * len(urls)
    queue = asyncio.Queue()
    for item in enumerate(urls):
        queue.put_nowait(item)

    async def worker(session):
        # Each worker makes one request at a time, so `limit` workers keep `limit` in flight.
        while True:
            try:
                index, url = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                # ClientTimeout(total=...) starts with this get(): the worker already has its slot.
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
                    response.raise_for_status()
                    results[index] = await response.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                results[index] = error

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit)) as session:
        workers = [asyncio.create_task(worker(session)) for _ in range(min(limit, len(urls)))]
        await asyncio.gather(*workers)
    return results
