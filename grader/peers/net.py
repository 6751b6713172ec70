"""Grader-side sockets: every operation has a deadline, and every byte is remembered.

A check talks to the learner's server through a ``Client``. It never blocks without a bound
(a silent server costs the check one deadline, not the whole run), and it keeps what it sent
and received, so a failure can show the learner both sides of the conversation.
"""

import errno
import re
import selectors
import socket
import time

from grader.failures import Failure
from grader.peers import run_state

LOOPBACK = "127.0.0.1"


WRITE_HOLD = 0.2  # seconds of blocked writes before Client.exchange first reads (see there)


def free_port(host=LOOPBACK):
    """A TCP port that was free a moment ago (the OS picks it, so parallel graders differ)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return chosen_port(probe.getsockname()[1])


def chosen_port(port):
    """Note a port the grader chose for a server (the learner's or its own), and return it: this
    run's (grader/peers/run_state.py)."""
    run_state.current().chose_port(port)
    return port


def without_ports(text):
    """``text`` with every port this run chose written as PORT.

    The operating system picks them, so they differ from run to run; a message that shows them
    would make the same submission's report differ too. "serve('127.0.0.1', PORT)" says as much.
    """
    ports = run_state.current().ports
    if not ports:
        return text
    numbers = "|".join(str(p) for p in sorted(ports, reverse=True))
    return re.sub(rf"(?<![\d,.])(?:{numbers})(?![\d,])", "PORT", text)


def accepts_connections(address, timeout=0.2):
    """True if a TCP connect to ``address`` succeeds now; the probe is closed at once."""
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


class Client:
    """One grader-side TCP connection with deadlines and a record of the conversation."""

    def __init__(self, address, *, timeout=2.0, what="the server", receive_buffer=None):
        self.address = address
        self.timeout = timeout
        self.what = what
        self.sent = bytearray()
        self.received = bytearray()
        self.eof = False
        self.closed_by_server = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:  # a fixed, small buffer: the server cannot park megabytes in ours
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(address)
        except ConnectionRefusedError:
            self.sock.close()
            raise Failure(f"Could not connect to {what} at {address[0]}:{address[1]}: connection refused.",
                          hint="Nothing is listening there any more: did your server stop or crash?") from None
        except (ConnectionResetError, ConnectionAbortedError):  # it closed with connections still queued
            self.sock.close()
            raise Failure(f"Connecting to {what} at {address[0]}:{address[1]} failed: the connection was reset "
                          "before it was accepted.",
                          hint="Your server closed its listening socket, or its process ended, while clients "
                               "were waiting to be accepted: did it stop or crash?") from None
        except (TimeoutError, socket.timeout):
            self.sock.close()
            raise Failure(f"Connecting to {what} at {address[0]}:{address[1]} took more than {timeout:g} s.",
                          hint="Is your server still calling accept()? Is its listen queue full?") from None
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def send(self, data, *, tolerate_close=False):
        """Send all of ``data`` within the timeout.

        With ``tolerate_close``, a server that closed (or reset) the connection before taking
        it all is not an error here: ``closed_by_server`` is set and False returned, so the
        check can read and show what the server sent before closing.
        """
        self.sock.settimeout(self.timeout)
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as exc:
            if not tolerate_close:
                raise self._broken(exc, "sending") from None
            self.closed_by_server = True
            return False
        except (TimeoutError, socket.timeout):
            raise Failure(f"Sending {len(data):,} bytes to {self.what} took more than {self.timeout:g} s.",
                          sent=bytes(self.sent) + data,
                          hint="Your server stopped reading: is it blocked in sendall() or stuck elsewhere?") from None
        except OSError as exc:
            raise self._broken(exc, "sending") from None
        self.sent += data
        return True

    def recv_some(self, timeout=None, size=65536, *, tolerate_reset=False):
        """Whatever arrives next (b"" at end of file), or None if nothing came in time.

        With ``tolerate_reset``, a reset counts as the end of file: a server that closes with
        unread bytes in its buffer resets the connection, after what it sent was delivered.
        """
        self.sock.settimeout(self.timeout if timeout is None else max(timeout, 0.001))
        try:
            data = self.sock.recv(size)
        except (TimeoutError, socket.timeout):
            return None
        except OSError as exc:
            if not (tolerate_reset and exc.errno in (errno.ECONNRESET, errno.EPIPE)):
                raise self._broken(exc, "receiving") from None
            data = b""
        if not data:
            self.eof = True
        self.received += data
        return data

    def recv_exactly(self, count, timeout=None):
        """Read until ``count`` more bytes arrived, end of file, or the deadline; return them."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        got = bytearray()
        while len(got) < count:
            data = self.recv_some(deadline - time.monotonic(), min(65536, count - len(got)))
            if not data:  # None: deadline passed; b"": end of file
                break
            got += data
        return bytes(got)

    def recv_until_eof(self, timeout=None, limit=64 * 1024 * 1024):
        """Read until end of file or the deadline; return (data, saw_eof)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        got = bytearray()
        while len(got) < limit:
            data = self.recv_some(deadline - time.monotonic())
            if data is None:
                return bytes(got), False
            if not data:
                return bytes(got), True
            got += data
        return bytes(got), False

    def shutdown_write(self):
        """Half-close: tell the server we will send nothing more (it reads b"")."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise self._broken(exc, "shutting down the sending side") from None

    def reset(self):
        """Close abruptly: the server sees a TCP reset (ECONNRESET), not an orderly end of file."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.sock.close()

    def send_until_blocked(self, payload, stall, chunk=256 * 1024):
        """Send ``payload`` without reading a byte, for as long as the server takes it: until all of
        it is sent, or nothing could be sent for ``stall`` seconds. Returns how many bytes were sent.

        A server that echoes as it reads and sends with sendall() soon blocks writing to the grader,
        which does not read: it then stops reading, and the grader's writes stall after what the
        kernel buffers between the two hold. A server that keeps reading whatever it still owes
        takes it all, and holds what the kernel cannot.
        """
        view = memoryview(payload)
        offset = 0
        error = None
        self.sock.setblocking(False)
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.sock, selectors.EVENT_WRITE)
                while offset < len(payload):
                    if not selector.select(stall):
                        break
                    try:
                        offset += self.sock.send(view[offset:offset + chunk])
                    except BlockingIOError:
                        continue
                    except OSError as exc:
                        error = exc
                        break
        finally:
            self.sent += view[:offset]
            self.sock.settimeout(self.timeout)
        if error is not None:
            raise self._broken(error, "the grader was still sending")
        return offset

    def exchange(self, payload, timeout, idle_timeout=2.0, chunk=64 * 1024):
        """Send ``payload`` while reading what comes back, until as much came back or time ran out.

        It gives up early when nothing moves either way for ``idle_timeout`` seconds: a server
        that has stopped sending is not waited for until the overall deadline.

        The writer is preferred: the grader reads only when it cannot write, and the first time
        it cannot, only once its writes have stayed blocked for WRITE_HOLD seconds. A correct
        server that blocks in sendall() stops reading, so the grader's writes block and it reads;
        a server that drops what a non-blocking send() could not take keeps reading, the grader
        keeps writing, and the loss shows. Without the hold, a busy machine that is slow to
        schedule such a server would block the grader's writes for a moment, the grader would
        read, and the server's send() would never fall short. Returns the bytes received.
        """
        deadline = time.monotonic() + timeout
        last_progress = time.monotonic()
        hold_until = None  # set at the first blocked write: no reading before it
        self.sock.setblocking(False)
        got = bytearray()
        offset = 0
        error = None
        try:
            with selectors.DefaultSelector() as selector:
                mask = selector.register(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE).events
                while len(got) < len(payload):
                    now = time.monotonic()
                    wait = min(deadline, last_progress + idle_timeout) - now
                    if wait <= 0:
                        break
                    holding = offset < len(payload) and (hold_until is None or now < hold_until)
                    if offset == len(payload):
                        wanted = selectors.EVENT_READ
                    elif holding:
                        wanted = selectors.EVENT_WRITE
                        wait = 0 if hold_until is None else min(wait, hold_until - now)
                    else:
                        wanted = selectors.EVENT_READ | selectors.EVENT_WRITE
                    if wanted != mask:
                        mask = selector.modify(self.sock, wanted).events
                    events = selector.select(wait)
                    flags = events[0][1] if events else 0
                    if holding and not flags and hold_until is None:
                        hold_until = time.monotonic() + WRITE_HOLD
                    try:
                        if flags & selectors.EVENT_WRITE and offset < len(payload):
                            offset += self.sock.send(payload[offset:offset + chunk])
                        elif flags & selectors.EVENT_READ:
                            data = self.sock.recv(chunk)
                            if not data:
                                self.eof = True
                                break
                            got += data
                        else:
                            continue
                        last_progress = time.monotonic()
                    except BlockingIOError:
                        continue
                    except OSError as exc:
                        error = exc
                        break
        finally:
            self.sent += payload[:offset]
            self.received += got
        if error is not None:
            raise self._broken(error, "the grader was still sending")
        return bytes(got)

    def _broken(self, exc, doing):
        if exc.errno in (errno.ECONNRESET, errno.EPIPE):
            big = len(self.sent) > 4096
            counts = f" ({len(self.sent):,} bytes sent, {len(self.received):,} received)" if big else ""
            return Failure(f"The connection was reset by {self.what} while {doing}{counts}.",
                           sent=None if big else bytes(self.sent), received=None if big else bytes(self.received),
                           hint="Your server closed the connection (or crashed) before it was done. "
                                "Did an exception end the handler, or did it close too early?")
        return Failure(f"Network error while {doing}: {exc}", sent=bytes(self.sent), received=bytes(self.received))
