"""Strips the text of every line before relaying it."""

import queue
import re
import socket
import threading

PROMPT = b"Welcome to budgetchat! What shall I call you?\n"
NAME = re.compile(rb"[A-Za-z0-9]{1,16}")
MAX_QUEUED = 10_000  # lines

lock = threading.Lock()
members = {}  # name -> Client, only touched under lock


class Client:
    def __init__(self, conn):
        self.conn = conn
        self.name = None
        self.outbox = queue.Queue()

    def send(self, line):
        """Queue a line for this client; never blocks."""
        if self.outbox.qsize() > MAX_QUEUED:
            self.cut_off()
        else:
            self.outbox.put(line)

    def cut_off(self):
        try:
            self.conn.shutdown(socket.SHUT_RDWR)  # its reader thread sees end of file and it leaves
        except OSError:
            pass

    def write_loop(self):
        while (line := self.outbox.get()) is not None:
            try:
                self.conn.sendall(line)
            except OSError:
                self.cut_off()
                return


def broadcast(line, sender):
    """Queue ``line`` for every member but ``sender``; call with the lock held."""
    for name, client in members.items():
        if name != sender:
            client.send(line)


def join(client, name):
    if not NAME.fullmatch(name):
        client.send(b"* A name is 1 to 16 letters and digits.\n")
        return False
    with lock:
        if name in members:
            client.send(b"* That name is taken.\n")
            return False
        client.name = name
        client.send(b"* The room contains: " + b", ".join(members) + b"\n")
        broadcast(b"* " + name + b" has entered the room\n", name)
        members[name] = client
    return True


def handle(conn):
    client = Client(conn)
    writer = threading.Thread(target=client.write_loop, daemon=True)
    writer.start()
    client.send(PROMPT)
    buffer = b""
    try:
        while data := conn.recv(4096):
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if client.name is None:
                    if not join(client, line):
                        return
                else:
                    with lock:
                        broadcast(b"[" + client.name + b"] " + line.strip() + b"\n", client.name)
    except OSError:
        pass
    finally:
        with lock:
            if client.name is not None and members.get(client.name) is client:
                del members[client.name]
                broadcast(b"* " + client.name + b" has left the room\n", client.name)
        client.outbox.put(None)
        writer.join(2.0)  # what is queued (an error line) goes out before the close
        conn.close()


def serve(host, port):
    with socket.create_server((host, port)) as server:
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
