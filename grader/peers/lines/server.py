"""The server the multi_message_client checks talk to: it answers lines, misbehaves on request,
and remembers everything.

It runs on 127.0.0.1 (a port the OS picks) in one background thread of the grader, while the
learner's ``send_messages`` runs in a child process. A check configures how it misbehaves:

- how each batch of replies is cut into ``send()`` calls (``cut``: whole replies, one byte at a
  time, pieces of given sizes, several replies in one piece, a cut inside every multi-byte
  character), with ``pause`` seconds between two sends;
- how many replies to collect before sending (``batch``, waiting at most ``gather`` seconds),
  so that a client that sends ahead gets several replies in one piece;
- to stall after N replies (``stall_after``, for ``stall_for`` seconds or until stopped), or to
  close its sending side after N replies (``close_after``).

Why the client really sees the pieces: the kernel may join two sends into one ``recv()``.
``TCP_NODELAY`` stops Nagle's algorithm from holding a small piece back until the last one is
acknowledged, but whether the next piece reaches the client's buffer before the client has read
the last one is a race the sender cannot see. The pause settles it the way the checks need:
a client blocked in ``recv()`` is woken by the first piece and returns it long before the next
one comes. A client that reads once per reply would have to miss that on every cut of every
reply in a check to pass by luck, so it fails every run; a correct client only waits longer.
(Measured on Linux loopback: with no pause, a client that decodes each recv() on its own
passed a check with split characters 16 times in 20; with 20 ms pauses it failed every run,
also with both CPUs saturated by busy loops.)

What it records, per connection (``ConnectionRecord``): every byte received, the lines, the
pieces it sent, whether and when the client closed (end of file or reset) and whether the last
line lacked its ``\\n``. It keeps reading while it sends (the socket is non-blocking and the
replies wait in memory), so a client that sends everything before reading never deadlocks with
it; it stops reading a connection after ``MAX_BYTES`` so a runaway client cannot fill memory.

It is event-driven: one selector loop wakes for sockets, for the next timer (a pause, a gather
window, the end of a stall) and for a wake-up socket pair that ``stop()`` and ``sync()`` write
to. Nothing sleeps except the configured pauses and stalls, and ``stop()`` closes every socket
and joins the thread, with a deadline.

``python -m grader.peers.lines --port 9000 --cut bytes`` runs it by hand (see ``main``).
"""

import argparse
import math
import selectors
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from grader.failures import show
from grader.peers.lines.protocol import LineSplitter, reply_to
from grader.peers.net import chosen_port

LOOPBACK = "127.0.0.1"
RECV_SIZE = 65536
MAX_BYTES = 16 * 1024 * 1024  # per connection; the checks send well under 2 MiB
MAX_OPEN = 64  # connections served at once; more are closed at once (still counted)
STOP_TIMEOUT = 5.0  # seconds for the thread to finish after stop()


# -- how replies are cut into sends ------------------------------------------------------------
# A cut turns a batch of replies (bytes, each ending in b"\n") into the pieces handed to send(),
# in order; the pieces joined are the replies joined. str() says it in the learner's words, and
# ``option`` is how to ask ``python -m grader.peers.lines`` for the same cut.

class OnePerReply:
    """Each reply in one send: what a well-behaved server does."""

    def split(self, replies):
        return list(replies)

    def __str__(self):
        return "each reply in one piece"

    def __repr__(self):
        return "OnePerReply()"

    option = ""


class Merged:
    """All replies of a batch in one send: a client must find several lines in one recv()."""

    def split(self, replies):
        return [b"".join(replies)] if replies else []

    def __str__(self):
        return "all replies that are due together in one piece"

    def __repr__(self):
        return "Merged()"

    option = "--cut merged"


class ByteByByte:
    """Every byte in a send of its own: the finest fragmentation TCP allows."""

    def split(self, replies):
        data = b"".join(replies)
        return [data[i:i + 1] for i in range(len(data))]

    def __str__(self):
        return "one byte at a time"

    def __repr__(self):
        return "ByteByByte()"

    option = "--cut bytes"


class Chunks:
    """Pieces of the given sizes, repeated from the start of every batch; they may span replies."""

    def __init__(self, sizes):
        self.sizes = tuple(sizes)
        if not self.sizes or any(not isinstance(n, int) or n < 1 for n in self.sizes):
            raise ValueError(f"chunk sizes must be positive integers, not {sizes!r}")

    def split(self, replies):
        data = b"".join(replies)
        pieces, start, index = [], 0, 0
        while start < len(data):
            end = start + self.sizes[index % len(self.sizes)]
            pieces.append(data[start:end])
            start, index = end, index + 1
        return pieces

    def __str__(self):
        return f"in pieces of {', '.join(map(str, self.sizes))} bytes (repeating)"

    def __repr__(self):
        return f"Chunks({list(self.sizes)})"

    @property
    def option(self):
        return f"--chunks {','.join(map(str, self.sizes))}"


class InsideCharacters:
    """A cut right after the first byte of every multi-byte UTF-8 character.

    Every reply has one (the arrow), so a client that decodes each recv() on its own meets
    an incomplete character in every reply.
    """

    def split(self, replies):
        data = b"".join(replies)
        pieces, start = [], 0
        for index, byte in enumerate(data):
            if byte >= 0xC0:  # the lead byte of a 2- to 4-byte character
                pieces.append(data[start:index + 1])
                start = index + 1
        pieces.append(data[start:])
        return [piece for piece in pieces if piece]

    def __str__(self):
        return "cut in the middle of every multi-byte character"

    def __repr__(self):
        return "InsideCharacters()"

    option = "--cut characters"


# -- what the checks read --------------------------------------------------------------------

@dataclass
class ConnectionRecord:
    """What happened on one connection. Times are ``time.monotonic()`` values.

    The server thread writes it; read it inside ``wait_until`` or after ``sync()`` / ``stop()``.
    """

    number: int  # 1 for the first connection the server accepted
    opened_at: float
    received: bytearray = field(default_factory=bytearray)
    lines: list = field(default_factory=list)  # complete lines received, without b"\n"
    sends: list = field(default_factory=list)  # the pieces the server sent, in order
    replies_sent: int = 0
    replied_at: list = field(default_factory=list)  # when the last byte of each reply was sent
    closed_at: float | None = None  # when the client's end closed: end of file or reset
    reset: bool = False  # the client's end closed with a reset, not an orderly end of file
    server_closed_at: float | None = None  # when the server shut its sending side
    stalled_at: float | None = None
    overflowed: bool = False  # the client sent MAX_BYTES; the server stopped reading

    @property
    def client_closed(self):
        return self.closed_at is not None

    @property
    def unterminated(self):
        """Bytes after the last ``\\n``: a last line the client did not end (b"" if none)."""
        return bytes(self.received[self.received.rfind(b"\n") + 1:])


# -- the server --------------------------------------------------------------------------------

class LineReplyServer:
    """A configurable line-reply server in a background thread; use it as a context manager."""

    def __init__(self, *, cut=None, pause=0.0, batch=1, gather=0.0, stall_after=None, stall_for=None,
                 close_after=None, host=LOOPBACK, port=0, log=None):
        self.cut = cut or OnePerReply()
        self.pause = pause
        self.batch = batch
        self.gather = gather
        self.stall_after = stall_after
        self.stall_for = math.inf if stall_for is None else stall_for
        self.close_after = close_after
        self.log = log  # called from the server thread with one line of text per event
        self._bind = (host, port)
        self._records = []
        self._open = []
        self._cond = threading.Condition(threading.RLock())
        self._stopping = False
        self._sync_requested = 0
        self._synced = 0
        self._error = None
        self._done = False
        self._thread = None
        self._listener = self._wake_r = self._wake_w = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def address(self):
        """(host, port) to connect to."""
        return self._address

    def describe(self):
        """How this server behaves, in the learner's words: "sends the replies one byte at a time, 2 ms apart"."""
        how = str(self.cut)
        parts = [f"sends {how}" if how.startswith(("each", "all")) else f"sends the replies {how}"]
        if self.pause:
            parts[0] += f", {_seconds(self.pause)} apart"
        if self.batch > 1:
            parts.append(f"holds replies until {self.batch} are due (at most {_seconds(self.gather)} after "
                         "the first)")
        if self.stall_after is not None:
            how_long = "for good" if self.stall_for == math.inf else f"for {_seconds(self.stall_for)}"
            parts.append(f"goes silent {how_long} after {_replies(self.stall_after)}")
        if self.close_after is not None:
            parts.append(f"closes the connection after {_replies(self.close_after)}")
        return "; ".join(parts)

    def command(self, port):
        """The command that runs a server behaving like this one by hand, on ``port``."""
        words = ["python -m grader.peers.lines", f"--port {port}", self.cut.option]
        if self.pause:
            words.append(f"--pause {self.pause:g}")
        if self.batch > 1:
            words.append(f"--batch {self.batch} --gather {self.gather:g}")
        if self.stall_after is not None:
            words.append(f"--stall-after {self.stall_after}")
            if self.stall_for != math.inf:
                words.append(f"--stall-for {self.stall_for:g}")
        if self.close_after is not None:
            words.append(f"--close-after {self.close_after}")
        return " ".join(word for word in words if word)

    def start(self):
        self._listener = socket.create_server(self._bind, backlog=64)
        self._listener.setblocking(False)
        self._address = self._listener.getsockname()[:2]
        chosen_port(self._address[1])
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread = threading.Thread(target=self._run, name="line-reply-server", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Close every socket and end the thread; raise if the server itself failed."""
        if self._thread is None:
            return
        with self._cond:
            self._stopping = True
        self._wake()
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():
            raise RuntimeError(f"the line-reply server thread did not stop within {STOP_TIMEOUT:g} s")
        self._thread = None
        self._wake_r.close()
        self._wake_w.close()
        if self._error is not None:
            raise RuntimeError("the line-reply server failed") from self._error

    # -- reading the record (from the check's thread) ----------------------------------------

    @property
    def connections(self):
        """Every connection accepted so far, in order."""
        with self._cond:
            return list(self._records)

    def wait_until(self, predicate, timeout):
        """Wait until ``predicate(connections)`` is true (False if ``timeout`` passes first).

        The predicate runs under the server's lock, so it sees the records between two events.
        """
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self._records), timeout)

    def sync(self, timeout=2.0):
        """Return once the server has handled everything that had reached it when called.

        It waits for a round of the loop whose select() began after this call: select() reports
        every socket that was ready when it began, the round accepts every waiting connection
        and reads every byte there is, so after ``sync()``, "only one connection" and "no
        bytes" are facts, not a race. The wake-up makes sure such a round comes.
        """
        with self._cond:
            self._sync_requested += 1
            target = self._sync_requested
        self._wake()
        with self._cond:
            return self._cond.wait_for(lambda: self._synced >= target or self._done, timeout)

    def wait_closed(self, timeout):
        """True once every connection has been closed by the client (end of file or reset)."""
        self.sync(timeout)
        return self.wait_until(lambda records: all(r.client_closed for r in records), timeout)

    # -- the loop (server thread) ------------------------------------------------------------

    def _wake(self):
        try:
            self._wake_w.send(b"!")
        except BlockingIOError:
            pass  # the pipe is full, so the loop has a wake-up waiting already

    def _run(self):
        selector = selectors.DefaultSelector()
        try:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                with self._cond:
                    requested = self._sync_requested  # these sync() calls came before select()
                    # a sync() whose wake-up an earlier round drained needs one more round now
                    timeout = 0 if requested > self._synced else self._next_timer(time.monotonic())
                events = selector.select(timeout)
                with self._cond:
                    if self._round(selector, events):
                        return
                    self._synced = requested
                    self._cond.notify_all()
        except BaseException as exc:  # kept for stop() to raise in the check's thread
            self._error = exc
        finally:
            with self._cond:
                for conn in self._open:
                    conn.sock.close()
                self._open.clear()
                self._listener.close()
                self._done = True
                self._cond.notify_all()
            selector.close()

    def _round(self, selector, events):
        """Handle one select() result; True when the server is stopping."""
        now = time.monotonic()
        for key, mask in events:
            if key.fileobj is self._listener:
                self._accept(selector, now)
            elif key.fileobj is self._wake_r:
                try:
                    while self._wake_r.recv(4096):
                        pass
                except BlockingIOError:
                    pass
            else:
                key.data.on_ready(mask, now)
        if self._stopping:
            return True
        for conn in list(self._open):
            conn.advance(now)
            if conn.finished:
                if conn.registered:
                    selector.unregister(conn.sock)
                conn.sock.close()
                self._open.remove(conn)
                self._say(conn, "connection closed")
            else:
                conn.register(selector)
        return False

    def _next_timer(self, now):
        wakes = [t for t in (conn.next_wake() for conn in self._open) if t is not None]
        return max(0.0, min(wakes) - now) if wakes else None

    def _accept(self, selector, now):
        while True:
            try:
                sock, _ = self._listener.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            record = ConnectionRecord(number=len(self._records) + 1, opened_at=now)
            self._records.append(record)
            if len(self._open) >= MAX_OPEN:
                record.server_closed_at = now
                sock.close()
                continue
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(self, sock, record, now)
            self._open.append(conn)
            selector.register(sock, selectors.EVENT_READ, conn)
            self._say(conn, "connection opened")
            conn.read(now)  # bytes sent right after connecting count for a sync() in this round

    def _say(self, conn, text, data=None):
        if self.log is not None:
            shown = "" if data is None else " " + show(data)
            self.log(f"connection {conn.record.number}: {text}{shown}")


class _Connection:
    """One accepted socket: lines in, replies queued, pieces out on the server's schedule."""

    def __init__(self, server, sock, record, now):
        self.server = server
        self.sock = sock
        self.record = record
        self.splitter = LineSplitter()
        self.ready = deque()  # (time it became ready, reply bytes), not yet cut into pieces
        self.planned = deque()  # pieces cut, not yet started
        self.current = None  # memoryview of the piece being sent
        self.reply_ends = deque()  # byte offsets in the output stream where a reply ends
        self.offset = 0  # bytes sent so far
        self.replies_planned = 0
        self.next_send_at = now
        self.stall_until = None
        self.reading = True
        self.blocked = False  # the last send() could not take everything: wait until writable
        self.write_closed = False
        self.finished = False
        self.registered = selectors.EVENT_READ
        if server.close_after == 0:
            self.shut_write(now)
        elif server.stall_after == 0:
            self.stall(now)

    # events

    def on_ready(self, mask, now):
        if mask & selectors.EVENT_WRITE:
            self.blocked = False
        if mask & selectors.EVENT_READ and self.reading:
            self.read(now)

    def read(self, now):
        """Read everything there is (``sync()`` relies on it; ``MAX_BYTES`` bounds it)."""
        record = self.record
        while True:
            try:
                data = self.sock.recv(RECV_SIZE)
            except BlockingIOError:
                return
            except OSError:
                return self.client_gone(now, reset=True)
            if not data:
                return self.client_gone(now, reset=False)
            record.received += data
            self.server._say(self, "received", data)
            for line in self.splitter.feed(data):
                record.lines.append(line)
                self.ready.append((now, reply_to(len(record.lines), line)))
            if len(record.received) >= MAX_BYTES:
                record.overflowed = True
                self.reading = False
                return

    def client_gone(self, now, reset):
        self.reading = False
        if self.record.closed_at is None:
            self.record.closed_at = now
            self.record.reset = reset
            self.server._say(self, "the client reset the connection" if reset else "the client closed its end")
        if reset:
            self.finished = True

    # the sending schedule

    def stall(self, now):
        self.record.stalled_at = now
        self.stall_until = now + self.server.stall_for
        self.server._say(self, f"stalling for {self.server.stall_for:g} s")

    def shut_write(self, now):
        """Close the sending side only: the client reads end of file, and the server keeps
        reading until the client closes, so unread bytes never turn the close into a reset."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.write_closed = True
        self.record.server_closed_at = now
        self.server._say(self, "server closed its sending side")

    def advance(self, now):
        """Send whatever the schedule allows now; decide whether the connection is done."""
        while not self.finished and not self.write_closed and not self.blocked:
            if self.stall_until is not None:
                if now < self.stall_until:
                    break
                self.stall_until = None
            if self.current is None:
                if not self.planned:
                    self.plan(now)
                if not self.planned or now < self.next_send_at:
                    break
                self.current = memoryview(self.planned.popleft())
            if not self.send(now):
                break
        if not self.finished and not self.reading and not self.record.overflowed:
            self.finished = self.write_closed or not self.has_output()

    def plan(self, now):
        """Cut the next batch of ready replies into pieces, if the batch is due."""
        server = self.server
        if not self.ready or not self.may_plan():
            return
        limit = len(self.ready)
        if limit < server.batch and now < self.ready[0][0] + server.gather and self.reading:
            return
        for boundary in (server.stall_after, server.close_after):
            if boundary is not None and boundary > self.replies_planned:
                limit = min(limit, boundary - self.replies_planned)
        batch = [self.ready.popleft()[1] for _ in range(limit)]
        end = self.offset + sum(len(piece) for piece in self.planned)
        for reply in batch:
            end += len(reply)
            self.reply_ends.append(end)
        pieces = [piece for piece in server.cut.split(batch) if piece]
        if b"".join(pieces) != b"".join(batch):
            raise AssertionError(f"{server.cut!r} changed the bytes of the replies")
        self.planned.extend(pieces)
        self.replies_planned += limit

    def send(self, now):
        """Send from the current piece; True when it is done and the next may follow."""
        try:
            count = self.sock.send(self.current)
        except BlockingIOError:
            self.blocked = True
            return False
        except OSError:
            self.client_gone(now, reset=True)
            return False
        self.offset += count
        self.current = self.current[count:]
        if len(self.current):
            self.blocked = True
            return False
        piece = self.current.obj
        self.record.sends.append(piece)
        self.server._say(self, "sent", piece)
        self.current = None
        self.next_send_at = now + self.server.pause
        while self.reply_ends and self.reply_ends[0] <= self.offset:
            self.reply_ends.popleft()
            self.record.replies_sent += 1
            self.record.replied_at.append(now)
            if self.record.replies_sent == self.server.close_after:
                self.shut_write(now)
            elif self.record.replies_sent == self.server.stall_after:
                self.stall(now)
        return True

    def may_plan(self):
        """False once the replies up to ``close_after`` are planned: the rest are never sent."""
        return self.server.close_after is None or self.replies_planned < self.server.close_after

    def has_output(self):
        return bool(self.current is not None or self.planned or (self.ready and self.may_plan()))

    def next_wake(self):
        """When the schedule next needs the loop, or None if only a socket event can help."""
        if self.finished or self.write_closed or self.blocked:
            return None
        if self.stall_until is not None:
            return self.stall_until if self.stall_until != math.inf else None
        if self.current is None and self.planned:
            return self.next_send_at
        if self.current is None and self.ready and self.may_plan():
            return self.ready[0][0] + self.server.gather
        return None

    def register(self, selector):
        events = (selectors.EVENT_READ if self.reading else 0) | (selectors.EVENT_WRITE if self.blocked else 0)
        if events == self.registered:
            return
        if self.registered and events:
            selector.modify(self.sock, events, self)
        elif events:
            selector.register(self.sock, events, self)
        else:
            selector.unregister(self.sock)
        self.registered = events


def _seconds(value):
    return f"{value * 1000:g} ms" if value < 1 else f"{value:g} s"


def _replies(count):
    return "1 reply" if count == 1 else f"{count} replies"


CUTS = {"whole": OnePerReply, "merged": Merged, "bytes": ByteByByte, "characters": InsideCharacters}


def _chunk_sizes(text):
    try:
        return Chunks(int(size) for size in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes in bytes such as 4 or 3,1, not {text!r}") from None


def main(argv=None):
    """Run the server in the foreground until Ctrl-C, printing what happens on the wire."""
    parser = argparse.ArgumentParser(prog="python -m grader.peers.lines", description=main.__doc__)
    parser.add_argument("--port", type=int, default=9000, help="port on 127.0.0.1 (default 9000; 0: any free one)")
    parser.add_argument("--cut", choices=sorted(CUTS), default="whole",
                        help="how replies are cut into sends: whole (default), bytes (one byte each), "
                             "characters (inside every multi-byte character), merged (replies joined)")
    parser.add_argument("--chunks", type=_chunk_sizes, metavar="SIZES",
                        help="cut the replies into pieces of these sizes in bytes, repeating (4, or 3,1); "
                             "replaces --cut")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between two sends")
    parser.add_argument("--batch", type=int, default=1, metavar="N",
                        help="hold replies until N are due, then send them together")
    parser.add_argument("--gather", type=float, default=0.0, metavar="SECONDS",
                        help="with --batch, wait at most this long after the first held reply")
    parser.add_argument("--stall-after", type=int, metavar="N", help="go silent after N replies")
    parser.add_argument("--stall-for", type=float, metavar="SECONDS",
                        help="with --stall-after, stay silent this long (default: for good)")
    parser.add_argument("--close-after", type=int, metavar="N", help="close the connection after N replies")
    args = parser.parse_args(argv)
    server = LineReplyServer(cut=args.chunks or CUTS[args.cut](), pause=args.pause, batch=args.batch,
                             gather=args.gather, stall_after=args.stall_after, stall_for=args.stall_for,
                             close_after=args.close_after, port=args.port, log=lambda text: print(text, flush=True))
    try:
        server.start()
    except OSError as exc:
        parser.exit(1, f"Cannot listen on 127.0.0.1:{args.port}: {exc.strerror}. Try another --port.\n")
    try:
        host, port = server.address
        print(f"Line-reply server on {host}:{port}; Ctrl-C stops it.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
