"""One selectors loop that decodes the name as strict ASCII: a client that sends other bytes ends the whole server."""

import re
import selectors
import socket

PROMPT = b"Welcome to budgetchat! What shall I call you?\n"
NAME = re.compile(r"[A-Za-z0-9]{1,16}")
MAX_BACKLOG = 8 * 1024 * 1024  # bytes; past it, lines for that client are dropped


class Client:
    def __init__(self, conn):
        self.conn = conn
        self.name = None
        self.inbox = b""
        self.outbox = bytearray()
        self.refused = False


class ChatServer:
    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.members = {}  # name -> Client

    def send(self, client, line):
        if len(client.outbox) < MAX_BACKLOG:
            client.outbox += line
        self.selector.modify(client.conn, selectors.EVENT_READ | selectors.EVENT_WRITE, client)

    def broadcast(self, line, sender):
        for name, client in self.members.items():
            if name != sender:
                self.send(client, line)

    def drop(self, client):
        self.selector.unregister(client.conn)
        client.conn.close()
        if client.name is not None and self.members.get(client.name) is client:
            del self.members[client.name]
            self.broadcast(f"* {client.name} has left the room\n".encode(), client.name)

    def accept(self, listener):
        conn, _ = listener.accept()
        conn.setblocking(False)
        client = Client(conn)
        self.selector.register(conn, selectors.EVENT_READ, client)
        self.send(client, PROMPT)

    def flush(self, client):
        try:
            sent = client.conn.send(client.outbox)
        except BlockingIOError:
            return
        except OSError:
            self.drop(client)
            return
        del client.outbox[:sent]
        if not client.outbox:
            if client.name is None and client.refused:
                self.drop(client)
                return
            self.selector.modify(client.conn, selectors.EVENT_READ, client)

    def read(self, client):
        try:
            data = client.conn.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.drop(client)
            return
        client.inbox += data
        *lines, client.inbox = client.inbox.split(b"\n")
        for line in lines:
            if client.name is None:
                self.join(client, line)
                if client.name is None:
                    return
            else:
                self.broadcast(b"[" + client.name.encode() + b"] " + line + b"\n", client.name)

    def join(self, client, line):
        name = line.decode("ascii")
        if not NAME.fullmatch(name) or name in self.members:
            client.refused = True  # closed once the error line is out
            self.send(client, b"* Sorry, that name cannot be used.\n")
            return
        self.send(client, ("* The room contains: " + ", ".join(self.members) + "\n").encode())
        self.broadcast(f"* {name} has entered the room\n".encode(), name)
        self.members[name] = client
        client.name = name

    def run(self, host, port):
        with socket.create_server((host, port)) as listener:
            listener.setblocking(False)
            self.selector.register(listener, selectors.EVENT_READ, None)
            while True:
                for key, mask in self.selector.select():
                    client = key.data
                    if client is None:
                        self.accept(key.fileobj)
                        continue
                    if mask & selectors.EVENT_WRITE:
                        self.flush(client)
                    if mask & selectors.EVENT_READ and client.conn.fileno() != -1:
                        self.read(client)


def serve(host, port):
    ChatServer().run(host, port)
