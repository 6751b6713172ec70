"""socketserver.ThreadingTCPServer: a handler thread per client reading with rfile.readline(),
and a writer thread per client sending from its own queue."""

import queue
import re
import socketserver
import threading

PROMPT = b"Welcome to budgetchat! What shall I call you?\n"
NAME = re.compile(rb"[A-Za-z0-9]{1,16}")

room_lock = threading.Lock()
room = {}  # name -> the ChatHandler of that user


class ChatHandler(socketserver.StreamRequestHandler):
    def setup(self):
        super().setup()
        self.outbox = queue.SimpleQueue()
        self.writer = threading.Thread(target=self.write_loop, daemon=True)
        self.writer.start()

    def write_loop(self):
        while (line := self.outbox.get()) is not None:
            try:
                self.request.sendall(line)
            except OSError:
                return

    def tell_others(self, name, line):
        for other_name, other in room.items():
            if other_name != name:
                other.outbox.put(line)

    def handle(self):
        self.outbox.put(PROMPT)
        try:
            line = self.rfile.readline(1024)
            name = line[:-1]
            with room_lock:
                if not line.endswith(b"\n") or not NAME.fullmatch(name) or name in room:
                    self.outbox.put(b"* Not a name I can take.\n")
                    return
                self.outbox.put(b"* The room contains: " + b", ".join(room) + b"\n")
                self.tell_others(name, b"* " + name + b" has entered the room\n")
                room[name] = self
            try:
                while (line := self.rfile.readline()).endswith(b"\n"):
                    with room_lock:
                        self.tell_others(name, b"[" + name + b"] " + line)
            finally:
                with room_lock:
                    del room[name]
                    self.tell_others(name, b"* " + name + b" has left the room\n")
        except OSError:
            pass

    def finish(self):
        self.outbox.put(None)
        self.writer.join(2.0)
        super().finish()


class ChatServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def serve(host, port):
    with ChatServer((host, port), ChatHandler) as server:
        server.serve_forever()
