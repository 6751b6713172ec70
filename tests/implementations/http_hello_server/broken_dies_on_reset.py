"""A single-threaded selectors server that handles garbage and closed clients, but has no except
OSError: a client that resets its connection raises ConnectionResetError out of serve()."""

import selectors
import socket

BODY = b"Hello, World!"
MAX_HEAD = 16 * 1024


class BadRequest(Exception):
    pass


def parse_head(head):
    request_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest(request_line)
    headers = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(line)
        headers[name.lower()] = value.strip()
    if parts[2] == "HTTP/1.1" and "host" not in headers:
        raise BadRequest("no Host")
    length = headers.get("content-length", "0")
    if not length.isdigit():
        raise BadRequest(length)
    close = parts[2] == "HTTP/1.0" or headers.get("connection", "").lower() == "close"
    return parts[0], int(length), close


def response(status, headers, body=b"", send_body=True):
    lines = [f"HTTP/1.1 {status}"] + [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body if send_body else b"")


def answer(method, close):
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    if close:
        headers["Connection"] = "close"
    if method in ("GET", "HEAD"):
        return response("200 OK", headers, BODY, send_body=method == "GET")
    return response("405 Method Not Allowed", {**headers, "Allow": "GET, HEAD"})


class Connection:
    """What one client has sent that is not handled yet, and what is still to be sent to it."""

    def __init__(self, sock):
        self.sock = sock
        self.inbox = b""
        self.outbox = b""
        self.body_left = 0  # bytes of a request body still to drop
        self.closing = False

    def on_data(self, data):
        """Take in received bytes; queue an answer to every complete request among them."""
        self.inbox += data
        while not self.closing:
            dropped = min(self.body_left, len(self.inbox))
            self.inbox, self.body_left = self.inbox[dropped:], self.body_left - dropped
            if self.body_left:
                return
            head, blank, rest = self.inbox.partition(b"\r\n\r\n")
            if not blank:
                if len(self.inbox) > MAX_HEAD:
                    raise BadRequest("head too long")
                return
            self.inbox = rest
            method, self.body_left, self.closing = parse_head(head)
            self.outbox += answer(method, self.closing)


def serve(host: str, port: int) -> None:
    selector = selectors.DefaultSelector()
    listener = socket.create_server((host, port), backlog=128)
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ)
    while True:
        for key, events in selector.select():
            if key.fileobj is listener:
                sock, _ = listener.accept()
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ, Connection(sock))
                continue
            conn = key.data
            if events & selectors.EVENT_READ:
                data = conn.sock.recv(65536)
                if not data:
                    conn.closing = True  # the client has gone; finish sending, then close
                else:
                    try:
                        conn.on_data(data)
                    except BadRequest:
                        conn.outbox += response("400 Bad Request", {"Connection": "close"})
                        conn.closing = True
            if conn.outbox:
                conn.outbox = conn.outbox[conn.sock.send(conn.outbox):]
            if conn.closing and not conn.outbox:
                selector.unregister(conn.sock)
                conn.sock.close()
            else:
                wanted = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.outbox else 0)
                selector.modify(conn.sock, wanted, conn)
