"""asyncio streams: open_connection(ssl=context) runs the handshake; each wait bounded by
asyncio.wait_for. The connection is closed politely after an answer, and aborted after an error
(a polite TLS close would wait for a server that has gone silent)."""

import asyncio
import ssl


def tls_request(host: str, port: int, request: bytes, cafile: str, timeout: float = 5.0) -> bytes:
    return asyncio.run(fetch(host, port, request, cafile, timeout))


async def fetch(host, port, request, cafile, timeout):
    context = ssl.create_default_context(cafile=cafile)
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=context, server_hostname=host, ssl_handshake_timeout=timeout),
        timeout)
    try:
        writer.write(request)
        await asyncio.wait_for(writer.drain(), timeout)
        pieces = []
        # read() returns b"" at close_notify, and at a TCP close without one too
        while chunk := await asyncio.wait_for(reader.read(65536), timeout):
            pieces.append(chunk)
    except BaseException:
        writer.transport.abort()
        raise
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), timeout)
    except (OSError, ssl.SSLError, asyncio.TimeoutError):
        writer.transport.abort()
    return b"".join(pieces)
