"""Correct: asyncio streams, one task per connection."""

import asyncio

BODY = b"Hello, World!"
LIMIT = 16 * 1024  # longest request head read; heads up to 8 KiB must be accepted


class BadRequest(Exception):
    pass


def parse(head):
    request_line, *lines = head.decode("latin-1").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest(request_line)
    headers = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name.strip() != name:
            raise BadRequest(line)
        headers[name.lower()] = value.strip()
    if parts[2] == "HTTP/1.1" and "host" not in headers:
        raise BadRequest("no Host")
    return parts[0], parts[2], headers


def render(status, headers, body=b""):
    lines = [f"HTTP/1.1 {status}"] + [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def handle(reader, writer):
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break  # the client closed
            try:
                method, version, headers = parse(head[:-4])
                await reader.readexactly(int(headers.get("content-length", "0")))
            except (BadRequest, ValueError):
                writer.write(render("400 Bad Request", {"Content-Length": "0", "Connection": "close"}))
                break
            close = version == "HTTP/1.0" or headers.get("connection", "").lower() == "close"
            fields = {"Content-Type": "text/plain; charset=utf-8"}
            if close:
                fields["Connection"] = "close"
            if method in ("GET", "HEAD"):
                fields["Content-Length"] = str(len(BODY))
                writer.write(render("200 OK", fields, BODY if method == "GET" else b""))
            else:
                writer.write(render("405 Method Not Allowed", {**fields, "Allow": "GET, HEAD", "Content-Length": "0"}))
            await writer.drain()
            if close:
                break
        await writer.drain()
    except (asyncio.LimitOverrunError, asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(host, port):
    server = await asyncio.start_server(handle, host, port, limit=LIMIT)
    async with server:
        await server.serve_forever()


def serve(host: str, port: int) -> None:
    asyncio.run(main(host, port))
