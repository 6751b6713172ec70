"""Correct: asyncio streams, one task per client, writer.drain() for back-pressure."""

import asyncio


async def handle(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main(host, port):
    server = await asyncio.start_server(handle, host, port)
    async with server:
        await server.serve_forever()


def serve(host, port):
    asyncio.run(main(host, port))
