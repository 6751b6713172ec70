"""The scripted HTTP server the http_client checks talk to: it reads one request head per
connection, answers it from a script (``grader.peers.raw_http.script``) and remembers everything.

It runs on 127.0.0.1 (a port the OS picks), one thread accepting and one thread per connection,
while the learner's ``http_get`` runs in a child process. Per connection it

1. reads until the blank line that ends a request head (``\\r\\n\\r\\n``, or ``\\n\\n`` from a client
   that forgot its CRs: the check names that), recording every byte;
2. sends the script's pieces, ``TCP_NODELAY`` on (one segment each) and ``pause`` seconds apart:
   a client blocked in ``recv()`` is woken by each piece and returns it alone;
3. then closes (FIN), resets (RST) or keeps the connection open, as the script says, and reads
   on until the client closes its end, recording when (``closed_at``), so a check can tell
   whether ``http_get`` closed its socket before it returned.

It is event-driven: every wait is a ``select()`` on the socket and a wake-up socket pair that
``stop()`` writes to once, so a pause or a connection held open ends the moment the check is
done; ``stop()`` closes every socket and joins every thread, with a deadline.

``python -m grader.peers.raw_http --response chunked --cut bytes`` runs it by hand (``main``).
"""

import argparse
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

from grader.failures import show
from grader.peers.net import chosen_port
from grader.peers.raw_http.script import CLOSE, OPEN, RESET, RESPONSES, Script, every_byte, head_end, \
    parse_bytes_option

LOOPBACK = "127.0.0.1"
RECV_SIZE = 65536
MAX_REQUEST = 64 * 1024  # bytes read of one connection; the checks' requests are a few hundred
MAX_OPEN = 16  # connections served at once; more are closed at once (still counted)
SEND_TIMEOUT = 5.0  # seconds one send may block on a client that does not read
MAX_LOGGED = 12  # pieces logged one by one by hand; more are logged as one line
STOP_TIMEOUT = 10.0  # seconds for the threads to finish after stop()


@dataclass
class ConnectionRecord:
    """What happened on one connection. Times are ``time.monotonic()`` values."""

    number: int  # 1 for the first connection accepted
    opened_at: float
    received: bytearray = field(default_factory=bytearray)
    sends: list = field(default_factory=list)  # the pieces sent, in order
    answered: bool = False  # a request head arrived, so the script was played
    finished_at: float | None = None  # when the last piece went out (and the FIN or RST after it)
    closed_at: float | None = None  # when the client's end closed: end of file or reset
    reset: bool = False  # the client's end closed with a reset

    @property
    def client_closed(self):
        return self.closed_at is not None

    @property
    def request(self):
        """The bytes received up to the end of the request head (all of them if it never ended)."""
        end = head_end(self.received)
        return bytes(self.received if end is None else self.received[:end])


class ScriptedServer:
    """Serves ``script`` to every connection, in background threads; use it as a context manager."""

    def __init__(self, script, *, host=LOOPBACK, port=0, log=None):
        self.script = script
        self.log = log  # called from the server's threads with one line of text per event
        self._bind = (host, port)
        self._records = []
        self._threads = []
        self._cond = threading.Condition()
        self._errors = []
        self._listener = self._wake_r = self._wake_w = None
        self._acceptor = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def address(self):
        return self._address

    def start(self):
        self._listener = socket.create_server(self._bind, backlog=MAX_OPEN)
        self._address = self._listener.getsockname()[:2]
        chosen_port(self._address[1])
        self._wake_r, self._wake_w = socket.socketpair()
        self._acceptor = threading.Thread(target=self._guarded, args=(self._accept_loop,),
                                          name="scripted-http-accept", daemon=True)
        self._acceptor.start()
        return self

    def stop(self):
        """Close every socket and end every thread; raise if the server itself failed."""
        if self._acceptor is None:
            return
        self._wake_w.send(b"!")  # never read: from now on every select() of every thread returns
        deadline = time.monotonic() + STOP_TIMEOUT
        self._acceptor.join(STOP_TIMEOUT)
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t for t in (self._acceptor, *self._threads) if t.is_alive()]
        self._acceptor = None
        self._listener.close()
        self._wake_r.close()
        self._wake_w.close()
        if alive:
            raise RuntimeError(f"the scripted HTTP server's threads did not stop within {STOP_TIMEOUT:g} s")
        if self._errors:
            raise RuntimeError("the scripted HTTP server failed") from self._errors[0]

    # -- reading the record (from the check's thread) ----------------------------------------------

    @property
    def connections(self):
        with self._cond:
            return list(self._records)

    def wait_until(self, predicate, timeout):
        """Wait until ``predicate(connections)`` is true (False if ``timeout`` passes first)."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self._records), timeout)

    def wait_closed(self, timeout):
        """True once every connection has been closed by the client."""
        return self.wait_until(lambda records: all(r.client_closed for r in records), timeout)

    def waiting_connection(self):
        """Whether a connection is waiting to be accepted or was accepted: for a check that must see
        none made, after the call (a connect that succeeded is in the queue, closed or not)."""
        ready, _, _ = select.select([self._listener], [], [], 0)
        return bool(ready) or bool(self.connections)

    # -- the threads --------------------------------------------------------------------------------

    def _guarded(self, run, *args):
        try:
            run(*args)
        except BaseException as exc:  # kept for stop() to raise in the check's thread
            self._errors.append(exc)

    def _stopping(self, wait=0.0, sock=None):
        """Wait up to ``wait`` seconds (None: for ever) for ``sock`` to be readable or for stop();
        True when stopping."""
        readable, _, _ = select.select([self._wake_r] + ([sock] if sock else []), [], [], wait)
        return self._wake_r in readable

    def _accept_loop(self):
        while not self._stopping(None, self._listener):
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, ConnectionAbortedError):
                continue
            with self._cond:
                record = ConnectionRecord(len(self._records) + 1, time.monotonic())
                self._records.append(record)
                self._cond.notify_all()
            self._say(record, "connection opened")
            if sum(t.is_alive() for t in self._threads) >= MAX_OPEN:
                sock.close()
                continue
            thread = threading.Thread(target=self._guarded, args=(self._serve, sock, record),
                                      name=f"scripted-http-{record.number}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock, record):
        with sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(SEND_TIMEOUT)
            while head_end(record.received) is None:
                if self._stopping(None, sock) or not self._read(sock, record):
                    return
            with self._cond:
                record.answered = True
            self._say(record, "received", record.request)
            if self._play(sock, record):
                self._read_until_closed(sock, record)

    def _read(self, sock, record):
        """Read what has arrived; False when the client's end has closed (or sent too much)."""
        try:
            data = sock.recv(RECV_SIZE)
        except OSError:
            data, reset = b"", True
        else:
            reset = False
        with self._cond:
            if data and len(record.received) < MAX_REQUEST:
                record.received += data
                return True
            if not data:
                record.closed_at, record.reset = time.monotonic(), reset
                self._cond.notify_all()
        if not data:
            self._say(record, "the client reset the connection" if reset else "the client closed its end")
        return False

    def _play(self, sock, record):
        """Send the script; False when the connection is over (reset by either side, or stopping)."""
        pieces = self.script.pieces()
        for number, piece in enumerate(pieces):
            if number and self.script.pause and self._stopping(self.script.pause):
                return False
            try:
                sock.sendall(piece)
            except OSError:
                with self._cond:
                    record.closed_at, record.reset = time.monotonic(), True
                    self._cond.notify_all()
                return False
            with self._cond:
                record.sends.append(piece)
            if len(pieces) <= MAX_LOGGED:
                self._say(record, "sent", piece)
        if len(pieces) > MAX_LOGGED:
            self._say(record, f"sent {len(self.script.response):,} bytes in {len(pieces):,} pieces:",
                      self.script.response)
        then = self.script.then
        if then == RESET:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif then == CLOSE:
            try:
                sock.shutdown(socket.SHUT_WR)  # the client reads end of file; we read on
            except OSError:
                pass
        with self._cond:
            record.finished_at = time.monotonic()
            self._cond.notify_all()
        self._say(record, {CLOSE: "closed its sending side", RESET: "reset the connection",
                           OPEN: "keeps the connection open"}[then])
        return then != RESET

    def _read_until_closed(self, sock, record):
        while not self._stopping(None, sock) and self._read(sock, record):
            pass

    def _say(self, record, text, data=None):
        if self.log is not None:
            shown = "" if data is None else " " + show(data, 2000)
            self.log(f"connection {record.number}: {text}{shown}")


# -- by hand ---------------------------------------------------------------------------------------

def _cuts(text):
    if text == "bytes":
        return text
    try:
        cuts = tuple(int(offset) for offset in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'bytes' or offsets such as 5 or 3,10, not {text!r}") from None
    if any(c < 1 for c in cuts):
        raise argparse.ArgumentTypeError("offsets start at 1")
    return cuts


def main(argv=None):
    """Serve one scripted HTTP response to every connection, printing what happens on the wire,
    until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m grader.peers.raw_http", description=main.__doc__)
    parser.add_argument("--port", type=int, default=9000, help="port on 127.0.0.1 (default 9000; 0: any free one)")
    parser.add_argument("--response", choices=sorted(RESPONSES), default="length",
                        help="a canned response: " + ", ".join(sorted(RESPONSES)) + " (default: length)")
    parser.add_argument("--bytes", metavar="TEXT",
                        help="send these bytes instead, written as in a Python bytes literal "
                             "('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi')")
    parser.add_argument("--truncate", type=int, metavar="N", help="send only the first N bytes of the response")
    parser.add_argument("--cut", type=_cuts, metavar="OFFSETS",
                        help="start a new send() at these byte offsets (5 or 3,10), or 'bytes': one byte per send")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between two sends")
    parser.add_argument("--then", choices=(CLOSE, RESET, OPEN), default=CLOSE,
                        help="after the response: close the connection (default), reset it, or keep it open")
    args = parser.parse_args(argv)
    response = RESPONSES[args.response] if args.bytes is None else parse_bytes_option(args.bytes)
    if args.truncate is not None:
        response = response[:args.truncate]
    cuts = every_byte(response) if args.cut == "bytes" else args.cut or ()
    script = Script(response, cuts, args.pause, args.then)
    server = ScriptedServer(script, port=args.port, log=lambda text: print(text, flush=True))
    try:
        server.start()
    except OSError as exc:
        parser.exit(1, f"Cannot listen on 127.0.0.1:{args.port}: {exc.strerror}. Try another --port.\n")
    try:
        host, port = server.address
        print(f"Scripted HTTP server on http://{host}:{port}/ ({script.describe()}); Ctrl-C stops it.",
              flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
